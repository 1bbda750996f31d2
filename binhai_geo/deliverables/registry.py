"""Known names of the deliverables: themes, layer styles, engine geo layers, tables and columns.

The atlas, the print maps and the report draw whatever a plan run holds, generically: every layer
kind, every geo layer and every table of the engine steps. This registry only adds what a name
alone cannot say: the theme a layer belongs to, its bilingual title and style, the columns shown
in its popup, the chart drawn from a table. A geo layer or table that is not listed here is still
drawn (theme "other", grey) and tabulated; adding a name is one entry below (a column label: one line of
``deliverables/data/column_labels.csv``). tests/test_plan_binhai.py checks that every table and column the
default plan's report shows has a bilingual label, so none falls back to its bare name.

Styles are Leaflet path options (``color``, ``weight``, ``fillColor``, ``fillOpacity``, ``dashArray``,
``radius``); the print maps translate the same dicts to matplotlib, so the web atlas and the printed
maps look alike.

Only the standard library is imported here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

#: Themes in the order of the layer control, the legend and the print maps: (key, 中文, English).
THEMES: tuple[tuple[str, str, str], ...] = (
    ("basemap", "底图", "Base map"),
    ("energy", "能源", "Energy"),
    ("sinks", "碳汇", "Carbon sinks"),
    ("ecology", "生态保护", "Ecology"),
    ("constraints", "限制因素", "Constraints"),
    ("projects", "项目与电网", "Projects and grid"),
    ("targets", "目标与分区", "Targets by sub-district"),
    ("other", "其他", "Other"),
)

THEME_LABELS: dict[str, tuple[str, str]] = {k: (zh, en) for k, zh, en in THEMES}

#: Which themes each print map shows on top of the base map (the print map of a theme is titled by it).
PRINT_THEMES: dict[str, tuple[str, ...]] = {
    "energy": ("energy", "projects"),
    "sinks": ("sinks",),
    "ecology": ("ecology", "sinks"),
    "constraints": ("constraints", "energy"),
    "targets": ("targets",),
}


def poly(color: str, fill: str, opacity: float, weight: float = 1.0, **extra: Any) -> dict[str, Any]:
    """Return a Leaflet polygon style."""
    return {"color": color, "weight": weight, "fillColor": fill, "fillOpacity": opacity, **extra}


def line(color: str, weight: float, **extra: Any) -> dict[str, Any]:
    """Return a Leaflet line style."""
    return {"color": color, "weight": weight, "fill": False, **extra}


def point(color: str, fill: str, radius: float) -> dict[str, Any]:
    """Return a Leaflet circle-marker style."""
    return {"color": color, "weight": 1.5, "fillColor": fill, "fillOpacity": 0.95, "radius": radius}


@dataclass(frozen=True)
class Variant:
    """A per-feature style override selected by a field value, with its legend label (中文, English)."""

    field: str
    value: Any
    style: dict[str, Any]
    label: tuple[str, str]


@dataclass(frozen=True)
class KindStyle:
    """How a layer kind is drawn: theme, Leaflet pane and path style, value-dependent variants."""

    theme: str
    pane: str
    style: dict[str, Any]
    variants: tuple[Variant, ...] = ()


#: Drawing rules for every layer kind of :mod:`binhai_geo.layermodel`, in layer-control order.
KIND_STYLES: dict[str, KindStyle] = {
    "land": KindStyle("basemap", "bhg-base", poly("#c2b99f", "#f5f2e9", 1.0, 0.6)),
    "sea_area": KindStyle("basemap", "bhg-base", poly("#86b6d3", "#9cc5de", 0.35, 0.5)),
    "boundary": KindStyle("basemap", "bhg-outline", line("#1f1f1f", 2.2)),
    "subdistrict": KindStyle("basemap", "bhg-outline", line("#6d6d6d", 1.0, dashArray="4 3")),
    "coastline": KindStyle(
        "basemap",
        "bhg-outline",
        line("#546e7a", 1.6),
        (Variant("natural", True, {"color": "#2e7d32", "weight": 2.4}, ("自然岸线", "Natural shoreline")),),
    ),
    "salt_pan": KindStyle("energy", "bhg-energy", poly("#8e5bb0", "#d7b8ea", 0.55)),
    "fish_pond": KindStyle("energy", "bhg-energy", poly("#2a8c8c", "#8fd0c8", 0.6)),
    "offshore_zone": KindStyle("energy", "bhg-energy", poly("#1565c0", "#1565c0", 0.12, 1.5, dashArray="6 4")),
    "tidal_flat": KindStyle("energy", "bhg-energy", poly("#a08a4c", "#e6d7a3", 0.65, 0.8)),
    "breakwater": KindStyle("energy", "bhg-energy", line("#5d4037", 3.0)),
    "rooftop": KindStyle("energy", "bhg-energy", poly("#e65100", "#ffb74d", 0.8, 0.6)),
    "wetland": KindStyle("sinks", "bhg-ecology", poly("#4c9a50", "#8bc98e", 0.5, 0.8)),
    "forest": KindStyle("sinks", "bhg-ecology", poly("#1b5e20", "#388e3c", 0.6, 0.8)),
    "protected_area": KindStyle("ecology", "bhg-ecology", poly("#00695c", "#4db6ac", 0.12, 2.0, dashArray="5 4")),
    "exclusion": KindStyle(
        "constraints", "bhg-constraints", poly("#c62828", "#e57373", 0.25, 1.2, dashArray="4 3", radius=5)
    ),
    "substation": KindStyle("projects", "bhg-points", point("#4a148c", "#ab47bc", 5)),
    "turbine": KindStyle("energy", "bhg-points", point("#0d47a1", "#64b5f6", 4)),
    "project": KindStyle("projects", "bhg-points", {**point("#880e4f", "#ec407a", 6), "fillOpacity": 0.8}),
}

#: Style of a layer kind without an entry above (a kind added to the layer model later).
FALLBACK_KIND_STYLE = KindStyle("other", "bhg-constraints", poly("#555555", "#9e9e9e", 0.3, radius=5))

#: Candidate-site layers by technology: (technology, 中文, English, style).
SITE_LAYERS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("pv", "光伏场址", "PV sites", poly("#c77800", "#fbc02d", 0.55, 1.5, radius=6)),
    ("wind", "风电场址", "Wind sites", poly("#0d47a1", "#42a5f5", 0.5, 1.5, radius=6)),
    ("none", "其他候选场址", "Other candidate sites", poly("#616161", "#bdbdbd", 0.5, 1.2, radius=5)),
)

TECH_LABELS = {"pv": "光伏 PV", "wind": "风电 Wind", "storage": "储能 Storage", "none": "无 None"}


@dataclass(frozen=True)
class GeoLayer:
    """How an engine's geo layer (``StepResult.geo[name]``) is drawn.

    Attributes
    ----------
    theme : str
        Key of :data:`THEMES`.
    zh, en : str
        Layer title.
    style : dict
        Leaflet path options.
    fields : tuple of str
        Columns shown in the popup, in order (labels from :data:`COLUMNS`); those missing from the
        layer are skipped. Empty: every non-geometry column.
    variants : tuple of Variant
        Style by a field's value (for example gain or loss).
    show : bool
        Whether the layer is switched on when the atlas opens.
    """

    theme: str
    zh: str
    en: str
    style: dict[str, Any]
    fields: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    show: bool = True

    @property
    def label(self) -> str:
        """Bilingual title, Chinese first."""
        return f"{self.zh} {self.en}"


#: Coded values shown bilingually in the atlas' popups, by column (the layer files keep the codes).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "layout": {"given": "给定机位 Given positions", "laid out": "按规则布置 Laid out by rule",
               "registry laid": "登记风电场，按规则布置 Registry farm, laid by rule"},
}

#: Engine geo layers with a known meaning. One line adds a name.
GEO_LAYERS: dict[str, GeoLayer] = {
    "eligible_areas": GeoLayer(
        "energy", "可开发区域", "Eligible areas", poly("#2e7d32", "#a5d6a7", 0.35, 0.8),
        ("site_id", "technology", "layer_kind", "area_km2", "capacity_mw"),
        (Variant("technology", "wind", poly("#0d47a1", "#90caf9", 0.35, 0.8), ("风电可开发", "Eligible for wind")),),
    ),
    "turbines": GeoLayer(
        "energy", "风机", "Wind turbines", point("#0d47a1", "#ffffff", 3.5),
        ("farm", "layout", "turbine_type", "hub_height_m", "capacity_mw", "energy_mwh_per_yr", "wake_loss_pct",
         "site_id", "turbine_id", "capacity_factor", "source", "layout_rule"),
        (Variant("layout", VALUE_LABELS["layout"]["registry laid"], point("#546e7a", "#cfd8dc", 3.0),
                 ("已建/在建风电场(按规则布置)", "Existing farm (laid by rule)")),),
    ),
    "excluded_areas": GeoLayer(
        "constraints", "已扣除区域", "Excluded areas", poly("#b71c1c", "#ef9a9a", 0.35, 0.6, dashArray="3 2"),
        ("technology", "reason", "layer_kind", "area_km2"),
        (Variant("technology", "wind", poly("#4a148c", "#ce93d8", 0.35, 0.6, dashArray="3 2"),
                 ("风电扣除", "Excluded for wind")),),
    ),
    "forest_change": GeoLayer(
        "sinks", "林地变化", "Forest change", poly("#1b5e20", "#66bb6a", 0.7, 0.6),
        ("change", "change_zh", "year_from", "year_to", "area_km2", "tco2_per_yr"),
        (Variant("change", "loss", poly("#b71c1c", "#e57373", 0.7, 0.6), ("林地减少", "Forest loss")),),
    ),
    "afforestation_sites": GeoLayer(
        "sinks", "造林候选地", "Afforestation candidates", poly("#33691e", "#c5e1a5", 0.6, 0.8, dashArray="2 2"),
        ("site_id", "area_km2", "tco2_per_yr", "species"),
    ),
    "sink_areas": GeoLayer(
        "sinks", "碳汇分类", "Sink classes", poly("#00695c", "#80cbc4", 0.5, 0.6),
        ("class", "sink_class", "area_km2", "tco2_per_yr"),
    ),
    "wind_zones": GeoLayer(
        "energy", "风电分区", "Wind zones", poly("#01579b", "#81d4fa", 0.2, 1.0, dashArray="8 4"),
        ("zone_id", "name", "mean_wind_speed_m_per_s", "capacity_mw"),
    ),
}

#: Style of an engine geo layer without an entry above.
FALLBACK_GEO_STYLE = poly("#546e7a", "#b0bec5", 0.35, 1.0, radius=4)


@dataclass(frozen=True)
class TableEntry:
    """How an engine table (``StepResult.tables[name]``) appears in the report.

    ``chart`` names a chart of :mod:`binhai_geo.deliverables.charts` drawn from it; ``section`` is
    ``results`` or ``factors`` (assumption tables with their sources); ``map_values`` are the columns
    mapped per sub-district when the table has a ``subdistrict`` column (empty: every numeric column).
    """

    zh: str
    en: str
    chart: str | None = None
    section: str = "results"
    map_values: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Bilingual title, Chinese first."""
        return f"{self.zh} {self.en}"


#: Engine tables with a known meaning. One line adds a name.
TABLES: dict[str, TableEntry] = {
    "supply_curve": TableEntry("供给曲线", "Supply curve", chart="supply_curve"),
    "conformance": TableEntry("规划符合性（按目标与分区）", "Conformance by target and sub-district",
                              map_values=("counted", "eligible_potential_mw")),
    "carbon_ledger": TableEntry("碳账本", "Carbon ledger"),
    "sink_ledger": TableEntry("碳汇核算", "Carbon-sink ledger", chart="sink_by_class"),
    "sink_by_year": TableEntry("逐年碳汇", "Carbon sink by year", chart="sink_by_year"),
    "forest_cover_by_year": TableEntry("逐年森林覆盖率", "Forest cover by year", chart="forest_trend",
                                       map_values=("forest_cover_pct",)),
    "sink_overlaps": TableEntry("碳汇重叠去重", "Sink overlaps counted once"),
    "sink_factors_used": TableEntry("碳汇因子（本次使用）", "Sink factors used", section="factors"),
    "pv_archetypes": TableEntry("光伏典型系统", "PV archetypes"),
    "wind_zones": TableEntry("风电分区", "Wind zones"),
    "afforestation_scenario": TableEntry("造林情景", "Afforestation scenario"),
    "sink_credits_by_year": TableEntry("毛碳汇与可核证减排量（逐年）",
                                       "Gross biomass sink and creditable reductions by year"),
    "sink_credit_eligibility": TableEntry("林分造林碳汇资格", "Forest stands eligible for afforestation credits"),
    "sink_credit_parameters_used": TableEntry("造林碳汇方法学参数", "Afforestation-credit parameters used",
                                              section="factors"),
    "lcoe_factors": TableEntry("平准化度电成本参数", "LCOE factors", section="factors"),
    "sink_factors": TableEntry("碳汇因子", "Sink factors", section="factors"),
    "pv_summary": TableEntry("光伏汇总（按用地与典型系统）", "PV summary by surface and archetype"),
    "pv_losses": TableEntry("光伏损失分解", "PV loss breakdown"),
    "weather_summary": TableEntry("气象数据汇总", "Weather summary"),
    "wind_curve_check": TableEntry("风机功率曲线检查", "Wind power-curve check"),
    "wind_existing_farms": TableEntry("已建风电场", "Existing wind farms"),
    "capacity_ledger": TableEntry("装机台账", "Capacity ledger"),
    "ledger_summary": TableEntry("装机台账汇总", "Capacity ledger summary"),
    "exclusion_summary": TableEntry("扣除区域汇总", "Exclusion summary"),
    "eligibility_rules": TableEntry("可开发性规则", "Eligibility rules", section="factors"),
    "wind_assumptions": TableEntry("风电假设", "Wind assumptions", section="factors"),
    "data_status": TableEntry("数据状态", "Data status"),
}


@dataclass(frozen=True)
class Column:
    """Bilingual label and unit of a column."""

    zh: str
    en: str
    unit: str = ""

    @property
    def label(self) -> str:
        """``中文 English (unit)``."""
        text = f"{self.zh} {self.en}".strip()
        return f"{text} ({self.unit})" if self.unit else text


#: Labels of columns that tables, sites and geo layers carry. Unknown columns get a unit from their suffix.
COLUMNS: dict[str, Column] = {
    "site_id": Column("场址编号", "Site ID"),
    "name": Column("名称", "Name"),
    "name_zh": Column("中文名称", "Chinese name"),
    "layer_kind": Column("用地类型", "Surface"),
    "technology": Column("技术", "Technology"),
    "area_km2": Column("面积", "Area", "km²"),
    "length_km": Column("长度", "Length", "km"),
    "capacity_mw": Column("装机容量", "Capacity", "MW"),
    "cumulative_mw": Column("累计装机", "Cumulative capacity", "MW"),
    "energy_mwh_per_yr": Column("年发电量", "Annual energy", "MWh/yr"),
    "specific_yield_kwh_per_kwp": Column("单位容量年发电量", "Specific yield", "kWh/kWp"),
    "capacity_factor": Column("容量系数", "Capacity factor", "PV: AC/DC kWp; wind: AC/rated"),
    "full_load_hours": Column("利用小时数", "Full-load hours", "h/yr"),
    "capacity_density": Column("装机密度", "Capacity density"),
    "capacity_density_unit": Column("装机密度单位", "Density unit"),
    "lcoe_cny_per_mwh": Column("平准化度电成本", "LCOE", "CNY/MWh"),
    "turbines": Column("风机台数", "Turbines"),
    "turbine_id": Column("风机编号", "Turbine ID"),
    "turbine_type": Column("风机型号", "Turbine type"),
    "hub_height_m": Column("轮毂高度", "Hub height", "m"),
    "wake_loss_pct": Column("尾流损失", "Wake loss", "%"),
    "wake_loss_without_existing_pct": Column("尾流损失(不计已建风电场)", "Wake loss without existing farms", "%"),
    "farm": Column("风电场", "Wind farm"),
    "layout": Column("机位来源", "Layout source"),
    "layout_rule": Column("布置规则", "Layout rule"),
    "reason": Column("原因", "Reason"),
    "change": Column("变化", "Change"),
    "change_zh": Column("变化（中文）", "Change (Chinese)"),
    "year_from": Column("起始年", "From year"),
    "year_to": Column("终止年", "To year"),
    "class": Column("类别", "Class"),
    "sink_class": Column("碳汇类别", "Sink class"),
    "tco2_per_yr": Column("年碳汇量", "Carbon sink", "tCO2/yr"),
    "tco2_per_yr_low": Column("年碳汇量下限", "Sink, low", "tCO2/yr"),
    "tco2_per_yr_high": Column("年碳汇量上限", "Sink, high", "tCO2/yr"),
    "year": Column("年份", "Year"),
    "subdistrict": Column("分区", "Sub-district"),
    "forest_cover_pct": Column("森林覆盖率", "Forest cover", "%"),
    "forest_cover_pct_official": Column("森林覆盖率(官方陆域面积)", "Forest cover (official land area)", "%"),
    "land_km2_official": Column("官方陆域面积", "Official land area", "km²"),
    "target_id": Column("目标", "Target"),
    "description": Column("说明", "Description"),
    "description_zh": Column("中文说明", "Description (Chinese)"),
    "required": Column("要求", "Required"),
    "computed": Column("测算", "Computed"),
    "gap": Column("差距", "Gap"),
    "status": Column("状态", "Status"),
    "basis": Column("依据", "Basis"),
    "comparison": Column("比较", "Comparison"),
    "unit": Column("单位", "Unit"),
    "value": Column("取值", "Value"),
    "low": Column("下限", "Low"),
    "high": Column("上限", "High"),
    "source": Column("来源", "Source"),
    "notes": Column("备注", "Notes"),
    "surface": Column("用地", "Surface"),
    "overlap_removed_km2": Column("扣除重叠", "Overlap removed", "km²"),
    "count": Column("要素数", "Features"),
    "counted": Column("已计入", "Counted"),
    "eligible_potential_mw": Column("可开发潜力", "Eligible potential", "MW"),
    "built_mw": Column("已投产", "Installed", "MW"),
    "committed_mw": Column("在建(按期)", "Committed", "MW"),
    "pipeline_mw": Column("储备", "Pipeline", "MW"),
    "area": Column("区域", "Area"),
    "area_zh": Column("区域（中文）", "Area (Chinese)"),
    "candidate_area_km2": Column("候选面积", "Candidate area", "km²"),
    "candidate_length_km": Column("候选长度", "Candidate length", "km"),
    "candidate_capacity_mw": Column("候选装机", "Candidate capacity", "MW"),
    "eligible_share": Column("可开发比例", "Eligible share"),
    "gross_energy_mwh_per_yr": Column("毛发电量（尾流前）", "Gross energy (before wakes)", "MWh/yr"),
    "net_energy_mwh_per_yr": Column("净发电量", "Net energy", "MWh/yr"),
    "grid_distance_km": Column("并网距离", "Grid distance", "km"),
    "submarine_km": Column("海缆长度", "Submarine cable", "km"),
    "substation": Column("接入变电站", "Substation"),
    "substation_voltage_kv": Column("变电站电压", "Substation voltage", "kV"),
    "required_voltage_kv": Column("所需接入电压", "Required voltage", "kV"),
    "grid_cost_cny": Column("并网费用", "Grid connection cost", "CNY"),
    "capex_cny": Column("总投资", "Capex", "CNY"),
    "annual_cost_cny_per_yr": Column("年费用", "Annual cost", "CNY/yr"),
    "avoided_tco2_per_yr": Column("减排量", "Avoided CO2", "tCO2/yr"),
    "sink_lost_tco2_per_yr": Column("碳汇损失", "Sink lost", "tCO2/yr"),
    "net_tco2_per_yr": Column("净减排量", "Net CO2 benefit", "tCO2/yr"),
    "protected_overlap_km2": Column("与保护地重叠", "Protected-area overlap", "km²"),
    "rank": Column("排序", "Rank"),
    "occupied_mw": Column("已有项目占用", "Occupied by ledger projects", "MW"),
    "available_mw": Column("可新增", "Available", "MW"),
    "cumulative_available_mw": Column("累计可新增", "Cumulative available", "MW"),
    "rated_mw": Column("单机容量", "Rated power", "MW"),
    "surplus": Column("超出", "Surplus"),
    "required_mw": Column("要求", "Required", "MW"),
}


def _column_labels_csv() -> dict[str, Column]:
    """Read the further column labels of ``deliverables/data/column_labels.csv`` (name, zh, en, unit)."""
    text = resources.files("binhai_geo.deliverables").joinpath("data/column_labels.csv").read_text(encoding="utf-8")
    return {r["name"]: Column(r["zh"], r["en"], r["unit"] or "") for r in csv.DictReader(io.StringIO(text))}


#: Labels of the further columns the engines' tables carry (one line each in ``data/column_labels.csv``); an
#: entry above wins over a line of the file.
COLUMN_LABELS_FILE: dict[str, Column] = _column_labels_csv()
COLUMNS.update({k: v for k, v in COLUMN_LABELS_FILE.items() if k not in COLUMNS})

#: Columns shown in a planner's units in popups and report tables: column -> (factor, unit shown).
#: 亿元 = 1e8 CNY; 万吨 = 1e4 t.
DISPLAY_UNITS: dict[str, tuple[float, str]] = {
    "energy_mwh_per_yr": (1e-3, "GWh/年 GWh/yr"),
    "gross_energy_mwh_per_yr": (1e-3, "GWh/年 GWh/yr"),
    "net_energy_mwh_per_yr": (1e-3, "GWh/年 GWh/yr"),
    "capex_cny": (1e-8, "亿元 100 M CNY"),
    "grid_cost_cny": (1e-8, "亿元 100 M CNY"),
    "annual_cost_cny_per_yr": (1e-8, "亿元/年 100 M CNY/yr"),
    "avoided_tco2_per_yr": (1e-4, "万吨CO2/年 10 kt/yr"),
    "sink_lost_tco2_per_yr": (1e-4, "万吨CO2/年 10 kt/yr"),
    "net_tco2_per_yr": (1e-4, "万吨CO2/年 10 kt/yr"),
}


def display_label(name: str) -> str:
    """``中文 English (unit)`` of a column, in its display unit when :data:`DISPLAY_UNITS` has one."""
    col = column(name)
    if name in DISPLAY_UNITS:
        return f"{f'{col.zh} {col.en}'.strip()} ({DISPLAY_UNITS[name][1]})"
    return col.label


#: A site popup: these lines first (when the site has them), then the groups under "details".
SITE_POPUP_MAIN: tuple[str, ...] = (
    "name_zh", "name", "site_id", "technology", "layer_kind", "capacity_mw", "energy_mwh_per_yr",
    "lcoe_cny_per_mwh", "capex_cny",
)
SITE_POPUP_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("发电 Yield", ("specific_yield_kwh_per_kwp", "capacity_factor", "turbines", "turbine_type", "wake_loss_pct",
                  "gross_energy_mwh_per_yr")),
    ("用地 Land", ("area_km2", "length_km", "capacity_density", "candidate_area_km2", "candidate_length_km",
                 "candidate_capacity_mw", "eligible_share", "protected_overlap_km2")),
    ("并网 Grid", ("grid_distance_km", "submarine_km", "substation", "substation_voltage_kv", "required_voltage_kv",
                 "grid_cost_cny")),
    ("碳 Carbon", ("avoided_tco2_per_yr", "sink_lost_tco2_per_yr", "net_tco2_per_yr")),
)
#: Group of a site column listed nowhere above.
SITE_POPUP_OTHER = "其他 Other"

#: Units read from the end of a column name (longest first).
UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_tco2_per_yr", "tCO2/yr"),
    ("_mwh_per_yr", "MWh/yr"),
    ("_cny_per_mwh", "CNY/MWh"),
    ("_kwh_per_kwp", "kWh/kWp"),
    ("_m_per_s", "m/s"),
    ("_km2", "km²"),
    ("_mwh", "MWh"),
    ("_mw", "MW"),
    ("_gw", "GW"),
    ("_km", "km"),
    ("_kv", "kV"),
    ("_pct", "%"),
    ("_ha", "ha"),
    ("_m", "m"),
)


def column(name: str) -> Column:
    """Return the label of column ``name`` (registry entry, else the name with its unit from the suffix)."""
    if name in COLUMNS:
        return COLUMNS[name]
    for suffix, unit in UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return Column("", name[: -len(suffix)].replace("_", " "), unit)
    return Column("", name.replace("_", " "))


#: Dashboard order of the plan's headline targets (others follow in table order).
DASHBOARD_FIRST: tuple[str, ...] = (
    "pv_capacity", "wind_capacity", "renewable_capacity", "renewable_share", "storage_capacity",
    "forest_cover", "forest_cover_2030", "protected_area_share", "natural_shoreline", "rooftop_pv_new_buildings",
)

@dataclass(frozen=True)
class TargetStatus:
    """How a verdict of the target check is shown: CSS class suffix, badge text (中文, English), colour."""

    css: str
    zh: str
    en: str
    color: str

    @property
    def label(self) -> str:
        """Badge text, Chinese first."""
        return f"{self.zh} {self.en}"


#: Verdicts of the target check, as the atlas, the report and the print maps show them. ``indicative``: the
#: verdict rests on illustrative or assumed data (sample layers, a stand-in weather year, an assumed wind
#: resource) and is drawn hatched.
TARGET_STATUSES: dict[str, TargetStatus] = {
    "met": TargetStatus("met", "达标", "met", "#2e7d32"),
    "on track": TargetStatus("on-track", "有望达标", "on track", "#689f38"),
    "short": TargetStatus("short", "未达标", "short", "#c62828"),
    "indicative": TargetStatus("indicative", "示意", "indicative", "#a1660a"),
    "not computed": TargetStatus("not-computed", "未测算", "not computed", "#8a8a8a"),
}


def target_status(value: object) -> TargetStatus:
    """Return how verdict ``value`` is shown (``on_track``, ``On track`` and ``on track`` alike).

    An unknown or empty verdict is shown as not computed, with its own English text.
    """
    key = str(value if value is not None else "").strip().lower().replace("_", " ")
    if key in TARGET_STATUSES:
        return TARGET_STATUSES[key]
    nc = TARGET_STATUSES["not computed"]
    return TargetStatus(nc.css, nc.zh if key in ("", "nan", "none") else "", key or nc.en, nc.color)


#: Target units as displayed.
UNIT_DISPLAY = {"percent": "%", "t_per_day": "t/d", "count": "", "m2": "m²"}


def table_entry(name: str) -> TableEntry:
    """Return the report entry of table ``name`` (registry entry, else a title from the name)."""
    return TABLES.get(name, TableEntry("", name.replace("_", " ").capitalize()))


def geo_entry(name: str) -> GeoLayer:
    """Return the drawing rule of geo layer ``name`` (registry entry, else grey in theme "other")."""
    return GEO_LAYERS.get(name, GeoLayer("other", "", name.replace("_", " ").capitalize(), FALLBACK_GEO_STYLE))
