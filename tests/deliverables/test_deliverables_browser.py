"""Atlas, basemap page and report of a synthetic plan in headless Chromium, every network request blocked."""

from __future__ import annotations

import pytest
from deliverables_synthetic import synthetic_plan

from binhai_geo.deliverables.build import build_deliverables

import browser_util

pytestmark = pytest.mark.browser

browser = browser_util.browser
browser_page = browser_util.browser_page


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deliv_browser")
    plan = synthetic_plan(folder, '\n[deliverables]\nbasemaps = ["amap_vector"]\nprint_maps = false\n')
    built = build_deliverables(plan, parts=["atlas", "report"])
    return built.write(folder / "out")


def test_atlas(browser_page, files):
    page = browser_page
    report = browser_util.open_offline(page, files["map_html"])
    assert page.evaluate("L.version").startswith("1.9")
    listed = page.locator(".leaflet-control-layers-overlays").inner_text()
    for label in ("风机 Wind turbines", "已扣除区域 Excluded areas", "林地变化 Forest change", "Odd layer",
                  "光伏装机 installed PV capacity", "目标与分区 Targets by sub-district", "其他 Other"):
        assert label in listed, label
    dash = page.locator(".bhg-dashboard")
    assert dash.is_visible() and dash.locator(".bhg-bar").count() >= 3
    assert "光伏装机" in dash.inner_text()
    assert "138 MW" not in page.locator(".bhg-legend").inner_text()  # choropleth classes folded away
    page.locator(".bhg-legend-fold summary").click()
    legend = page.locator(".bhg-legend").inner_text()
    assert "138 MW" in legend and "80 MW" in legend
    assert page.locator(".leaflet-control-scale").is_visible()
    # on a laptop screen the layer list starts folded; its head unfolds it
    assert not page.locator(".leaflet-control-layers-overlays").is_visible()
    page.locator(".bhg-layers .bhg-panel-head").click()
    assert page.locator(".leaflet-control-layers-overlays").is_visible()
    # turning on the forest-cover choropleth adds the two sub-districts
    n = page.locator("path.leaflet-interactive").count()
    overlays = page.locator(".leaflet-control-layers-overlays")
    overlays.get_by_text("森林覆盖率 Forest cover 2025", exact=False).click()
    assert page.locator("path.leaflet-interactive").count() == n + 2
    # a second target map replaces the first (one choropleth at a time)
    overlays.get_by_text("光伏装机 installed PV capacity", exact=False).click()
    assert page.locator("path.leaflet-interactive").count() == n + 2
    checked = overlays.locator("label", has_text="森林覆盖率 Forest cover 2025").locator("input")
    assert not checked.is_checked()
    browser_util.screenshot(page, "deliverables_atlas_synthetic")
    assert report["console_errors"] == [] and report["failed_requests"] == [] and report["blocked_requests"] == []


def test_amap_page_works_without_its_tiles(browser_page, files):
    page = browser_page
    report = browser_util.open_offline(page, files["map_amap_html"])
    assert page.locator(".leaflet-control-layers-base").inner_text().count("高德地图 AMap streets") == 1
    assert page.locator("path.leaflet-interactive").count() > 10  # everything but the tiles is drawn
    assert "GCJ-02" in page.locator(".bhg-title").inner_text()
    # only tile requests were tried (and blocked); no script error
    assert report["blocked_requests"] and all("autonavi.com/appmaptile" in u for u in report["blocked_requests"])
    assert not [e for e in report["console_errors"] if "Failed to load resource" not in e]
    # switching to the "no tiles" base stops asking for tiles (the layer list unfolded first)
    page.locator(".bhg-layers .bhg-panel-head").click()
    page.locator(".leaflet-control-layers-base").get_by_text("离线").click()
    assert page.locator(".leaflet-tile").count() == 0
    browser_util.screenshot(page, "deliverables_atlas_amap_blocked")


def test_report(browser_page, files):
    page = browser_page
    report = browser_util.open_offline(page, files["report_html"])
    assert page.locator("section").count() >= 8
    assert page.locator(".chart svg").count() == 5
    box = page.locator(".chart svg").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert "规划目标 Plan targets" in page.locator("#targets").inner_text()
    browser_util.screenshot(page, "deliverables_report_synthetic")
    assert report["console_errors"] == [] and report["failed_requests"] == [] and report["requests"] == [
        files["report_html"].resolve().as_uri()]
