"""The layer model: every layer kind the plan needs, declared once.

A *layer kind* says what geometry a layer holds, which attribute fields it must and may carry (with
units, allowed values and ranges) and its Chinese and English names. Readers and validators
(:mod:`binhai_geo.validate`), the region pack, the map legend and the 三调 land-survey mapping
(:mod:`binhai_geo.landsurvey`) all use these declarations; nothing else lists fields.

Field names carry their unit where they have one (``capacity_mw``, ``voltage_kv``, ``accuracy_m``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

#: Geometry families. A layer of family "polygon" may hold Polygon and MultiPolygon features, etc.
GEOMETRY_FAMILIES: dict[str, frozenset[str]] = {
    "polygon": frozenset({"Polygon", "MultiPolygon"}),
    "line": frozenset({"LineString", "MultiLineString"}),
    "point": frozenset({"Point", "MultiPoint"}),
}


@dataclass(frozen=True)
class FieldSpec:
    """One attribute field of a layer kind.

    Parameters
    ----------
    name : str
        Canonical field name (ASCII, unit suffix where it has a unit).
    dtype : {"str", "float", "int", "bool"}
        Value type.
    required : bool
        Whether every feature must carry a value.
    unit : str
        Unit of the value ("" for none).
    zh, en : str
        Chinese and English label (legends, popups, reports).
    allowed : tuple of str, optional
        Allowed values for a categorical field.
    min, max : float, optional
        Inclusive value range for a numeric field.
    aliases : tuple of str
        Other names the field is accepted under (for example Chinese field names of land-survey data).
    plausible : str, optional
        The quantity of the plausibility table (:func:`implausible`) the values are checked against.
    """

    name: str
    dtype: str
    required: bool = False
    unit: str = ""
    zh: str = ""
    en: str = ""
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    aliases: tuple[str, ...] = ()
    plausible: str | None = None


@dataclass(frozen=True)
class LayerKind:
    """A layer kind: geometry family, fields and names.

    Parameters
    ----------
    name : str
        Kind identifier (also the default GeoPackage layer name in a region pack).
    geometry : {"polygon", "line", "point"} or tuple of them
        Accepted geometry families.
    zh, en : str
        Chinese and English name.
    fields : tuple of FieldSpec
        Kind-specific fields (the common fields are added by :func:`fields_of`).
    description : str
        What the layer holds.
    """

    name: str
    geometry: tuple[str, ...]
    zh: str
    en: str
    fields: tuple[FieldSpec, ...] = ()
    description: str = ""

    @property
    def geometry_types(self) -> frozenset[str]:
        """Shapely geometry type names a layer of this kind may hold."""
        out: set[str] = set()
        for fam in self.geometry:
            out |= GEOMETRY_FAMILIES[fam]
        return frozenset(out)

    @property
    def label(self) -> str:
        """Bilingual label, Chinese first: ``盐田 Salt pan``."""
        return f"{self.zh} {self.en}"

    def field(self, name: str) -> FieldSpec:
        """Return the field spec called ``name`` (common fields included)."""
        for f in fields_of(self):
            if f.name == name:
                return f
        raise KeyError(f"layer kind '{self.name}' has no field '{name}'")


#: Fields every layer kind may carry.
COMMON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "str", zh="名称", en="Name", aliases=("名称", "NAME")),
    FieldSpec("name_zh", "str", zh="中文名称", en="Chinese name"),
    FieldSpec("source", "str", zh="来源", en="Source", aliases=("来源", "数据来源")),
    FieldSpec("accuracy_m", "float", unit="m", zh="位置精度", en="Positional accuracy", min=0.0),
)

BUILDING_CLASSES = ("public_institution", "factory", "commercial", "residential", "other")
WETLAND_TYPES = (
    "salt_marsh",
    "reed_marsh",
    "tidal_flat",
    "open_water",
    "seagrass",
    "oyster_reef",
    "mariculture",
    "other",
)
FOREST_TYPES = ("tree_forest", "bamboo", "designated_shrub", "other_shrub", "other")
#: Forest types counted by China's forest coverage rate (乔木林地, 竹林地, 国家特别规定灌木林地).
FOREST_COVER_TYPES = ("tree_forest", "bamboo", "designated_shrub")
#: Minimum canopy cover for tree forest to count as forest (郁闭度 >= 0.2).
FOREST_MIN_CANOPY = 0.2
EXCLUSION_REASONS = (
    "ecological_red_line",
    "shipping_lane",
    "port",
    "anchorage",
    "airport",
    "pipeline",
    "cable",
    "military",
    "residential",
    "other",
)
PROJECT_TECHNOLOGIES = ("pv", "wind", "storage", "coal", "gas", "oil", "nuclear", "hydro", "biomass", "waste",
                        "geothermal", "other")
#: Global Energy Monitor's status scale, then the pack's former values (mapped onto it by the ledger).
PROJECT_STATUSES = ("operating", "construction", "pre-construction", "announced", "shelved", "cancelled", "retired",
                    "built", "under_construction", "pipeline", "planned")

_KINDS: tuple[LayerKind, ...] = (
    LayerKind(
        "boundary",
        ("polygon",),
        "行政边界",
        "District boundary",
        (FieldSpec("name", "str", required=True, zh="名称", en="Name", aliases=("名称",)),),
        "The district's land boundary (陆域).",
    ),
    LayerKind(
        "subdistrict",
        ("polygon",),
        "功能区/街镇",
        "Sub-district",
        (FieldSpec("name", "str", required=True, zh="名称", en="Name", aliases=("名称",)),),
        "Development zones and towns, for per-sub-district summaries.",
    ),
    LayerKind("land", ("polygon",), "陆地", "Land", (), "Land polygon (from the coastline source)."),
    LayerKind("sea_area", ("polygon",), "海域", "Sea area", (), "Sea within the region's extent."),
    LayerKind(
        "coastline",
        ("line",),
        "岸线",
        "Coastline",
        (FieldSpec("natural", "bool", required=True, zh="自然岸线", en="Natural shoreline"),),
        "Shoreline; `natural` marks natural shoreline (自然岸线) by the region pack's stated rule.",
    ),
    LayerKind(
        "salt_pan",
        ("polygon",),
        "盐田",
        "Salt pan",
        (FieldSpec("operator", "str", zh="经营单位", en="Operator"),),
        "Salt fields (盐田), candidate surface for salt-pan PV (盐光互补).",
    ),
    LayerKind(
        "fish_pond",
        ("polygon",),
        "养殖坑塘",
        "Fish pond",
        (FieldSpec("pond_type", "str", zh="坑塘类型", en="Pond type"),),
        "Aquaculture ponds, candidate surface for fishery PV (渔光互补).",
    ),
    LayerKind(
        "offshore_zone",
        ("polygon",),
        "海上开发区",
        "Offshore zone",
        (
            FieldSpec(
                "allowed_use",
                "str",
                required=True,
                zh="允许用途",
                en="Allowed use",
                allowed=("pv", "wind", "both"),
            ),
            FieldSpec("water_depth_m", "float", unit="m", zh="水深", en="Water depth", min=0.0),
        ),
        "Sea zones open to offshore PV (海上光伏) and/or offshore wind (海上风电).",
    ),
    LayerKind(
        "tidal_flat",
        ("polygon",),
        "沿海滩涂",
        "Tidal flat",
        (),
        "Intertidal flats (沿海滩涂), exploratory wind sites (滩涂风电).",
    ),
    LayerKind(
        "breakwater",
        ("line",),
        "防波堤",
        "Breakwater",
        (),
        "Breakwaters and jetties, exploratory wind sites (防波堤风电).",
    ),
    LayerKind(
        "turbine",
        ("point",),
        "风机机位",
        "Wind turbine",
        (
            FieldSpec("turbine_type", "str", required=True, zh="机型", en="Turbine type",
                      aliases=("机型", "type")),
            FieldSpec("hub_height_m", "float", required=True, unit="m", zh="轮毂高度", en="Hub height",
                      min=10.0, max=300.0, aliases=("轮毂高度", "hub_height")),
            FieldSpec("farm", "str", zh="风电场", en="Wind farm", aliases=("风电场", "项目名称")),
        ),
        "Given turbine positions of existing, consented or designed wind farms (已建或设计风机机位).",
    ),
    LayerKind(
        "rooftop",
        ("polygon",),
        "建筑屋顶",
        "Rooftop",
        (
            FieldSpec(
                "building_class",
                "str",
                required=True,
                zh="建筑类别",
                en="Building class",
                allowed=BUILDING_CLASSES,
            ),
            FieldSpec("new_build", "bool", required=True, zh="新建", en="New build"),
            FieldSpec(
                "roof_type", "str", required=True, zh="屋顶类型", en="Roof type", allowed=("flat", "pitched")
            ),
            FieldSpec("height_m", "float", unit="m", zh="建筑高度", en="Building height", min=0.0),
            FieldSpec("pv_installed", "bool", zh="已装光伏", en="PV installed"),
        ),
        "Building footprints (屋顶分布式光伏).",
    ),
    LayerKind(
        "wetland",
        ("polygon",),
        "湿地",
        "Wetland",
        (
            FieldSpec(
                "wetland_type", "str", required=True, zh="湿地类型", en="Wetland type", allowed=WETLAND_TYPES
            ),
        ),
        "Wetlands by type (salt marsh, reed marsh, tidal flat, open water, oyster reef, ...).",
    ),
    LayerKind(
        "forest",
        ("polygon",),
        "林地",
        "Forest",
        (
            FieldSpec(
                "forest_type", "str", required=True, zh="林地类型", en="Forest type", allowed=FOREST_TYPES
            ),
            FieldSpec(
                "canopy_cover",
                "float",
                required=True,
                zh="郁闭度",
                en="Canopy cover",
                min=0.0,
                max=1.0,
                aliases=("郁闭度",),
            ),
            FieldSpec("year_planted", "int", zh="造林年份", en="Year planted", min=1900, max=2100),
            FieldSpec("species", "str", zh="树种", en="Species (forest sink class, e.g. fraxinus)", aliases=("树种",)),
            FieldSpec("planting_density_per_ha", "float", unit="trees/ha", zh="造林密度", en="Planting density",
                      min=100.0, max=20000.0, aliases=("造林密度",)),
        ),
        "Forest and shrubland patches.",
    ),
    LayerKind(
        "protected_area",
        ("polygon",),
        "自然保护地",
        "Protected area",
        (
            FieldSpec("category", "str", required=True, zh="保护地类别", en="Category"),
            FieldSpec(
                "zone",
                "str",
                required=True,
                zh="功能分区",
                en="Zone",
                allowed=("core", "buffer", "experimental", "general"),
            ),
        ),
        "Nature reserves, wetland parks, marine parks (自然保护地) and their zones.",
    ),
    LayerKind(
        "exclusion",
        ("polygon", "line", "point"),
        "限制区",
        "Exclusion zone",
        (
            FieldSpec(
                "reason", "str", required=True, zh="限制原因", en="Reason", allowed=EXCLUSION_REASONS
            ),
            FieldSpec("buffer_m", "float", unit="m", zh="缓冲距离", en="Buffer", min=0.0),
        ),
        "Areas where development is excluded: ecological red line, shipping lanes, airport, pipelines, ...",
    ),
    LayerKind(
        "substation",
        ("point",),
        "变电站",
        "Substation",
        (
            FieldSpec(
                "voltage_kv", "float", required=True, unit="kV", zh="电压等级", en="Voltage", min=0.0
            ),
        ),
        "Grid substations.",
    ),
    LayerKind(
        "project",
        ("point", "polygon"),
        "项目",
        "Project",
        (
            FieldSpec("name", "str", required=True, zh="项目名称", en="Project name", aliases=("项目名称",)),
            FieldSpec(
                "technology",
                "str",
                required=True,
                zh="技术类型",
                en="Technology",
                allowed=PROJECT_TECHNOLOGIES,
            ),
            FieldSpec("capacity_mw", "float", required=True, unit="MW", zh="装机容量", en="Capacity", min=0.0,
                      plausible="capacity_mw"),
            FieldSpec(
                "status", "str", required=True, zh="状态", en="Status", allowed=PROJECT_STATUSES
            ),
            FieldSpec("record_id", "str", zh="记录编号", en="Record id"),
            FieldSpec("start_year", "int", zh="投产(预计)年份", en="Start year", min=1950, max=2100),
            FieldSpec("retired_year", "int", zh="退役年份", en="Retired year", min=1950, max=2100),
            FieldSpec("year", "int", zh="投产年份(旧字段)", en="Year (former field: start year)", min=1950, max=2100),
            FieldSpec("owner", "str", zh="业主", en="Owner"),
            FieldSpec("location_accuracy", "str", zh="位置精度说明", en="Location accuracy"),
            FieldSpec("as_of", "str", zh="数据日期", en="Data as of"),
            FieldSpec("dataset", "str", zh="数据集", en="Dataset"),
            FieldSpec("plan_project", "str", zh="对应规划项目", en="Plan project"),
            FieldSpec("surface", "str", zh="场址类型", en="Surface"),
            FieldSpec("energy_mwh", "float", unit="MWh", zh="储能容量", en="Storage energy", min=0.0),
        ),
        "The capacity ledger's records: registry plants (GEM, GPPD), a planner's as-built list and the plan's "
        "named projects (重点项目), each with status on GEM's scale and start year.",
    ),
)

LAYER_KINDS: dict[str, LayerKind] = {k.name: k for k in _KINDS}


def fields_of(kind: LayerKind) -> tuple[FieldSpec, ...]:
    """Return all fields of ``kind``: its own fields, then the common ones it does not redefine."""
    own = {f.name for f in kind.fields}
    return kind.fields + tuple(f for f in COMMON_FIELDS if f.name not in own)


def get_kind(name: str) -> LayerKind:
    """Return the layer kind called ``name``.

    Raises
    ------
    KeyError
        With the list of known kinds, when ``name`` is not one of them.
    """
    try:
        return LAYER_KINDS[name]
    except KeyError:
        known = ", ".join(sorted(LAYER_KINDS))
        raise KeyError(f"unknown layer kind '{name}'; known kinds: {known}") from None


#: The packaged table of plausibility bounds (quantity, unit, low, high, mix_ups, source).
PLAUSIBILITY_TABLE = "plausibility_bounds.csv"


@dataclass(frozen=True)
class Bound:
    """The plausible range of one quantity a user supplies, and the unit mix-ups that land outside it.

    Parameters
    ----------
    quantity : str
        Name (with its unit, e.g. ``capacity_mw``).
    unit : str
        The unit expected.
    low, high : float
        Inclusive plausible range [unit].
    mix_ups : tuple of (str, float)
        ``(other unit, factor)``: a value given in the other unit times ``factor`` is the value in ``unit``.
    source : str
        Where the range comes from.
    """

    quantity: str
    unit: str
    low: float
    high: float
    mix_ups: tuple[tuple[str, float], ...]
    source: str


def plausibility_bounds(path: str | None = None) -> dict[str, Bound]:
    """Read the plausibility table (default: ``binhai_geo/data/plausibility_bounds.csv``), by quantity."""
    p = path or str(resources.files("binhai_geo") / "data" / PLAUSIBILITY_TABLE)
    out = {}
    with open(p, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            mix = tuple((u.rsplit(":", 1)[0].strip(), float(u.rsplit(":", 1)[1]))
                        for u in row["mix_ups"].split(";") if u.strip())
            out[row["quantity"]] = Bound(row["quantity"], row["unit"], float(row["low"]), float(row["high"]), mix,
                                         row["source"])
    return out


_BOUNDS: dict[str, Bound] = {}


def bound(quantity: str) -> Bound:
    """Return the plausibility bound of ``quantity`` (from the packaged table)."""
    if not _BOUNDS:
        _BOUNDS.update(plausibility_bounds())
    return _BOUNDS[quantity]


def implausible(quantity: str, values: object, label: str | None = None) -> str | None:
    """Say what is wrong when any of ``values`` lies outside the plausible range of ``quantity``.

    Parameters
    ----------
    quantity : str
        A quantity of the plausibility table (e.g. ``capacity_mw``, ``hub_height_m``).
    values : float or array-like
        Values in the table's unit (NaN is ignored).
    label : str, optional
        What the values are, for the message (default: ``quantity``).

    Returns
    -------
    str or None
        None when every value is plausible; otherwise a message with the first implausible value, the
        plausible range and, when one brings every value into the range, the likely unit mix-up and the
        value it would give (e.g. "5.21e+06 MW ... looks like kW (千瓦): that would be 5210 MW").
    """
    b = bound(quantity)
    v = np.atleast_1d(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    bad = (v < b.low) | (v > b.high)
    if not bad.any():
        return None
    first = float(v[bad][0])
    text = (f"{label or quantity} {first:.6g} {b.unit} is implausible (plausible {b.low:g} to {b.high:g} {b.unit}"
            f"{'' if bad.sum() == 1 else f'; {int(bad.sum())} values outside'})")
    for unit, factor in b.mix_ups:
        w = v * factor
        if ((w >= b.low) & (w <= b.high)).all():
            return text + f": it looks like {unit}; that would be {first * factor:.6g} {b.unit}"
    return text
