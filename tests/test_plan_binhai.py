"""The default workflow on the shipped Binhai region pack, end to end (what `make plan` does)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from binhai_geo.pipeline import run_plan

import browser_util
from qgis_util import qgis_report

REPO = Path(__file__).resolve().parents[1]
#: Operating PV and wind in the district (boundary + 2 km), from the registry README (an independent count)
GEM_PV_OPERATING_MW = 2008
GEM_WIND_OPERATING_MW = 718

browser = browser_util.browser
browser_page = browser_util.browser_page


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    """Run the shipped workflow once (outputs to a temporary folder), leaving the repo untouched."""
    folder = tmp_path_factory.mktemp("plan")
    src = (REPO / "workflows" / "binhai_2025.toml").read_text(encoding="utf-8")
    region = (REPO / "layers" / "binhai" / "region.toml").as_posix()
    wf = folder / "binhai_2025.toml"
    wf.write_text(src.replace('"../layers/binhai/region.toml"', f'"{region}"').replace('"../maps"', '"out"'),
                  encoding="utf-8")
    pack_before = (REPO / "layers" / "binhai" / "binhai.gpkg").read_bytes()
    result = run_plan(wf)
    assert (REPO / "layers" / "binhai" / "binhai.gpkg").read_bytes() == pack_before
    return result


def test_outputs_written(plan):
    out = {role: path.name for role, path in plan.outputs.items()}
    assert out["map_html"] == "binhai_2025.html"
    assert out["sites_gpkg"] == "binhai_2025_sites.gpkg" and out["sites_csv"] == "binhai_2025_sites.csv"
    assert out["targets_csv"] == "binhai_2025_targets.csv" and out["manifest"] == "binhai_2025_manifest.json"
    manifest = json.loads(plan.outputs["manifest"].read_text(encoding="utf-8"))
    assert any(e["path"].endswith("binhai.gpkg") for e in manifest["inputs"])
    size_mb = plan.outputs["map_html"].stat().st_size / 1e6
    assert size_mb < 15, f"map is {size_mb:.1f} MB"


def test_every_candidate_surface_yields_sites(plan):
    sites = pd.read_csv(plan.outputs["sites_csv"])
    assert set(sites["layer_kind"]) >= {"salt_pan", "fish_pond", "offshore_zone", "rooftop", "tidal_flat",
                                        "breakwater"}
    assert set(sites["technology"]) == {"pv", "wind"}
    assert (sites["capacity_mw"] > 0).all()
    assert sites["site_id"].is_unique


def test_targets_against_the_plan(plan):
    t = plan.targets.set_index("target_id")
    # Installed = operating with start year <= 2025 (GEM, February 2025); the plan's named projects and GEM's
    # pre-construction phases are pipeline, never installed. PV: a floor (no distributed PV in GEM), so
    # indicative; it reads short either way (2,008 + 0 committed < 4,700).
    assert t.loc["pv_capacity", "computed"] == pytest.approx(GEM_PV_OPERATING_MW)
    assert (t.loc["pv_capacity", "status"], t.loc["pv_capacity", "reading"]) == ("indicative", "short")
    assert t.loc["pv_capacity", "gap"] == pytest.approx(4700 - GEM_PV_OPERATING_MW - t.loc["pv_capacity", "committed"])
    assert t.loc["wind_capacity", "computed"] == pytest.approx(GEM_WIND_OPERATING_MW)
    assert t.loc["wind_capacity", "status"] == "short"
    assert t.loc["storage_capacity", "computed"] == 0 and t.loc["storage_capacity", "status"] == "indicative"
    assert t.loc["storage_capacity", "pipeline"] == 400  # the plan's shared storage, announced
    for tid in ("forest_cover", "forest_cover_2030", "protected_area_share", "natural_shoreline"):
        assert t.loc[tid, "status"] == "indicative", tid  # sample layers / OpenStreetMap
        assert 0 <= t.loc[tid, "computed"] <= 100
    assert "2,270 km2" in t.loc["forest_cover", "basis"] and "153.67 km" in t.loc["natural_shoreline", "basis"]
    assert t.loc["forest_cover_2030", "required"] == t.loc["forest_cover", "computed"]
    assert t.loc["renewable_share", "status"] == "indicative" and "GPPD" in t.loc["renewable_share", "basis"]
    assert t.loc["charging_piles", "status"] == "not computed"
    assert t["basis"].str.len().min() > 0 and (t["gap"].dropna() >= 0).all()
    assert {"capacity_ledger", "ledger_summary", "data_status"} <= set(plan.tables)


def test_existing_wind_farms_share_the_wake_run(plan):
    """The ledger's standing wind farms are laid by rule in the wake run: context, never potential."""
    ledger = plan.tables["capacity_ledger"].set_index("record_id")
    farms = plan.tables["wind_existing_farms"]
    ids = [i for s in farms["source"] for i in s.split("; ")]
    assert set(ledger.loc[ids, "category"]) <= {"installed", "committed"} and set(ledger.loc[ids, "technology"]) == {
        "wind"}
    # no more than the district's operating and committed GEM wind (the registry README's 718 MW operating)
    assert 0 < farms["registry_capacity_mw"].sum() <= GEM_WIND_OPERATING_MW + ledger.loc[
        ledger["category"] == "committed", "capacity_mw"].sum()
    turb = plan.geo["turbines"]
    reg = turb[turb["layout"] == "registry laid"]
    assert len(reg) == farms["turbines"].sum() and set(reg["source"]) == set(farms["source"])
    # the sites' wind capacity and energy are the zones' own turbines only
    wind = plan.sites[plan.sites["technology"] == "wind"]
    new = turb[turb["layout"] != "registry laid"]
    assert wind["capacity_mw"].sum() == pytest.approx(new["capacity_mw"].sum())
    assert wind["energy_mwh_per_yr"].sum() == pytest.approx(new["energy_mwh_per_yr"].sum())
    z = plan.tables["wind_zones"]
    placed = z[z["turbines"] > 0]
    assert (placed["wake_loss_pct"] >= placed["wake_loss_without_existing_pct"] - 1e-9).all()


@pytest.mark.browser
def test_binhai_map_in_browser(plan, browser_page):
    page = browser_page
    report = browser_util.open_offline(page, plan.outputs["map_html"])
    assert page.evaluate("L.version").startswith("1.9")
    assert page.locator("path.leaflet-interactive").count() > 50
    listed = page.locator(".leaflet-control-layers-overlays").inner_text()
    for label in ("陆地 Land", "行政边界 District boundary", "岸线 Coastline", "盐田 Salt pan",
                  "养殖坑塘 Fish pond", "海上开发区 Offshore zone", "湿地 Wetland", "林地 Forest"):
        assert label in listed, label
    assert "图例 Legend" in page.locator(".bhg-legend").inner_text()
    assert "光伏" in page.locator(".bhg-targets").inner_text()
    assert "illustrative" in page.locator(".bhg-title").inner_text()
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    shot = browser_util.screenshot(page, "binhai_2025_map")
    assert shot.stat().st_size > 10_000
    shutil.copy(plan.outputs["map_html"], browser_util.ARTIFACTS / "binhai_2025.html")
    assert report["console_errors"] == []
    assert report["failed_requests"] == [] and report["blocked_requests"] == []


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)])
def test_binhai_atlas_panels_leave_the_largest_sites_clear(plan, browser, viewport):
    """On a laptop and on an office screen, no panel covers the district's six largest sites."""
    w, h = viewport
    context = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN", service_workers="block")
    page = context.new_page()
    try:
        browser_util.open_offline(page, plan.outputs["map_html"])
        largest = plan.sites.sort_values("capacity_mw", ascending=False)["site_id"].head(6).tolist()
        sites = browser_util.site_boxes(page, largest)
        assert sorted(sites) == sorted(largest)
        panels = browser_util.panel_boxes(page)
        assert {".bhg-title", ".bhg-legend", ".leaflet-control-layers", ".bhg-dashboard"} <= set(panels)
        covered = [(s, k) for s, box in sites.items() for k, pb in panels.items() if browser_util.overlaps(box, pb)]
        assert covered == []
        for s, box in sites.items():  # and each is on screen
            assert box["left"] >= 0 and box["top"] >= 0 and box["right"] <= w and box["bottom"] <= h, s
        # panels never run into one another, also with every note unfolded
        page.locator(".bhg-title details summary").click()
        panels = browser_util.panel_boxes(page)
        assert [(a, b) for a in panels for b in panels if a < b and browser_util.overlaps(panels[a], panels[b])] == []
        # the data status leads the dashboard, before the first verdict
        status = page.locator(".bhg-dashboard .bhg-data-status").bounding_box()
        first = page.locator(".bhg-dashboard .bhg-target").first.bounding_box()
        assert status["y"] + status["height"] <= first["y"]
        browser_util.screenshot(page, f"binhai_2025_map_{w}x{h}")
    finally:
        context.close()


def test_print_maps_and_report_written(plan):
    from binhai_geo.deliverables.webmap import external_references

    out = plan.outputs
    themes = {role.split("_")[1] for role in out if role.startswith("print_")}
    assert themes == {"energy", "sinks", "ecology", "constraints", "targets"}
    for theme in themes:
        png, pdf = out[f"print_{theme}_png"], out[f"print_{theme}_pdf"]
        assert png.name == f"binhai_2025_map_{theme}.png" and png.read_bytes()[:4] == b"\x89PNG"
        assert pdf.read_bytes()[:4] == b"%PDF" and pdf.stat().st_size < 5e6
    report = out["report_html"].read_text(encoding="utf-8")
    assert external_references(report) == []
    assert "光伏发电装机容量" in report and "binhai.gpkg" in report and "illustrative" in report
    assert "data-chart='capacity'" in report
    assert out["report_html"].stat().st_size < 15e6
    manifest = json.loads(out["manifest"].read_text(encoding="utf-8"))
    written = {e["path"].rsplit("/", 1)[-1] for e in manifest["outputs"]}
    assert {"binhai_2025_report.html", "binhai_2025_map_energy.pdf", "binhai_2025.html"} <= written


@pytest.mark.browser
def test_binhai_report_in_browser(plan, browser_page):
    page = browser_page
    report = browser_util.open_offline(page, plan.outputs["report_html"])
    assert page.locator(".chart svg").count() >= 2
    assert page.locator("#targets tr[data-target-id='pv_capacity']").count() == 1
    browser_util.screenshot(page, "binhai_2025_report")
    assert report["console_errors"] == [] and report["failed_requests"] == [] and report["blocked_requests"] == []


def test_binhai_project_in_qgis(plan):
    """QGIS opens the district's project: every layer valid, styled, labelled where it should be, with aliases."""
    report = qgis_report(plan.outputs["qgis_project"], "binhai_2025_qgis.png")
    print(f"QGIS {report['qgis']} rendered {report['png']}")
    assert report["read"] and report["crs"] == "EPSG:4326" and report["png_saved"] and not report["render_errors"]
    layers = {lyr["source"].rsplit("|layername=", 1)[-1]: lyr for lyr in report["layers"]}
    assert all(lyr["valid"] for lyr in layers.values())
    # one geometry type per layer: the breakwater sites and areas are their own line layers
    assert layers["sites"]["features"] == 274 and layers["sites_lines"]["features"] == 2
    assert layers["sites_lines"]["geometry"] == 1 and layers["sites"]["geometry"] == 2  # QGIS: 1 line, 2 polygon
    assert {"eligible_lines", "excluded_lines", "exclusion_lines"} <= set(layers)
    for name in ("sites", "eligible_areas", "excluded_areas", "turbines", "salt_pan", "project", "subdistrict"):
        assert layers[name]["labels"], name
    assert layers["turbines"]["renderer"] == "graduatedSymbol" and layers["turbines"]["attr"] == "wake_loss_pct"
    assert layers["coastline"]["renderer"] == "categorizedSymbol" and layers["coastline"]["attr"] == "natural"
    assert layers["sites"]["aliases"]["lcoe_cny_per_mwh"] == "平准化度电成本 LCOE (CNY/MWh)"
    assert layers["salt_pan"]["aliases"]["operator"] == "经营单位 Operator"
    assert report["drawing_order"][0] == layers["project"]["name"] and report["drawing_order"][-1] == \
        layers["land"]["name"]


def test_every_table_and_column_the_report_shows_has_a_bilingual_label(plan):
    """No report table or column of the default plan falls back to its file or column name (English only)."""
    from binhai_geo.deliverables.registry import COLUMNS, TABLES
    from binhai_geo.deliverables.report import TOP_SITE_COLUMNS

    unlabelled_tables = sorted(set(plan.tables) - set(TABLES))
    assert unlabelled_tables == [], f"add them to registry.TABLES: {unlabelled_tables}"
    shown = [*plan.tables.values(), plan.densities, plan.sinks, plan.sites[[c for c in TOP_SITE_COLUMNS
                                                                            if c in plan.sites.columns]]]
    cols = {c for df in shown for c in df.columns if c != "geometry"}
    unlabelled = sorted(c for c in cols if c not in COLUMNS)
    assert unlabelled == [], f"add them to deliverables/data/column_labels.csv: {unlabelled}"
    assert all(COLUMNS[c].zh and COLUMNS[c].en for c in cols)
    assert all(TABLES[t].zh and TABLES[t].en for t in plan.tables)
