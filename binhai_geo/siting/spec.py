"""The ``[eligibility]`` table of a workflow file: exclusion rules per technology, grid connection and costs.

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).

Example (TOML)::

    [eligibility]
    mode = "auto"            # "vector" (exact), "raster" (grid of resolution_m), "auto"
    resolution_m = 10.0
    min_area_km2 = { pv = 0.05, wind = 0.5, rooftop = 0.0 }

    [[eligibility.rules]]
    technologies = ["pv"]
    layer = "protected_area"
    where = { zone = ["core", "buffer"] }
    reason = "nature reserve core and buffer zones"
    reason_zh = "自然保护区核心区和缓冲区"
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from binhai_geo.layermodel import LAYER_KINDS
from binhai_geo.specbase import Strict, check_override_keys

TECHNOLOGIES = ("pv", "wind")
#: Class schemes of land-cover rasters a rule may name (codes listed in binhai_geo.siting.exclusions).
RASTER_CLASSES = ("worldcover", "clcd", "custom")


class ExclusionRule(Strict):
    """One exclusion rule: a layer kind (optionally filtered) or a class raster, with a buffer.

    Exactly one of ``layer`` or ``raster`` is given. ``buffer_m`` omitted means: the feature's own
    ``buffer_m`` field where the layer has one (the ``exclusion`` kind), else 0.
    """

    technologies: list[Literal["pv", "wind"]] = Field(min_length=1)
    layer: str | None = Field(None, description="layer kind whose features exclude")
    where: dict[str, list[str | float | int | bool]] = Field(
        default_factory=dict, description="keep only features whose field takes one of the values"
    )
    raster: str | None = Field(None, description="class raster (GeoTIFF), relative to the workflow file")
    classes: Literal["worldcover", "clcd", "custom"] | None = Field(
        None, description="class scheme of the raster; 'custom' accepts any code"
    )
    codes: list[int] = Field(default_factory=list, description="raster class codes that exclude")
    buffer_m: float | None = Field(None, ge=0, description="buffer [m] around each feature or class cell")
    invert: bool = Field(False, description="exclude everything OUTSIDE the features (keep only inside)")
    reason: str = Field(min_length=1)
    reason_zh: str = ""

    @field_validator("layer")
    @classmethod
    def _kind(cls, v: str | None) -> str | None:
        if v is not None and v not in LAYER_KINDS:
            raise ValueError(f"'{v}' is not a layer kind; known: {', '.join(sorted(LAYER_KINDS))}")
        return v

    @model_validator(mode="after")
    def _one_source(self) -> ExclusionRule:
        if (self.layer is None) == (self.raster is None):
            raise ValueError(f"rule '{self.reason}': give exactly one of 'layer' or 'raster'")
        if self.raster is not None:
            if not self.codes:
                raise ValueError(f"rule '{self.reason}': a raster rule needs 'codes' (class codes that exclude)")
            if self.classes is None:
                raise ValueError(f"rule '{self.reason}': a raster rule needs 'classes' "
                                 f"(one of {', '.join(RASTER_CLASSES)})")
            if self.where:
                raise ValueError(f"rule '{self.reason}': 'where' applies to layers, not rasters")
        elif self.codes or self.classes:
            raise ValueError(f"rule '{self.reason}': 'codes' and 'classes' apply to rasters, not layers")
        return self


class EmissionFactorSpec(Strict):
    """A grid emission factor override with its source."""

    tco2_per_mwh: float = Field(gt=0)
    source: str = Field(min_length=1)


class EligibilitySpec(Strict):
    """The ``[eligibility]`` table of a workflow file (all keys optional)."""

    mode: Literal["auto", "vector", "raster"] = Field(
        "auto", description="exact vector overlay, raster grid, or auto (vector for small jobs)"
    )
    resolution_m: float = Field(10.0, gt=0, description="raster cell size [m] (raster mode)")
    max_memory_gb: float = Field(3.0, gt=0, description="refuse a raster run estimated above this [GB]")
    auto_vector_max_vertices: int = Field(
        200_000, gt=0, description="auto mode: vector when exclusion + site vertices are at most this"
    )
    crs: str | None = Field(None, description="CRS of the exclusion grid; default: the region's analysis CRS")
    min_area_km2: dict[str, float] = Field(
        default_factory=dict,
        description="minimum contiguous eligible area [km2], keyed by technology or surface kind (kind wins)",
    )
    rules: list[ExclusionRule] = Field(default_factory=list)
    project_match_m: float = Field(
        5000.0, ge=0, description="a built/pipeline project point this close [m] to a site occupies it"
    )
    costs_file: str | None = Field(None, description="CSV replacing binhai_geo/data/costs.csv")
    costs: dict[str, float] = Field(
        default_factory=dict, description="overrides keyed 'item.technology.surface' (e.g. 'capex.pv.salt_pan')"
    )
    grid_voltage_file: str | None = Field(None, description="CSV replacing binhai_geo/data/grid_voltage.csv")
    emission_factor: EmissionFactorSpec | None = Field(
        None, description="grid emission factor override; default: MEE 2022 North China grid"
    )
    chart: bool = Field(True, description="draw the supply-curve chart (PNG) in `binhai-geo site`")

    @field_validator("min_area_km2")
    @classmethod
    def _min_area(cls, v: dict[str, float]) -> dict[str, float]:
        for key, value in v.items():
            if key not in TECHNOLOGIES and key not in LAYER_KINDS:
                raise ValueError(f"min_area_km2 key '{key}' is neither a technology (pv, wind) nor a layer kind")
            if value < 0:
                raise ValueError(f"min_area_km2 '{key}' = {value} is negative")
        return v

    @field_validator("costs")
    @classmethod
    def _cost_keys(cls, v: dict[str, float]) -> dict[str, float]:
        return check_override_keys(v, "item.technology.surface", "capex.pv.salt_pan",
                                   note="'*' for any technology or surface")
