"""The HTML report: sections, charts, tables with bilingual headings, factors with sources, provenance."""

from __future__ import annotations

import re

import pytest
from deliverables_synthetic import ENGINE_NOTE, synthetic_plan

from binhai_geo.deliverables.fonts import cjk_font
from binhai_geo.deliverables.notes import render
from binhai_geo.deliverables.report import build_report, table_html
from binhai_geo.deliverables.webmap import external_references
from binhai_geo.manifest import sha256_of


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return synthetic_plan(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def page(plan):
    inputs = [plan.workflow.path, plan.workflow.targets_path]
    return build_report(plan, inputs=inputs, font=cjk_font(), outputs=["test_run.html", "test_run_sites.csv"])


def test_self_contained(page):
    assert external_references(page) == []
    assert "<script" not in page  # nothing to run, nothing to load


def test_sections(page):
    for sid, title in (("summary", "摘要 Summary"), ("targets", "规划目标 Plan targets"), ("charts", "图表 Charts"),
                       ("sites", "候选场址 Candidate sites"), ("tables", "结果表 Result tables"),
                       ("assumptions", "假设与因子"), ("provenance", "数据来源与可追溯性 Provenance"),
                       ("limitations", "局限与说明 Limitations"), ("outputs", "本次输出")):
        assert f"<section id='{sid}'><h2>{title}" in page, sid
        assert f"<a href='#{sid}'>" in page


def test_charts_when_their_tables_exist(page):
    charts = re.findall(r"data-chart='(\w+)'", page)
    assert charts == ["capacity", "supply_curve", "sink_by_class", "sink_by_year", "forest_trend"]
    assert page.count("<svg") == 5
    # ids of the inline SVGs are prefixed per chart, so no two charts share one
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_targets_and_summary(plan, page):
    for tid in plan.targets["target_id"]:
        assert f"data-target-id='{tid}'" in page
    assert "候选场址 Candidate sites" in page and "未测算 not computed" in page
    assert "年碳汇量 Carbon sink (tCO2/yr)" in page and "1,050" in page  # sum of the sink ledger


def test_tables_and_factors(plan, page):
    assert "供给曲线 Supply curve" in page and "平准化度电成本<br><span class='en'>LCOE</span>" in page
    assert "Mystery numbers" in page  # an unknown table is still shown
    assert "装机密度 Capacity density" in page
    assert "IPCC 2006 GL AFOLU Vol.4 Ch.4 Table 4.9" in page  # factor table with its source
    factors = page[page.index("<section id='assumptions'>"):page.index("<section id='provenance'>")]
    assert "碳汇因子 Sink factors" in factors and "Mystery numbers" not in factors
    assert plan.densities["source"].iloc[0][:40] in page


def test_provenance_and_limitations(plan, page):
    assert sha256_of(plan.workflow.path) in page
    assert "matplotlib" in page and "Package versions" in page
    assert "test data" in page  # region credits
    assert render(ENGINE_NOTE) in page and "illustrative" in page
    assert "<code>test_run_sites.csv</code>" in page


def test_long_tables_are_cut_with_a_pointer_to_the_csv():
    import pandas as pd

    df = pd.DataFrame({"site_id": [f"s{i}" for i in range(12)], "capacity_mw": range(12)})
    html = table_html(df, max_rows=5, csv_name="x_sites.csv")
    assert html.count("<tr>") == 6 and "Showing 5 of 12 rows" in html and "x_sites.csv" in html
    assert "场址编号<br><span class='en'>Site ID</span>" in html


def test_data_status_leads_before_any_verdict(page):
    status = page.index("data-role='data-status'")
    assert status < page.index("<nav>") < page.index("class='status status-")  # before the first badge
    assert "数据状况 Data status" in page


def test_top_sites_and_all_of_them_in_the_csv(plan, page):
    from binhai_geo.deliverables.report import TOP_SITES

    section = page[page.index("<section id='sites'>"):page.index("<section id='tables'>")]
    shown = section.count("<tr>") - 1  # the heading row
    assert shown == min(TOP_SITES, len(plan.sites))
    assert f"{len(plan.sites):,} sites" in section and "_sites.csv" in section
    largest = plan.sites.sort_values("capacity_mw", ascending=False)["site_id"].iloc[0]
    assert section.index(largest) < section.index("</tr>", section.index("<tbody>"))  # largest first


def test_print_stylesheet_a4_with_landscape_tables(page):
    assert "@page { size: A4 portrait" in page and "@page wide { size: A4 landscape" in page
    assert ".wrap.wide { page: wide; }" in page
    assert "<div class='wrap wide'>" in page  # the wide sites table goes on a landscape page


def test_years_read_without_thousands_separators():
    """A calendar year (a year column, or a factor row whose unit is "year") is not shown as "2,013"."""
    import pandas as pd

    params = pd.DataFrame({"parameter": ["earliest_start_year", "min_parcel_area_m2"], "value": [2013.0, 4000.0],
                           "low": [2013.0, 4000.0], "high": [2013.0, 6670.0], "unit": ["year", "m2"]})
    html = table_html(params)
    assert "<td class='num'>2013</td>" in html and "2,013" not in html
    assert "<td class='num'>4,000</td>" in html and "6,670" in html  # other quantities keep separators
    ledger = table_html(pd.DataFrame({"start_year": [2019.0, float("nan")], "capacity_mw": [2019.0, 50.0]}))
    assert "<td class='num'>2019</td>" in ledger and "2,019" in ledger  # the year, then a capacity


def test_column_labels_file_is_bilingual_and_does_not_shadow_the_registry():
    import csv
    from importlib import resources

    from binhai_geo.deliverables.registry import COLUMN_LABELS_FILE, COLUMNS, column

    text = resources.files("binhai_geo.deliverables").joinpath("data/column_labels.csv").read_text(encoding="utf-8")
    names = [r["name"] for r in csv.DictReader(text.splitlines())]
    assert len(names) == len(set(names)) == len(COLUMN_LABELS_FILE)
    for name, col in COLUMN_LABELS_FILE.items():
        assert re.search(r"[\u4e00-\u9fff]", col.zh) and col.en, name
        assert column(name) is COLUMNS[name]
    assert column("ws_at_max_cp_mps").label == "最大Cp对应风速 Wind speed at max. Cp (m/s)"
