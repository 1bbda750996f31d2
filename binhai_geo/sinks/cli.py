"""Commands of the sinks engine (sinks, forest-cover).

Thin typer commands over the engine's functions; errors go through :func:`binhai_geo.cliutil.fail`.
Everything is computed before the output file is written (atomically), so a failing run writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from binhai_geo.cliutil import bad_parameter, err_console, fail, out_console, say_report

#: Layer kinds the ``sinks`` command reads.
SINK_KINDS = ("forest", "wetland", "tidal_flat", "protected_area")


def _read_kind(path: Path, layer: str | None, kind: str, crs: str):  # noqa: ANN202 (GeoDataFrame, heavy import)
    from binhai_geo.io import list_layers, read_layer
    from binhai_geo.layermodel import get_kind
    from binhai_geo.validate import refuse_outside_region, validate_layer

    if layer is None and kind in list_layers(path):
        layer = kind  # a multi-layer file with a layer named by its kind (a region pack)
    clean, report = validate_layer(read_layer(path, layer), get_kind(kind))
    say_report(report)
    refuse_outside_region(clean)  # Binhai's sink factors and targets: only for Binhai's features
    if clean.crs is None:
        from binhai_geo.errors import LayerError

        raise LayerError("the layer has no CRS", file=str(path), layer=layer or kind,
                         hint="assign the layer's CRS (e.g. in QGIS: Layer > Set CRS)")
    return clean.to_crs(crs)


def _boundary_land(path: Path, crs: str):  # noqa: ANN202 (shapely geometry, heavy import)
    """Return the district's land: the boundary layer, clipped to the file's ``land`` layer if it has one."""
    from binhai_geo.io import list_layers
    from binhai_geo.sinks.coverage import land_geometry

    layers = {"boundary": _read_kind(path, None, "boundary", crs)}
    names = list_layers(path)
    if "boundary" in names and "land" in names:
        layers["land"] = _read_kind(path, "land", "land", crs)
    return land_geometry(layers)


def _sink_layers(items: list[str], crs: str) -> dict:
    """Read ``KIND=PATH`` items, or files whose layers (or file name) are sink layer kinds."""
    from binhai_geo.errors import LayerError
    from binhai_geo.io import list_layers

    out: dict = {}
    for item in items:
        if "=" in item:
            kind, _, path = item.partition("=")
            if kind not in SINK_KINDS:
                bad_parameter(f"'{kind}' in '{item}' is not one of {', '.join(SINK_KINDS)}")
            out[kind] = _read_kind(Path(path), None, kind, crs)
            continue
        p = Path(item)
        names = list_layers(p)
        found = [n for n in names if n in SINK_KINDS]
        if found:
            for n in found:
                out[n] = _read_kind(p, n, n, crs)
        elif len(names) == 1 and p.stem in SINK_KINDS:
            out[p.stem] = _read_kind(p, None, p.stem, crs)
        else:
            raise LayerError(f"cannot tell which sink layer kind this file holds (layers: {', '.join(names)})",
                             file=str(p), hint=f"write KIND=PATH with KIND one of {', '.join(SINK_KINDS)}, "
                             "or name the layers by kind")
    return out


def _cover_by_year(inputs: list[str], land: object, sub: object, *, scheme: str, mapping: Path | None,
                   year_range: str | None, survey_year: int | None, want_change: bool, crs: str) -> tuple:
    """Forest cover by year from rasters, one forest layer with ``year_planted``, or one layer per year.

    Returns (table, notes, change layer or None); raises a bad-parameter exit or WorkflowError for bad inputs.
    """
    from binhai_geo.errors import WorkflowError
    from binhai_geo.sinks import forestcover as fc  # pyogrio, rasterio: only when the command runs

    change_gdf = None
    suffixes = (".tif", ".tiff", ".vrt", ".img", ".nc")
    rasters = [i for i in inputs if Path(i.partition("=")[2] or i).suffix.lower() in suffixes]
    if rasters:
        if len(rasters) != len(inputs):
            bad_parameter("give either land-cover rasters or forest layers, not both")
        by_year = fc.parse_year_inputs(inputs)
        mp = fc.load_landcover_mapping(mapping, scheme)
        stack, notes = fc.read_landcover_stack(by_year, analysis_crs=crs, mapping=mp)
        table = fc.raster_cover_by_year(stack, mp, land, subdistricts=sub, crs=crs)
        if want_change and len(by_year) >= 2:
            change_gdf = fc.raster_change_layer(stack, mp, min(by_year), max(by_year), crs)
    elif len(inputs) == 1 and "=" not in inputs[0] and year_range is not None:
        try:
            first, last = (int(v) for v in year_range.split("-"))
        except ValueError:
            bad_parameter(f"--years '{year_range}' must be FIRST-LAST, e.g. 2015-2030")
        if last < first:
            bad_parameter(f"--years '{year_range}': LAST before FIRST")
        forest = _read_kind(Path(inputs[0]), None, "forest", crs)
        yrs = list(range(first, last + 1))
        table, unions = fc.vector_cover_by_year(forest, land, yrs, survey_year or last, subdistricts=sub)
        notes = []
        if want_change and len(yrs) >= 2:
            change_gdf = fc.change_layer(unions[0], unions[-1], first, last, crs)
    else:
        by_year = fc.parse_year_inputs(inputs)
        if len(by_year) < 1:
            raise WorkflowError("no input", hint="give YEAR=PATH")
        forests = {y: _read_kind(p, None, "forest", crs) for y, p in by_year.items()}
        table, unions = fc.layers_cover_by_year(forests, land, subdistricts=sub)
        notes = []
        if want_change and len(by_year) >= 2:
            change_gdf = fc.change_layer(unions[0], unions[-1], min(by_year), max(by_year), crs)
    return table, notes, change_gdf


def _say_sink_total(table: object, out: Path) -> None:
    """Print the table's last year: the sink [t CO2/yr], its range and the cumulative sink [t CO2]."""
    last = table[table["year"] == table["year"].max()]
    out_console.print(f"wrote {out} ({len(table)} rows); {int(last['year'].iloc[0])}: "
                      f"{last['tco2_per_yr'].sum():,.0f} t CO2/yr "
                      f"({last['tco2_per_yr_low'].sum():,.0f}-{last['tco2_per_yr_high'].sum():,.0f}), "
                      f"cumulative {last['tco2'].sum():,.0f} t CO2")


def _say_forest_cover(table: object, notes: list, mismatch: dict | None, out: Path) -> None:
    """Print the zones/boundary mismatch warning, the notes and the district's forest cover by year."""
    from binhai_geo.deliverables.notes import render_all
    from binhai_geo.sinks import forestcover as fc

    if mismatch is not None:
        err_console.print(
            f"[yellow]warning:[/yellow] the zones cover {mismatch['zones_km2']:.1f} km2 of the boundary's "
            f"{mismatch['land_km2']:.1f} km2 of land ({100 * mismatch['share']:.0f}%; "
            f"{mismatch['zones_outside_km2']:.1f} km2 of zones lie outside it): the district row is not the sum "
            "of its sub-districts. Is --boundary the district boundary (a region pack's 'boundary' layer), not "
            "the land of the whole map frame? (分区与边界不一致：全区值不等于各分区之和)")
    for n in render_all(notes):
        out_console.print(f"note: {n}")
    d = table[table["subdistrict"] == fc.DISTRICT]
    for r in d.itertuples():
        out_console.print(f"{r.year}: forest cover {r.forest_cover_pct:.2f}% "
                          f"({r.forest_km2:.2f} of {r.land_km2:.1f} km2)")
    out_console.print(f"wrote {out}")


def sinks_cmd(
    layers: Annotated[list[str], typer.Argument(help="sink layers: KIND=PATH (forest, wetland, tidal_flat, "
                                                "protected_area) or a GeoPackage whose layers are named by kind")],
    out: Annotated[Path, typer.Option("--out", help="output CSV (by class and year)")],
    years: Annotated[int, typer.Option("--years", min=1, max=100, help="number of years in the table")] = 20,
    start_year: Annotated[int, typer.Option("--start-year", min=1900, max=2100,
                                            help="first year of the table")] = 2025,
    factors: Annotated[Path | None, typer.Option("--factors",
                                                 help="sink-factor CSV replacing the packaged one")] = None,
    crs: Annotated[str, typer.Option("--crs", help="projected CRS areas are computed in")] = "EPSG:4527",
) -> None:
    """Carbon sink by class and year: tco2_per_yr and cumulative tco2, central and range (碳汇量逐年表)."""
    try:
        import pyproj

        from binhai_geo.io import write_csv
        from binhai_geo.sinks.accounting import resolve_overlaps, sink_by_year, sink_features
        from binhai_geo.sinks.factors import class_table, load_sink_factors

        if not pyproj.CRS.from_user_input(crs).is_projected:
            bad_parameter(f"--crs {crs} is not projected; areas need a projected CRS such as EPSG:4527")
        classes = class_table(load_sink_factors(factors))
        lay = _sink_layers(layers, crs)
        if not any(k in lay for k in ("forest", "wetland", "tidal_flat")):
            bad_parameter("no forest, wetland or tidal_flat layer among the inputs")
        resolved, _ = resolve_overlaps(sink_features(lay, classes))
        table = sink_by_year(resolved, classes, list(range(start_year, start_year + years)))
        write_csv(table, out)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 (fail() sorts user errors from bugs)
        fail(exc)
    _say_sink_total(table, out)


def forest_cover_cmd(
    inputs: Annotated[list[str], typer.Argument(
        help="YEAR=PATH per year (land-cover raster or forest layer), or paths with a 4-digit year in the "
             "name, or one forest layer with year_planted plus --years")],
    boundary: Annotated[Path, typer.Option(
        "--boundary", help="district boundary (polygon layer), or a region pack: its 'boundary' layer, clipped "
                           "to its 'land' layer as in a plan run")],
    out: Annotated[Path, typer.Option("--out", help="output CSV: year, subdistrict, forest_cover_pct, ...")],
    zones: Annotated[Path | None, typer.Option("--zones", help="sub-district polygons with a 'name' field")] = None,
    scheme: Annotated[str, typer.Option("--scheme", help="raster class codes: worldcover, clcd, sandiao")
                      ] = "worldcover",
    mapping: Annotated[Path | None, typer.Option("--mapping", help="land-cover mapping CSV replacing the "
                                                 "packaged one")] = None,
    year_range: Annotated[str | None, typer.Option("--years", help="FIRST-LAST, for one forest layer with "
                                                   "year_planted (survey year = LAST unless --survey-year)")
                          ] = None,
    survey_year: Annotated[int | None, typer.Option("--survey-year",
                                                    help="year the forest layer's canopy was surveyed")] = None,
    change: Annotated[Path | None, typer.Option("--change", help="also write the gain/loss map (GeoPackage) "
                                                "between the first and last year")] = None,
    crs: Annotated[str, typer.Option("--crs", help="projected CRS areas are computed in")] = "EPSG:4527",
) -> None:
    """Forest coverage rate by year and sub-district (森林覆盖率逐年统计)."""
    try:
        from binhai_geo.atomic import check_writable_dir
        from binhai_geo.io import write_csv, write_gpkg
        from binhai_geo.sinks import forestcover as fc

        if scheme not in fc.SCHEMES:
            bad_parameter(f"--scheme {scheme} is not one of {', '.join(fc.SCHEMES)}")
        land = _boundary_land(boundary, crs)
        sub = _read_kind(zones, None, "subdistrict", crs) if zones is not None else None
        mismatch = fc.zones_disagree(land, sub)
        table, notes, change_gdf = _cover_by_year(inputs, land, sub, scheme=scheme, mapping=mapping,
                                                  year_range=year_range, survey_year=survey_year,
                                                  want_change=change is not None, crs=crs)
        if change is not None and change_gdf is None:
            bad_parameter("--change needs at least two years")
        check_writable_dir(out.parent)
        if change is not None:
            check_writable_dir(change.parent)
        write_csv(table, out)
        if change_gdf is not None:
            write_gpkg(change_gdf, change, layer="forest_change")
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 (fail() sorts user errors from bugs)
        fail(exc)
    _say_forest_cover(table, notes, mismatch, out)


def register(app: typer.Typer) -> None:
    """Add this engine's commands to ``app``."""
    app.command("sinks")(sinks_cmd)
    app.command("forest-cover")(forest_cover_cmd)
