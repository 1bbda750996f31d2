"""The offline web map in headless Chromium, with every network request blocked."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point
from test_webmap import X0, Y0, synthetic_inputs, synthetic_map

from binhai_geo.deliverables.webmap import build_map, write_map
from binhai_geo.layermodel import LAYER_KINDS

import browser_util

pytestmark = pytest.mark.browser

browser = browser_util.browser
browser_page = browser_util.browser_page


@pytest.fixture(scope="module")
def map_file(tmp_path_factory):
    return write_map(synthetic_map(), tmp_path_factory.mktemp("webmap") / "synthetic.html")


def test_synthetic_map_renders_offline(browser_page, map_file):
    page = browser_page
    report = browser_util.open_offline(page, map_file)

    assert page.evaluate("typeof window.L") == "object"
    assert page.evaluate("L.version").startswith("1.9")
    assert page.locator("path.leaflet-interactive").count() > 0
    assert page.locator(".leaflet-tile").count() == 0

    legend = page.locator(".bhg-legend")
    assert legend.is_visible()
    assert "图例 Legend" in legend.inner_text()
    targets = page.locator(".bhg-targets")
    assert targets.is_visible()
    assert targets.locator(".bhg-target").count() == 2  # bars of the computed targets
    assert targets.locator(".bhg-bar-fill").first.evaluate("e => e.style.width") == "80%"
    assert "光伏装机容量" in targets.inner_text()
    assert page.locator(".bhg-title").is_visible()
    assert "illustrative" in page.locator(".bhg-title").inner_text()
    assert "Synthetic test layers" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator(".leaflet-control-scale").is_visible()

    overlays = page.locator(".leaflet-control-layers-overlays")
    assert not overlays.is_visible()  # 1280x800: the layer list starts folded, out of the map's way
    page.locator(".bhg-layers .bhg-panel-head").click()
    assert overlays.is_visible()
    listed = overlays.inner_text()
    for kind in ("land", "boundary", "salt_pan", "offshore_zone", "wetland", "exclusion", "substation"):
        assert LAYER_KINDS[kind].label in listed
    assert "光伏场址 PV sites" in listed
    assert "碳汇 Carbon sinks" in listed  # theme heading

    browser_util.screenshot(page, "webmap_synthetic")

    # Click the PV site (away from the project point drawn on it): its popup shows the site's figures.
    layers, sites, _ = synthetic_inputs()
    c = gpd.GeoSeries([Point(X0 - 10_000, Y0 + 10_000)], crs=sites.crs).to_crs(4326).iloc[0]
    x, y = page.evaluate(
        f"(() => {{ const p = bhg.maps[0].latLngToContainerPoint([{c.y}, {c.x}]); return [p.x, p.y]; }})()"
    )
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=3000)
    text = popup.inner_text()
    assert "S-001" in text and "场址编号 Site ID" in text and "4,000" in text
    page.wait_for_timeout(350)  # popup fade-in
    browser_util.screenshot(page, "webmap_synthetic_popup")

    # Toggling a layer off and on keeps the theme headings.
    box = overlays.get_by_text("盐田 Salt pan")
    n = page.locator("path.leaflet-interactive").count()
    box.click()
    assert page.locator("path.leaflet-interactive").count() == n - len(layers["salt_pan"])
    box.click()
    assert page.locator(".bhg-layer-theme").count() == 6

    # The panels' corners end above the credits, also when the credits grow to several lines.
    clear = """() => {
      const r = s => document.querySelector(s).getBoundingClientRect();
      const credits = r('.leaflet-control-attribution').top;
      return [r('.leaflet-top.leaflet-right').bottom <= credits, r('.leaflet-top.leaflet-left').bottom
              <= r('.leaflet-control-scale').top, r('.leaflet-top.leaflet-right').bottom];
    }"""
    short = page.evaluate(clear)
    assert short[:2] == [True, True]
    page.evaluate("bhg.maps[0].attributionControl.addAttribution('" + "Long source credit, " * 40 + "')")
    page.wait_for_timeout(200)
    long = page.evaluate(clear)
    assert long[:2] == [True, True] and long[2] < short[2] - 20

    assert report["console_errors"] == []
    assert report["failed_requests"] == []
    assert report["blocked_requests"] == []
    assert all(u.startswith(("file:", "data:")) for u in report["requests"])


def test_aggregated_layer_shows_detail_when_zoomed_in(browser_page, tmp_path):
    layers, sites, targets = synthetic_inputs()
    m = build_map(layers, sites, targets, title="aggregated", title_zh="汇总", credits=[], detail_max_features=3,
                  grid_cell_m=2000, detail_min_zoom=14)
    path = write_map(m, tmp_path / "aggregated.html")
    page = browser_page
    report = browser_util.open_offline(page, path)
    count = "document.querySelectorAll('.leaflet-pane .leaflet-interactive').length"
    assert page.evaluate("bhg.maps[0].getZoom()") < 14
    c = gpd.GeoSeries([Point(X0 - 24_500, Y0 - 17_700)], crs=sites.crs).to_crs(4326).iloc[0]
    before = page.evaluate(count)
    page.evaluate(f"bhg.maps[0].setView([{c.y}, {c.x}], 15, {{animate: false}})")
    page.wait_for_timeout(300)
    # the four rooftops are drawn as points: click one for its popup
    x, y = page.evaluate(
        f"(() => {{ const p = bhg.maps[0].latLngToContainerPoint([{c.y}, {c.x}]); return [p.x, p.y]; }})()"
    )
    assert page.evaluate(count) > before  # the points replace the grid cells in view
    roof = gpd.GeoSeries([layers["rooftop"].geometry.iloc[2].representative_point()], crs=sites.crs).to_crs(4326)
    rx, ry = page.evaluate(
        f"(() => {{ const p = bhg.maps[0].latLngToContainerPoint([{roof.iloc[0].y}, {roof.iloc[0].x}]); "
        "return [p.x, p.y]; })()"
    )
    page.mouse.click(rx, ry)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=3000)
    assert "建筑屋顶 Rooftop" in popup.inner_text() and "factory" in popup.inner_text()
    page.wait_for_timeout(350)  # popup fade-in
    browser_util.screenshot(page, "webmap_aggregated_detail")
    page.evaluate("bhg.maps[0].closePopup(); bhg.maps[0].setZoom(11, {animate: false})")
    page.wait_for_timeout(300)
    assert page.evaluate(count) >= before - 1  # grid cells back
    assert (x, y) and report["console_errors"] == [] and report["failed_requests"] == []
