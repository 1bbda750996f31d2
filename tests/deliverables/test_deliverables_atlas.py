"""The atlas of a plan run: engine layers and tables drawn generically, choropleths, basemap pages."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from deliverables_synthetic import ENGINE_NOTE, synthetic_plan
from shapely.geometry import Point

from binhai_geo.deliverables.atlas import (
    AMAP_NOTE,
    atlas_pages,
    build_atlas,
    choropleths_of,
    overlays_of,
    tianditu_key,
    turbine_display,
)
from binhai_geo.deliverables.notes import render
from binhai_geo.deliverables.registry import GEO_LAYERS, column, geo_entry, table_entry
from binhai_geo.deliverables.webmap import external_references, to_offline_html


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return synthetic_plan(tmp_path_factory.mktemp("atlas"))


def test_overlays_known_first_unknown_in_grey(plan):
    ovs = overlays_of(plan.geo)
    assert [o.label for o in ovs] == ["风机 Wind turbines", "已扣除区域 Excluded areas", "林地变化 Forest change",
                                      "Odd layer"]
    turb = ovs[0]
    assert turb.theme == "energy"
    assert ("wake_loss_pct", "尾流损失 Wake loss (%)") in turb.fields
    # the turbine popup: farm, layout source, type, hub height, annual energy, wake loss, bilingual labels
    assert [f for f, _ in turb.fields][:7] == ["farm", "layout", "turbine_type", "hub_height_m", "capacity_mw",
                                               "energy_mwh_per_yr", "wake_loss_pct"]
    labels = dict(turb.fields)
    assert labels["farm"] == "风电场 Wind farm" and labels["layout"] == "机位来源 Layout source"
    assert labels["hub_height_m"] == "轮毂高度 Hub height (m)" and labels["energy_mwh_per_yr"].startswith("年发电量")
    # coded layout values shown in both languages; the engine's layer keeps its codes
    assert list(turb.gdf["layout"]) == ["按规则布置 Laid out by rule", "登记风电场，按规则布置 Registry farm, laid by rule"]
    assert list(plan.geo["turbines"]["layout"]) == ["laid out", "registry laid"]
    assert turb.variants[0].value == turb.gdf["layout"].iloc[1]  # existing farms drawn apart, with a legend entry
    assert ovs[-1].theme == "other" and ovs[-1].fields == [("label", "标签 Label")]
    assert geo_entry("odd_layer").style == geo_entry("another").style  # one fallback style


def test_turbine_popup_names_registry_farms_readably():
    """GEM placeholder names become sub-district · owner (short id); a source equal to the farm is dropped."""
    gdf = gpd.GeoDataFrame({
        "farm": ["GEM wind phase gem-wind-2025-02-0037", "GEM wind phase gem-wind-2025-02-0040; GEM wind phase "
                 "gem-wind-2025-02-0041", "GEM wind phase gem-wind-2025-02-0050", "Zone 1", "Same"],
        "source": ["gem-wind-2025-02-0037", "gem-wind-2025-02-0040; gem-wind-2025-02-0041",
                   "gem-wind-2025-02-0050", "wind-1", "Same"],
        "site_id": ["", "", "", "wind-1", ""],
        "owner": ["huaneng renewables corp ltd; unknown", "", "", "", ""], "area": ["大港", "中塘", "", "", ""],
        "wake_loss_pct": [8.0, 12.345, float("nan"), 4.06, 0.0]},
        geometry=[Point(0, 0)] * 5, crs="EPSG:4527")
    out = turbine_display(gdf)
    assert list(out["farm"]) == ["大港 · Huaneng Renewables Corp Ltd (GEM …0037)", "中塘 (GEM …0040, …0041)",
                                 "gem-wind-2025-02-0050", "Zone 1", "Same"]
    assert list(out["source"]) == ["gem-wind-2025-02-0037", "gem-wind-2025-02-0040; gem-wind-2025-02-0041", "",
                                   "", ""]  # the last two repeat the site id and the farm
    assert list(out["wake_loss_pct"]) == ["8.0", "12.3", "", "4.1", "0.0"]
    assert gdf["farm"].iloc[0].startswith("GEM wind phase")  # the layer itself is left as it is


def test_registry_labels():
    assert column("lcoe_cny_per_mwh").label == "平准化度电成本 LCOE (CNY/MWh)"
    assert column("stock_tco2_per_yr").unit == "tCO2/yr"  # unit from the suffix
    assert column("odd_share").label == "odd share"  # no entry: the name itself
    assert table_entry("mystery_numbers").label.strip() == "Mystery numbers"
    for entry in GEO_LAYERS.values():
        assert entry.zh and entry.en and entry.theme


def test_choropleths_per_subdistrict(plan):
    chs = choropleths_of(plan)
    labels = [c.label for c in chs]
    # conformance: one per target (label from the targets table); forest cover for the workflow's year 2025
    assert labels[0] == "光伏装机 installed PV capacity"
    assert chs[0].values == {"West": 138.0, "East": 80.0} and chs[0].unit == "MW"
    assert not any(c.show for c in chs)  # switched on by the reader
    forest = next(c for c in chs if c.label.startswith("森林覆盖率 Forest cover 2025"))
    assert forest.values["West 西区"] == 13.0 and forest.unit == "%"
    # candidate capacity by sub-district from the sites (salt pan PV in the west half)
    pv = next(c for c in chs if c.label.startswith("候选光伏容量"))
    assert set(pv.values) == {"West"} and pv.values["West"] == pytest.approx(138.0 + 0.024 * 64, rel=0.05)


def test_offline_atlas_page(plan):
    page = atlas_pages(plan).pages["map_html"][1]
    assert external_references(page) == []
    assert "bhg.basemaps(" not in page
    for text in ("风机 Wind turbines", "已扣除区域 Excluded areas", "林地减少 Forest loss", "其他 Other", "Odd layer",
                 "目标与分区 Targets by sub-district", "规划目标 Plan targets", "平准化度电成本 LCOE (CNY/MWh)",
                 '"lcoe_cny_per_mwh":"280"', '"turbines":"0"', render(ENGINE_NOTE), "风电场 Wind farm",
                 "登记风电场，按规则布置 Registry farm, laid by rule", "已建/在建风电场(按规则布置)"):
        assert text in page, text
    assert re.search(r'"name":"West","value":"138","_s":1', page)


def test_basemap_pages(plan, monkeypatch, tmp_path):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    wf = plan.workflow
    spec = wf.spec.deliverables.model_copy(update={"basemaps": ["tianditu_vector", "amap_vector"]})
    wf.spec = wf.spec.model_copy(update={"deliverables": spec})
    try:
        pages = atlas_pages(plan)
        assert set(pages.pages) == {"map_html", "map_amap_html"}  # no key: no Tianditu page, offline one written
        assert any("TIANDITU_KEY" in m and "offline atlas was written" in m for m in pages.messages)
        amap = pages.pages["map_amap_html"][1]
        assert "webrd0{s}.is.autonavi.com" in amap and AMAP_NOTE[:20] in amap
        assert external_references(amap) == []
        monkeypatch.setenv("TIANDITU_KEY", " k3y ")
        assert tianditu_key(plan) == "k3y"
        pages = atlas_pages(plan)
        tdt = pages.pages["map_tianditu_html"][1]
        assert "tk=k3y" in tdt and "vec_w/wmts" in tdt and "cva_w/wmts" in tdt
        assert pages.pages["map_tianditu_html"][0] == "test_run_tianditu.html"
        with pytest.raises(ValueError, match="cannot share"):
            build_atlas(plan, basemaps=["tianditu_vector", "amap_vector"], tianditu_key="k")
        # the AMap page has the same features, shifted: no coordinate pair in common with the offline page
        offline = to_offline_html(build_atlas(plan))
        pairs = set(re.findall(r"\[(11\d\.\d+),(3\d\.\d+)\]", offline))
        assert pairs and not pairs & set(re.findall(r"\[(11\d\.\d+),(3\d\.\d+)\]", amap))
    finally:
        wf.spec = wf.spec.model_copy(update={"deliverables": wf.spec.deliverables.model_copy(update={"basemaps": []})})


def test_area_column_and_registry_map_values(plan):
    import pandas as pd

    saved = dict(plan.tables)
    try:
        plan.tables["conformance"] = pd.DataFrame({
            "target_id": ["wind_capacity"] * 3, "area": ["district", "West", "East"], "unit": ["MW"] * 3,
            "counted": [200.0, 0.0, 200.0], "eligible_potential_mw": [475.0, 0.0, 475.0], "gap": [2100.0, None, None],
        })
        chs = {c.label: c for c in choropleths_of(plan)}
        counted = chs["风电装机 installed wind capacity · 已计入 Counted"]
        assert counted.values == {"district": 200.0, "West": 0.0, "East": 200.0} and counted.unit == "MW"
        assert "风电装机 installed wind capacity · 可开发潜力 Eligible potential" in chs
        assert not any("gap" in label.lower() or "差距" in label for label in chs)
    finally:
        plan.tables.clear()
        plan.tables.update(saved)


def test_a_target_map_shows_the_targets_own_unit(tmp_path):
    import dataclasses

    import pandas as pd

    plan = synthetic_plan(tmp_path)
    conformance = pd.DataFrame({  # a share target whose only per-sub-district figure is in MW: no map of it
        "target_id": ["pv_capacity"] * 2 + ["renewable_share"] * 2, "subdistrict": ["West", "East"] * 2,
        "unit": ["MW", "MW", "percent", "percent"], "counted": [138.0, 80.0, float("nan"), float("nan")],
        "eligible_potential_mw": [200.0, 90.0, 120.0, 80.0],
    })
    tables = {**plan.tables, "conformance": conformance}
    labels = [c.label for c in choropleths_of(dataclasses.replace(plan, tables=tables))]
    assert any(lab.startswith("光伏装机") for lab in labels)  # the MW target keeps its MW map
    assert not any("renewable share" in lab or "可再生能源装机占比" in lab for lab in labels), labels
