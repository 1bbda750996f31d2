"""Offline web map: built from small synthetic layers near Binhai, checked without a browser."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from binhai_geo.deliverables.webmap import build_map, external_references, to_offline_html, write_map
from binhai_geo.errors import BinhaiGeoError, LayerError, OutputError
from binhai_geo.layermodel import LAYER_KINDS

CRS = "EPSG:4527"  # CGCS2000 / 3-degree Gauss-Kruger zone 39 (central meridian 117°E)
X0, Y0 = 39_560_000.0, 4_320_000.0
NOTE = "示例图层仅为示意，并非真实数据 Sample layers are illustrative, not real data"


def _gdf(rows: list[dict], crs: str | None = CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def _rect(dx0: float, dy0: float, dx1: float, dy1: float) -> Polygon:
    return box(X0 + dx0, Y0 + dy0, X0 + dx1, Y0 + dy1)


def synthetic_inputs() -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame, pd.DataFrame]:
    """Small layers, sites and targets around (x=39,560,000, y=4,320,000) in EPSG:4527."""
    coast = [(X0 + 8_000, Y0 - 30_000), (X0 + 5_000, Y0 - 10_000), (X0 + 9_000, Y0 + 5_000), (X0 + 6_000, Y0 + 30_000)]
    land = Polygon([(X0 - 40_000, Y0 - 30_000), *coast, (X0 - 40_000, Y0 + 30_000)])
    sea = Polygon([*coast, (X0 + 45_000, Y0 + 30_000), (X0 + 45_000, Y0 - 30_000)])
    layers = {
        "land": _gdf([{"geometry": land}]),
        "sea_area": _gdf([{"geometry": sea}]),
        "boundary": _gdf([{"name": "滨海新区", "geometry": _rect(-30_000, -25_000, 7_000, 25_000)}]),
        "coastline": _gdf(
            [
                {"natural": False, "geometry": LineString(coast[:3])},
                {"natural": True, "geometry": LineString(coast[2:])},
            ]
        ),
        "salt_pan": _gdf(
            [
                {"name": "长芦汉沽盐场", "operator": "长芦盐业", "geometry": _rect(-12_000, 8_000, -2_000, 16_000)},
                {"name": "塘沽盐场", "operator": None, "geometry": _rect(-10_000, -8_000, -1_000, -2_000)},
            ]
        ),
        "fish_pond": _gdf([{"pond_type": "鱼塘", "geometry": _rect(-22_000, 0, -15_000, 6_000)}]),
        "offshore_zone": _gdf(
            [
                {"allowed_use": "wind", "water_depth_m": 8.5, "geometry": _rect(20_000, -5_000, 35_000, 15_000)},
            ]
        ),
        "tidal_flat": _gdf([{"geometry": _rect(9_500, -15_000, 14_000, 0)}]),
        "breakwater": _gdf([{"geometry": LineString([(X0 + 7_000, Y0 - 4_000), (X0 + 18_000, Y0 - 6_000)])}]),
        "rooftop": _gdf(
            [
                {
                    "building_class": "factory",
                    "new_build": False,
                    "roof_type": "flat",
                    "height_m": 12.0,
                    "geometry": _rect(-26_000 + i * 900, -18_000, -25_500 + i * 900, -17_400),
                }
                for i in range(4)
            ]
        ),
        "wetland": _gdf(
            [
                {
                    "wetland_type": "reed_marsh",
                    "name": "北大港湿地",
                    "geometry": _rect(-28_000, -24_000, -16_000, -20_000),
                }
            ]
        ),
        "forest": _gdf(
            [
                {
                    "forest_type": "tree_forest",
                    "canopy_cover": 0.45,
                    "year_planted": 2012,
                    "geometry": _rect(-20_000, 18_000, -14_000, 23_000),
                }
            ]
        ),
        "protected_area": _gdf(
            [
                {
                    "category": "湿地公园",
                    "zone": "core",
                    "name": "七里海",
                    "geometry": _rect(-29_000, 12_000, -21_000, 22_000),
                }
            ]
        ),
        "exclusion": _gdf(
            [{"reason": "shipping_lane", "buffer_m": 500.0, "geometry": _rect(12_000, 0, 40_000, 3_000)}]
        ),
        "substation": _gdf(
            [
                {"name": "临港220kV站", "voltage_kv": 220.0, "geometry": Point(X0 - 5_000, Y0 - 12_000)},
                {"name": "汉沽110kV站", "voltage_kv": 110.0, "geometry": Point(X0 - 8_000, Y0 + 20_000)},
            ]
        ),
        "project": _gdf(
            [
                {
                    "name": "海晶盐光互补",
                    "technology": "pv",
                    "capacity_mw": 1000.0,
                    "status": "built",
                    "year": 2023,
                    "geometry": Point(X0 - 7_000, Y0 + 12_000),
                },
            ]
        ),
    }
    sites = _gdf(
        [
            {
                "site_id": "S-001",
                "name": "汉沽盐田光伏",
                "layer_kind": "salt_pan",
                "technology": "pv",
                "area_km2": 80.0,
                "capacity_mw": 4_000.0,
                "energy_mwh_per_yr": 5_432_100.0,
                "specific_yield_kwh_per_kwp": 1358.0,
                "capacity_factor": 0.155,
                "geometry": _rect(-11_000, 9_000, -3_000, 15_000),
            },
            {
                "site_id": "S-002",
                "name": "渤海湾海上风电",
                "layer_kind": "offshore_zone",
                "technology": "wind",
                "area_km2": 150.0,
                "capacity_mw": 750.0,
                "energy_mwh_per_yr": 2_100_000.0,
                "specific_yield_kwh_per_kwp": np.nan,
                "capacity_factor": 0.32,
                "geometry": _rect(22_000, -3_000, 32_000, 12_000),
            },
            {
                "site_id": "S-003",
                "name": "防波堤场址",
                "layer_kind": "breakwater",
                "technology": "none",
                "area_km2": np.nan,
                "capacity_mw": np.nan,
                "energy_mwh_per_yr": np.nan,
                "specific_yield_kwh_per_kwp": np.nan,
                "capacity_factor": np.nan,
                "geometry": Point(X0 + 15_000, Y0 - 5_500),
            },
        ]
    )
    targets = pd.DataFrame(
        [
            {
                "target_id": "T-PV",
                "description": "Installed PV capacity",
                "description_zh": "光伏装机容量",
                "year": 2025,
                "required": 5000.0,
                "unit": "MW",
                "comparison": ">=",
                "computed": 4000.0,
                "gap": -1000.0,
                "status": "short",
            },
            {
                "target_id": "T-WIND",
                "description": "Offshore wind capacity",
                "description_zh": "海上风电装机",
                "year": 2030,
                "required": 500.0,
                "unit": "MW",
                "comparison": ">=",
                "computed": 750.0,
                "gap": 250.0,
                "status": "met",
            },
            {
                "target_id": "T-FOREST",
                "description": "Forest coverage rate",
                "description_zh": "森林覆盖率",
                "year": 2025,
                "required": 10.0,
                "unit": "%",
                "comparison": ">=",
                "computed": np.nan,
                "gap": np.nan,
                "status": "not computed",
            },
        ]
    )
    return layers, sites, targets


def synthetic_map():
    layers, sites, targets = synthetic_inputs()
    return build_map(
        layers,
        sites,
        targets,
        title="Binhai renewable-energy siting (synthetic test)",
        title_zh="滨海新区新能源选址（合成测试）",
        credits=["Synthetic test layers", "Leaflet (BSD-2-Clause)"],
        notes=[NOTE],
    )


@pytest.fixture(scope="module")
def page() -> str:
    return to_offline_html(synthetic_map())


def test_no_external_references(page):
    assert external_references(page) == []
    attrs = re.findall(r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page)
    assert [a for a in attrs if not a.startswith("data:")] == []
    for cdn in ("cdn.jsdelivr", "code.jquery", "bootstrapcdn", "cdnjs", "fontawesome", "awesome-markers"):
        assert cdn not in page
    assert "sourceMappingURL" not in page
    assert "url(images/" not in page


def test_leaflet_inlined(page):
    assert 'version="1.9.3"' in page or "1.9.3" in page
    assert ".leaflet-container" in page  # leaflet.css
    assert "L.Icon.Default.imagePath = ''" in page
    assert "data:image/png;base64," in page
    assert page.count("<script>") >= 3


def test_legend_and_bilingual_layer_names(page):
    assert "图例 Legend" in page
    for kind in (
        "land",
        "boundary",
        "salt_pan",
        "fish_pond",
        "offshore_zone",
        "wetland",
        "forest",
        "protected_area",
        "exclusion",
        "substation",
        "project",
        "rooftop",
        "coastline",
    ):
        label = LAYER_KINDS[kind].label
        assert f'"{label}"' in page, label  # layer-control entry (JSON string)
        assert f"<span>{label}</span>" in page, label  # legend entry
    assert "盐田 Salt pan" in page
    assert "光伏场址 PV sites" in page and "风电场址 Wind sites" in page
    assert "自然岸线 Natural shoreline" in page
    for theme in (
        "底图 Base map",
        "能源 Energy",
        "碳汇 Carbon sinks",
        "生态保护 Ecology",
        "限制因素 Constraints",
        "项目与电网 Projects and grid",
    ):
        assert theme in page
    assert "bhg.basemaps(" not in page  # no tile layer: nothing to fetch
    assert "tianditu" not in page and "autonavi" not in page


def test_target_dashboard(page):
    assert "规划目标 Plan targets" in page
    # progress toward each computed target: computed / required, capped at 100 %
    assert re.search(r'data-target-id="T-PV" data-status="short" data-progress="80.0"', page)
    assert re.search(r'data-target-id="T-WIND" data-status="met" data-progress="100.0"', page)
    assert 'class="bhg-bar-fill bhg-bar-short" style="width:80.0%"' in page
    assert "测算 4,000 MW / 要求 ≥ 5,000 MW (80%)" in page
    assert "测算 750 MW / 要求 ≥ 500 MW (150%)" in page
    # targets not computed are listed apart, without a bar
    assert re.search(r'<li data-target-id="T-FOREST" data-status="not-computed">', page)
    assert "未测算 Not computed (1)" in page
    assert "光伏装机容量" in page and "Installed PV capacity" in page


def test_popups_with_site_fields(page):
    for label in (
        "场址编号 Site ID",
        "装机容量 Capacity (MW)",
        "年发电量 Annual energy (GWh/年 GWh/yr)",  # planners' unit: GWh per year
        "单位容量年发电量 Specific yield (kWh/kWp)",
        "容量系数 Capacity factor",
        "面积 Area (km²)",
    ):
        assert label in page, label
    assert '"site_id":"S-001"' in page
    assert '"capacity_mw":"4,000"' in page
    assert '"energy_mwh_per_yr":"5,432"' in page  # 5,432,100 MWh/yr shown as 5,432 GWh/年
    assert '"capacity_factor":"0.155"' in page
    assert '"layer_kind":"盐田 Salt pan"' in page
    assert '"specific_yield_kwh_per_kwp":"–"' in page  # empty value shown as a dash
    # Other layers: attribute fields with bilingual labels.
    assert "电压等级 Voltage (kV)" in page and '"voltage_kv":"220"' in page
    assert "经营单位 Operator" in page and '"operator":"–"' in page
    assert "郁闭度 Canopy cover" in page


def test_title_notes_credits(page):
    assert "滨海新区新能源选址（合成测试）" in page
    assert "<title>滨海新区新能源选址（合成测试） Binhai renewable-energy siting (synthetic test)</title>" in page
    assert NOTE in page
    assert "Synthetic test layers | Leaflet (BSD-2-Clause)" in page
    assert "L.control.scale()" in page


def test_coordinates_rounded_and_in_wgs84(page):
    coords = re.findall(r"\[(1\d\d\.\d+),(3\d\.\d+)\]", page)
    assert coords
    for lon, lat in coords:
        assert 116.5 < float(lon) < 118.5 and 38.5 < float(lat) < 39.6
        assert len(lon.split(".")[1]) <= 6 and len(lat.split(".")[1]) <= 6


def test_points_are_circle_markers_without_icons(page):
    assert "L.circleMarker" in page
    assert "AwesomeMarkers" not in page
    assert "L.Icon(" not in page


def test_every_layer_kind_has_a_style():
    from binhai_geo.deliverables.registry import KIND_STYLES, THEME_LABELS

    assert set(KIND_STYLES) == set(LAYER_KINDS), "add a map style for the new layer kind in deliverables/registry.py"
    assert {ks.theme for ks in KIND_STYLES.values()} <= set(THEME_LABELS)


def test_empty_layer_and_missing_geometries():
    layers, sites, targets = synthetic_inputs()
    layers["forest"] = layers["forest"].iloc[0:0]
    layers["wetland"] = pd.concat([layers["wetland"], layers["wetland"].assign(geometry=None)])
    page = to_offline_html(build_map(layers, sites, targets, title="t", title_zh="t", credits=[]))
    assert "林地 Forest" in page
    assert external_references(page) == []


def test_layer_without_crs_raises():
    layers, sites, targets = synthetic_inputs()
    layers["salt_pan"] = layers["salt_pan"].set_crs(None, allow_override=True)
    with pytest.raises(LayerError, match="coordinate reference system") as info:
        build_map(layers, sites, targets, title="t", title_zh="t", credits=[])
    assert info.value.layer == "salt_pan"


def test_sites_without_crs_raises():
    layers, sites, targets = synthetic_inputs()
    with pytest.raises(LayerError) as info:
        build_map(layers, sites.set_crs(None, allow_override=True), targets, title="t", title_zh="t", credits=[])
    assert info.value.layer == "sites"


def test_unknown_kind_and_missing_columns():
    layers, sites, targets = synthetic_inputs()
    with pytest.raises(LayerError, match="unknown layer kind"):
        build_map({**layers, "volcano": layers["land"]}, sites, targets, title="t", title_zh="t", credits=[])
    with pytest.raises(LayerError, match="capacity_mw"):
        build_map(layers, sites.drop(columns="capacity_mw"), targets, title="t", title_zh="t", credits=[])
    # optional site columns may be missing: the popup shows what there is
    page = to_offline_html(build_map(layers, sites.drop(columns=["specific_yield_kwh_per_kwp", "name"]), targets,
                                     title="t", title_zh="t", credits=[]))
    assert "specific_yield_kwh_per_kwp" not in page and '"site_id":"S-001"' in page
    with pytest.raises(BinhaiGeoError, match="status"):
        build_map(layers, sites, targets.drop(columns="status"), title="t", title_zh="t", credits=[])


def test_empty_sites_and_targets():
    layers, sites, targets = synthetic_inputs()
    m = build_map(layers, sites.iloc[0:0], targets.iloc[0:0], title="t", title_zh="t", credits=[])
    page = to_offline_html(m)
    assert external_references(page) == []
    assert "规划目标 Plan targets" not in page
    assert "光伏场址 PV sites" not in page


def test_render_is_repeatable_and_map_restored(tmp_path):
    m = synthetic_map()
    first = to_offline_html(m)
    assert to_offline_html(m) == first
    # folium's own render (online) still works after the offline one and links Leaflet only.
    online = m.get_root().render()
    links = external_references(online)
    assert links and all("leaflet" in u for u in links)
    assert to_offline_html(m) == first
    out = write_map(m, tmp_path / "sub" / "map.html")
    assert out.read_text(encoding="utf-8").count("<html>") == 1
    assert out.read_text(encoding="utf-8") == first
    assert not list((tmp_path / "sub").glob(".*part"))


def test_refuses_cdn_elements():
    import folium
    import folium.plugins

    m = synthetic_map()
    folium.Marker([39.0, 117.6], icon=folium.Icon(icon="star")).add_to(m)  # awesome-markers via CDN
    with pytest.raises(OutputError, match="not available offline"):
        to_offline_html(m)
    m = synthetic_map()
    folium.Marker([39.0, 117.6], popup="needs jQuery").add_to(m)
    with pytest.raises(OutputError, match="not available offline"):
        to_offline_html(m)
    m = synthetic_map()
    folium.TileLayer("OpenStreetMap").add_to(m)
    with pytest.raises(OutputError, match="tile layer"):
        to_offline_html(m)
    m = synthetic_map()
    folium.plugins.MiniMap().add_to(m)  # declares its own CDN script
    with pytest.raises(OutputError, match="tile layer|outside the file"):
        to_offline_html(m)


def test_external_references_scanner():
    page = (
        '<html><head><link rel="stylesheet" href="https://x.test/a.css"><style>a{background:url(b.png)}'
        '.c{background:url("data:image/png;base64,AA")}</style></head><body><a href="#top">t</a>'
        '<img src="data:image/png;base64,AA"><script>var s = \'<img src="https://x.test/y.png">\';</script>'
        "<div style=\"background:url('http://x.test/z.png')\"></div></body></html>"
    )
    assert external_references(page) == ["https://x.test/a.css", "b.png", "http://x.test/z.png"]


# --- overlays, aggregation, choropleths, basemaps ---------------------------------------------------


def _subdistricts() -> gpd.GeoDataFrame:
    return _gdf([
        {"name": "Hangu", "name_zh": "汉沽", "geometry": _rect(-30_000, 0, 7_000, 25_000)},
        {"name": "Dagang", "name_zh": "大港", "geometry": _rect(-30_000, -25_000, 7_000, 0)},
    ])


def test_overlay_with_variants_and_popup_fields():
    from binhai_geo.deliverables.registry import GEO_LAYERS
    from binhai_geo.deliverables.webmap import Overlay

    layers, sites, targets = synthetic_inputs()
    entry = GEO_LAYERS["forest_change"]
    gdf = _gdf([{"change": "gain", "area_km2": 1.25, "geometry": _rect(-5_000, 20_000, -4_000, 21_000)},
                {"change": "loss", "area_km2": 0.5, "geometry": _rect(-3_000, 20_000, -2_000, 21_000)}])
    ov = Overlay(entry.label, entry.theme, gdf, entry.style, [("change", "变化 Change"), ("area_km2", "面积 Area (km²)"),
                                                              ("absent", "not in the layer")], entry.variants)
    page = to_offline_html(build_map(layers, sites, targets, title="t", title_zh="t", credits=[], overlays=[ov]))
    assert '"林地变化 Forest change"' in page and "<span>林地减少 Forest loss</span>" in page
    assert '"change":"loss","area_km2":"0.5","_s":1' in page  # loss drawn with the variant style
    assert '"change":"gain","area_km2":"1.25"}' in page
    assert "not in the layer" not in page
    with pytest.raises(LayerError, match="coordinate reference system"):
        build_map(layers, sites, targets, title="t", title_zh="t", credits=[],
                  overlays=[Overlay("x", "other", gdf.set_crs(None, allow_override=True), {})])


def test_large_layer_is_aggregated_with_detail_at_high_zoom():
    layers, sites, targets = synthetic_inputs()
    # 2 x 2 km grid cells: the 4 rooftops (0.3 km² each, x = -26,000 ... -23,300 m) fall in 2 cells
    m = build_map(layers, sites, targets, title="t", title_zh="t", credits=[], detail_max_features=3,
                  grid_cell_m=2000, detail_min_zoom=15)
    page = to_offline_html(m)
    assert "bhg.detail(" in page
    assert '"label":"建筑屋顶 Rooftop","pane":"bhg-energy","tip":"name","minZoom":15' in page
    data = json.loads(re.search(r'\{"fields":\[[^\]]*\],"values":.*?,"rows":\[.*?\]\]\}', page).group(0))
    assert len(data["rows"]) == 4 and "roof_type" in data["fields"]
    i = data["fields"].index("building_class")
    assert [data["values"][i][r[2 + i]] for r in data["rows"]] == ["factory"] * 4
    assert page.count('"count":"2","area_km2":"0.6"') == 2  # features and their area per cell
    assert "4 features drawn as counts on a 2 km grid; zoom to level 15" in page  # said on the map
    assert "建筑屋顶 Rooftop：2 km 网格要素数 features per cell" in page  # legend
    # small layers are drawn feature by feature
    assert '"name":"长芦汉沽盐场"' in page


def test_choropleth_by_subdistrict_name():
    from binhai_geo.deliverables.webmap import Choropleth

    layers, sites, targets = synthetic_inputs()
    layers["subdistrict"] = _subdistricts()
    chs = [Choropleth("森林覆盖率 Forest cover 2025", "%", {"Hangu 汉沽": 1.5, "大港": 6.0}, show=True),
           Choropleth("候选光伏容量 Candidate PV capacity", "MW", {"Hangu": 4000.0})]
    page = to_offline_html(build_map(layers, sites, targets, title="t", title_zh="t", credits=[], choropleths=chs))
    assert '"name":"Hangu","value":"1.5"' in page and '"name":"Dagang","value":"6","_s":1' in page
    assert '"name":"Dagang","value":"–","_s":1' in page  # no value: the no-data style
    assert "<span>1.5 %</span>" in page and "<span>6 %</span>" in page and "无数据 No data" in page
    assert "目标与分区 Targets by sub-district" in page
    assert re.search(r"var (bhg_layer_\w+|\w+) = L\.geoJSON\(.*?\);\w+\.addTo", page)
    layers.pop("subdistrict")
    with pytest.raises(LayerError, match="subdistrict"):
        build_map(layers, sites, targets, title="t", title_zh="t", credits=[], choropleths=chs)


def test_classify():
    from binhai_geo.deliverables.webmap import classify

    c = classify(np.array([1.0, 2.0, np.nan, 2.0]))
    assert c.breaks == (1.0, 2.0) and c.labels == ("1", "2")
    assert list(c.index(np.array([1.0, 2.0, np.nan]))) == [0, 1, -1]
    c = classify(np.arange(1.0, 101.0), "blues")
    assert len(c.breaks) == 5 and c.breaks[-1] == 100 and c.labels[0] == "1 – 21"
    assert c.colors[0] != c.colors[-1]
    assert classify(np.array([np.nan])).breaks == ()


def test_basemaps_need_permission_and_shift_moves_the_overlay():
    from binhai_geo.deliverables.webmap import TileBasemap
    from binhai_geo.gcj02 import geometries_to_gcj02

    layers, sites, targets = synthetic_inputs()
    base = TileBasemap("高德地图 AMap streets", ["https://webrd0{s}.example/{z}/{x}/{y}"], "1234", "© AMap")
    m = build_map(layers, sites, targets, title="t", title_zh="t", credits=[], basemaps=[base],
                  shift=geometries_to_gcj02)
    with pytest.raises(OutputError, match="tile layer"):
        to_offline_html(m)
    page = to_offline_html(m, allow_tile_layers=True)
    assert external_references(page) == []  # tiles are requested by script, nothing else
    assert "bhg.basemaps(" in page and "离线（无底图瓦片） Offline, no tiles" in page
    # land and sea start switched off so the tiles show
    land_var = re.search(r'\[\"陆地 Land\",(\w+)\]', page).group(1)
    assert f"{land_var}.addTo" not in page
    plain = to_offline_html(build_map(layers, sites, targets, title="t", title_zh="t", credits=[]))
    shifted = re.search(r'"site_id":"S-003"', page) and re.search(r'\{"type":"Point","coordinates":\[([\d.]+),([\d.]+)\]\},"properties":\{[^}]*"site_id":"S-003"', page)
    orig = re.search(r'\{"type":"Point","coordinates":\[([\d.]+),([\d.]+)\]\},"properties":\{[^}]*"site_id":"S-003"', plain)
    d_lon = (float(shifted.group(1)) - float(orig.group(1))) * 111_320 * np.cos(np.radians(39))
    d_lat = (float(shifted.group(2)) - float(orig.group(2))) * 110_574
    assert 500 < np.hypot(d_lon, d_lat) < 600 and d_lon > 0 and d_lat > 0  # east-north-east, about 550 m


def test_base_layers_draw_without_popups_and_shapes_without_focus_box(page):
    land = re.search(r'bhg\.layerOptions\((\{"label":"陆地 Land".*?\})\)', page).group(1)
    assert '"interactive":false' in land and '"fields":[]' in land
    sea = re.search(r'bhg\.layerOptions\((\{"label":"海域 Sea area".*?\})\)', page)
    assert sea is None or '"interactive":false' in sea.group(1)
    salt = re.search(r'bhg\.layerOptions\((\{"label":"盐田 Salt pan".*?\})\)', page).group(1)
    assert "interactive" not in salt  # other layers keep their popups
    assert ".leaflet-interactive:focus { outline: none; }" in page


def test_site_popup_short_with_grouped_details(page):
    spec = re.search(r'bhg\.layerOptions\((\{"label":"光伏场址 PV sites".*?\})\)', page).group(1)
    fields = json.loads(spec)["fields"]
    main = [f[0] for f in fields if len(f) == 2]
    assert main == ["name", "site_id", "technology", "layer_kind", "capacity_mw", "energy_mwh_per_yr"]
    groups = {f[0]: f[2] for f in fields if len(f) == 3}  # the rest: on demand, in named groups
    assert groups == {"specific_yield_kwh_per_kwp": "发电 Yield", "capacity_factor": "发电 Yield",
                      "area_km2": "用地 Land"}
