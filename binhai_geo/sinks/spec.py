"""The ``[sinks]`` table of a workflow file: carbon-sink accounting, forest-cover years and scenarios.

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from binhai_geo.layermodel import implausible
from binhai_geo.specbase import Strict, check_override_keys


def _year_keys(v: dict[str, str]) -> dict[str, str]:
    for key in v:
        if not (key.isdigit() and 1900 <= int(key) <= 2100):
            raise ValueError(f"key '{key}' is not a year; write \"2020\" = \"path\"")
    return v


class PlantingSpec(Strict):
    """One planned afforestation (an ``[[sinks.afforestation]]`` entry)."""

    name: str
    name_zh: str = ""
    area_mu: float | None = Field(None, gt=0, description="planted area [mu, 亩] (1 mu = 666.67 m2)")
    area_km2: float | None = Field(None, gt=0, description="planted area [km2]; give area_mu or area_km2")
    start_year: int = Field(ge=1900, le=2100)
    end_year: int = Field(ge=1900, le=2100, description="planting spread evenly over start_year..end_year")
    sink_class: str = Field("tree_forest", description="forest class of the sink-factor table (e.g. poplar)")
    counts_for_cover: bool = Field(True, description="counts towards forest cover once its canopy closes")
    source: str = Field("", description="where the plan figure comes from")

    @model_validator(mode="after")
    def _checks(self) -> PlantingSpec:
        if (self.area_mu is None) == (self.area_km2 is None):
            raise ValueError(f"planting '{self.name}': give exactly one of area_mu or area_km2")
        km2 = self.area_km2 if self.area_km2 is not None else self.area_mu * 666.667e-6  # 1 mu = 666.667 m2
        why = implausible("area_km2", km2, f"planting '{self.name}' area_km2")  # names mu/ha/m2 mix-ups
        if why:
            raise ValueError(why + ("" if self.area_km2 is not None else " (converted from area_mu)"))
        if self.end_year < self.start_year:
            raise ValueError(f"planting '{self.name}': end_year {self.end_year} is before start_year "
                             f"{self.start_year}")
        return self


class SinksSpec(Strict):
    """The ``[sinks]`` table of a workflow file (all keys optional)."""

    factors_file: str | None = Field(None, description="CSV replacing binhai_geo/data/sink_factors.csv")
    factors: dict[str, float] = Field(default_factory=dict,
                                      description="overrides of central values, keyed 'sink_class.quantity'")
    horizon_years: int = Field(20, ge=1, le=100, description="years projected after the workflow year")
    canopy_closure_age_yr: int = Field(5, ge=0, le=30,
                                       description="years after planting until a stand reaches canopy 0.2")
    change_from_year: int | None = Field(None, ge=1900, le=2100,
                                         description="first year of the forest gain/loss map (default year - 5)")
    landcover: dict[str, str] = Field(default_factory=dict,
                                      description="land-cover rasters by year, \"YEAR\" = \"path\"")
    landcover_scheme: Literal["worldcover", "clcd", "sandiao"] = "worldcover"
    landcover_mapping: str | None = Field(None, description="CSV replacing binhai_geo/data/landcover_classes.csv")
    forest_by_year: dict[str, str] = Field(default_factory=dict,
                                           description="forest layers by year (vector files), \"YEAR\" = \"path\"")
    afforestation: list[PlantingSpec] = Field(default_factory=list)
    credits_file: str | None = Field(None, description="CSV replacing binhai_geo/data/ccer_afforestation.csv")
    credits: dict[str, float] = Field(default_factory=dict,
                                      description="overrides of afforestation-credit parameters, keyed by parameter")
    unknown_stand_age_yr: int | None = Field(
        None, ge=0, le=200,
        description="age assumed, in the workflow year, for forest features without year_planted (e.g. 三调 data); "
        "unset: such features are an error",
    )

    @field_validator("landcover", "forest_by_year")
    @classmethod
    def _years(cls, v: dict[str, str]) -> dict[str, str]:
        return _year_keys(v)

    @field_validator("factors")
    @classmethod
    def _factors(cls, v: dict[str, float]) -> dict[str, float]:
        return check_override_keys(v, "sink_class.quantity", "salt_marsh.rate", nonnegative="sink factor")
