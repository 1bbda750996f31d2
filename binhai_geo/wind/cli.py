"""Commands of the wind engine (wind).

Thin typer commands over the engine's functions; errors go through :func:`binhai_geo.cliutil.fail`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

#: Output columns of ``binhai-geo wind`` beyond the sites columns.
WIND_OUT_EXTRA = ("turbines", "turbine_type", "wake_loss_pct", "gross_energy_mwh_per_yr")


def wind(
    zones: Annotated[Path, typer.Argument(help="Wind zones: offshore-zone or tidal-flat polygons, or breakwater "
                                               "lines (GeoPackage, GeoParquet, Shapefile, GeoJSON, FlatGeobuf).",
                                          show_default=False)],
    kind: Annotated[str, typer.Option("--kind", help="Layer kind: offshore_zone, tidal_flat or breakwater.",
                                      show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Output file: .gpkg (layers 'sites' and 'turbines') or .csv.",
                                      show_default=False)],
    layer: Annotated[str | None, typer.Option("--layer", help="Layer name inside the zones file.")] = None,
    turbine: Annotated[str | None, typer.Option(
        "--turbine", help="windpowerlib library type (e.g. V164/9500) or a power-curve CSV "
                          "(default: the [wind] default for the kind).")] = None,
    hub_height: Annotated[float | None, typer.Option("--hub-height", help="Hub height [m].")] = None,
    resource: Annotated[str, typer.Option(
        "--resource", help="'default' (region default, an ASSUMPTION), a WAsP .tab (observed) or .lib "
                           "(generalised wind climate), a sector .csv (sector_deg, frequency, weibull_a_mps, "
                           "weibull_k) or resource .csv, an ERA5 .nc (u100, v100), or Global Wind Atlas "
                           "GeoTIFF(s).")] = "default",
    exclusions: Annotated[Path | None, typer.Option(
        "--exclusions", help="Exclusion zones (layer kind 'exclusion', optional buffer_m).")] = None,
    crs: Annotated[str, typer.Option("--crs", help="Projected CRS for layout and areas.")] = "EPSG:4527",
    no_wakes: Annotated[bool, typer.Option("--no-wakes", help="Skip the PyWake wake computation.")] = False,
    turbines: Annotated[Path | None, typer.Option(
        "--turbines", help="Given turbine positions (layer kind 'turbine': turbine_type, hub_height_m, optional "
                           "farm); zones holding them are not laid out.")] = None,
    turbine_curve: Annotated[list[str] | None, typer.Option(
        "--turbine-curve", help="NAME=CSV: a power-curve CSV for a turbine_type name of --turbines "
                                "(repeatable).")] = None,
) -> None:
    """Lay out wind turbines in zones and compute their energy (风电场布置与发电量).

    Writes the sites columns (capacity = turbines x rated power, energy after wakes and losses) plus
    turbines, turbine_type, wake_loss_pct and gross_energy_mwh_per_yr. Nothing is written on error.
    """
    from rich.markup import escape

    from binhai_geo.cliutil import bad_parameter, fail, out_console
    from binhai_geo.deliverables.notes import render_all
    from binhai_geo.wind.spec import WIND_KINDS

    if kind not in WIND_KINDS:
        bad_parameter(f"--kind '{kind}' is not a wind layer kind; use one of {', '.join(WIND_KINDS)}")
    suffix = out.suffix.lower()
    if suffix not in (".gpkg", ".csv"):
        bad_parameter(f"--out '{out}': give a .gpkg or .csv file name")
    if any(p is not None and out.resolve() == p.resolve() for p in (zones, exclusions, turbines)):
        bad_parameter(f"--out '{out}' is an input file: inputs are never overwritten")
    curves: dict[str, str] = {}
    for item in turbine_curve or []:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            bad_parameter(f"--turbine-curve '{item}': give NAME=path/to/curve.csv")
        curves[name] = path
    try:
        sites, res = _compute(zones, kind, layer, turbine, hub_height, resource, exclusions, crs, not no_wakes,
                              turbines, curves)
        import pandas as pd

        from binhai_geo.atomic import check_writable_dir
        from binhai_geo.io import split_by_geometry, write_csv, write_gpkg_layers

        check_writable_dir(out.parent if str(out.parent) else Path("."))
        if suffix == ".gpkg":
            write_gpkg_layers({**split_by_geometry("sites", sites), "turbines": res.turbines}, out)
        else:
            write_csv(pd.DataFrame(sites.drop(columns="geometry")), out)
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    z = res.zones
    for r in z.itertuples(index=False):
        cf = "–" if r.capacity_factor != r.capacity_factor else f"{r.capacity_factor:.3f}"
        wl = "–" if r.wake_loss_pct != r.wake_loss_pct else f"{r.wake_loss_pct:.1f}%"
        out_console.print(f"{r.site_id}: {r.turbines} x {r.turbine_type} = {r.capacity_mw:,.1f} MW, "
                          f"gross {r.gross_energy_mwh_per_yr:,.0f} MWh/yr, wake loss {wl}, "
                          f"net {r.net_energy_mwh_per_yr:,.0f} MWh/yr, capacity factor {cf}", highlight=False)
    for note in render_all(res.notes):
        out_console.print(f"note: {escape(note)}", highlight=False, soft_wrap=True)
    out_console.print(f"wrote {out}", highlight=False)


def _compute(zones: Path, kind: str, layer: str | None, turbine: str | None, hub_height: float | None,
             resource: str, exclusions: Path | None, crs: str, wakes: bool, turbines: Path | None = None,
             curves: dict[str, str] | None = None) -> tuple:
    import pyproj

    from binhai_geo.errors import WorkflowError
    from binhai_geo.factors import load_capacity_density
    from binhai_geo.io import read_layer
    from binhai_geo.layermodel import get_kind
    from binhai_geo.siting.sites import build_sites
    from binhai_geo.validate import refuse_outside_region, validate_layer
    from binhai_geo.wind.plan import apply_to_sites, run_wind
    from binhai_geo.wind.spec import WindSpec

    try:
        target = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        raise WorkflowError(f"--crs '{crs}' is not a CRS pyproj knows", hint="e.g. EPSG:4527") from None
    if not target.is_projected:
        raise WorkflowError(f"--crs '{crs}' is not projected", hint="give a projected CRS such as EPSG:4527")
    gdf, _ = validate_layer(read_layer(zones, layer, prefer=kind), get_kind(kind))
    refuse_outside_region(gdf)  # issue 13: the region's wind resource only for the region's zones
    gdf = gdf.to_crs(target)
    ex = None
    if exclusions is not None:
        ex, _ = validate_layer(read_layer(exclusions, None, prefer="exclusion"), get_kind("exclusion"))
        ex = ex.to_crs(target)
    sites = build_sites({kind: gdf}, load_capacity_density(), pv_surfaces=[], wind_surfaces=[kind],
                        offshore_both_as="wind")
    if sites.empty:
        raise WorkflowError("no wind zones in the file (offshore zones need allowed_use 'wind' or 'both')",
                            file=str(zones), field="allowed_use" if kind == "offshore_zone" else None,
                            hint="give zones open to wind")
    given = None
    if turbines is not None:
        given, _ = validate_layer(read_layer(turbines, None, prefer="turbine"), get_kind("turbine"))
        given = given.to_crs(target)
    overrides: dict = {"resource": resource, "wakes": wakes, "turbine_curves": curves or {}}
    if turbine is not None:
        overrides["turbine"] = {kind: turbine}
    if hub_height is not None:
        if not hub_height > 0:
            raise WorkflowError(f"--hub-height {hub_height:g}: give a positive height in metres")
        overrides["hub_height_m"] = {kind: hub_height}
    spec = WindSpec(**overrides)
    res = run_wind(sites[["site_id", "name", "layer_kind", "geometry"]], spec, exclusions=ex, given=given,
                   base_dir=Path.cwd(), file=str(zones), given_file=str(turbines) if turbines else None)
    return apply_to_sites(sites, res.zones), res


def register(app: typer.Typer) -> None:
    """Add this engine's commands to ``app``."""
    app.command(name="wind")(wind)
