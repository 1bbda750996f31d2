"""Commands of the solar engine (pv).

Thin typer commands over the engine's functions; errors go through :func:`binhai_geo.cliutil.fail`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from binhai_geo.cliutil import EncodingOption, say_report
from binhai_geo.solar.spec import PV_KINDS


def register(app: typer.Typer) -> None:
    """Add this engine's commands to ``app``."""
    app.command("pv")(pv)


def pv(
    sites: Annotated[Path, typer.Argument(help="Layer file with PV sites (GeoPackage, GeoParquet, Shapefile, "
                                          "GeoJSON, FlatGeobuf).", show_default=False)],
    kind: Annotated[str, typer.Option("--kind", help=f"Layer kind of the sites: {', '.join(PV_KINDS)}.")],
    out: Annotated[Path, typer.Option("--out", help="Output file: .gpkg (layer 'sites') or .csv.")],
    layer: Annotated[str | None, typer.Option("--layer", help="Layer name inside the file.")] = None,
    weather: Annotated[str, typer.Option("--weather", help="'default' (stand-in year from the Tanggu normals) or "
                                         "a weather file: .epw, TMY3/PVGIS .csv, PVGIS .json, ERA5 .nc.")] = "default",
    archetype: Annotated[str | None, typer.Option("--archetype", help="System archetype (see "
                                                  "binhai_geo/data/pv_archetypes.csv); default by surface.")] = None,
    tilt: Annotated[float | None, typer.Option("--tilt", help="Module tilt [deg], 0-90.")] = None,
    module: Annotated[str | None, typer.Option("--module", help="CEC module name (pvlib library).")] = None,
    inverter: Annotated[str | None, typer.Option("--inverter", help="CEC inverter name (pvlib library).")] = None,
    crs: Annotated[str, typer.Option("--crs", help="Projected CRS areas are measured in.")] = "EPSG:4527",
    encoding: EncodingOption = None,
) -> None:
    """Capacity and annual PV energy of every site of a layer (光伏发电量测算).

    Writes the sites table (site_id, name, layer_kind, technology, area_km2, ..., capacity_mw,
    energy_mwh_per_yr, specific_yield_kwh_per_kwp, capacity_factor). Nothing is written on error.
    """
    from binhai_geo.cliutil import bad_parameter, fail, out_console

    if kind not in PV_KINDS:
        bad_parameter(f"--kind '{kind}' is not a PV surface; use one of {', '.join(PV_KINDS)}")
    if out.suffix.lower() not in (".gpkg", ".csv"):
        bad_parameter(f"--out '{out}' must end in .gpkg or .csv")
    try:
        result = _compute(sites, kind, layer, weather, archetype, tilt, module, inverter, crs, encoding)
        _write(result, out)
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    tot_mw = float(result["capacity_mw"].sum())
    tot_mwh = float(result["energy_mwh_per_yr"].sum())
    out_console.print(f"{len(result)} PV sites: {tot_mw:,.1f} MWp, {tot_mwh:,.0f} MWh/yr "
                      f"({tot_mwh / tot_mw if tot_mw else float('nan'):,.0f} kWh/kWp); wrote {out}", highlight=False)
    if weather == "default":
        out_console.print("note: default weather is a stand-in year built from Tanggu climate normals, not measured "
                          "data (替代气象年，非实测数据)", highlight=False)


def _compute(path: Path, kind: str, layer: str | None, weather: str, archetype: str | None, tilt: float | None,
             module: str | None, inverter: str | None, crs: str, encoding: str | None = None):  # noqa: ANN202
    import pyproj

    from binhai_geo.errors import WorkflowError
    from binhai_geo.factors import load_capacity_density
    from binhai_geo.io import read_layer
    from binhai_geo.layermodel import get_kind
    from binhai_geo.siting.sites import SITE_COLUMNS, build_sites
    from binhai_geo.solar.archetypes import load_archetypes
    from binhai_geo.solar.densities import pv_densities
    from binhai_geo.solar.plan import compute_pv
    from binhai_geo.solar.rooftops import load_rooftop_fractions
    from binhai_geo.solar.spec import DEFAULT_ARCHETYPES, DEFAULT_ROOF_ARCHETYPES, SolarSpec
    from binhai_geo.validate import refuse_outside_region, validate_layer

    try:
        target_crs = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        raise WorkflowError(f"--crs '{crs}' is not a CRS pyproj knows", field="--crs",
                            hint="give an EPSG code such as EPSG:4527") from None
    if not target_crs.is_projected:
        raise WorkflowError(f"--crs '{crs}' is not projected; areas need a projected CRS", field="--crs",
                            hint="use e.g. EPSG:4527 (CGCS2000 Gauss-Kruger zone 39)")
    gdf = read_layer(path, layer, prefer=kind, encoding=encoding)
    clean, report = validate_layer(gdf, get_kind(kind))
    say_report(report)
    if weather == "default":  # Binhai's stand-in weather: only for Binhai's sites
        refuse_outside_region(clean)
    clean = clean.to_crs(target_crs)
    if kind == "rooftop":
        used = [archetype] if archetype else list(DEFAULT_ROOF_ARCHETYPES.values())
        choice = {f"rooftop_{t}": archetype for t in DEFAULT_ROOF_ARCHETYPES} if archetype else {}
    else:
        used = [archetype or DEFAULT_ARCHETYPES[kind]]
        choice = {kind: archetype} if archetype else {}
    overrides: dict[str, float | str] = {}
    for a in used:
        for param, value in (("tilt_deg", tilt), ("module", module), ("inverter", inverter)):
            if value is not None:
                overrides[f"{a}.{param}"] = value
    spec = SolarSpec(weather=weather, archetypes=choice, overrides=overrides)
    archetypes = load_archetypes(None, spec.overrides)
    fractions = load_rooftop_fractions()
    densities = load_capacity_density(derived=pv_densities(archetypes, fractions, spec.archetypes))
    sites = build_sites({kind: clean}, densities, pv_surfaces=[kind], wind_surfaces=[], offshore_both_as="pv")
    if len(sites) == 0:
        raise WorkflowError("no PV sites in the layer (an offshore_zone needs allowed_use 'pv' or 'both')",
                            file=str(path), hint="check the layer and --kind")
    run = compute_pv(sites, {kind: clean}, spec, archetypes=archetypes, fractions=fractions)
    return run.sites[[*SITE_COLUMNS, "weather_distance_km", "geometry"]]


def _write(sites, out: Path) -> None:  # noqa: ANN001 - GeoDataFrame
    import pandas as pd

    from binhai_geo.io import write_csv, write_gpkg

    if out.suffix.lower() == ".gpkg":
        write_gpkg(sites, out, layer="sites")
    else:
        write_csv(pd.DataFrame(sites.drop(columns="geometry")), out)
