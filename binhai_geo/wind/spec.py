"""The ``[wind]`` table of a workflow file: the wind engine (resource, turbine, layout, losses).

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, field_validator

from binhai_geo.layermodel import implausible
from binhai_geo.specbase import Strict, check_known_keys

#: Roughness classes of the wind engine (rows of ``binhai_geo/data/wind_roughness.csv``).
SURFACES = ("sea", "tidal_flat", "land")

#: Wake models offered (PyWake literature models).
WAKE_MODELS = ("niayifar_gaussian", "bastankhah_gaussian", "jensen")

#: Layer kinds that can hold wind sites.
WIND_KINDS = ("offshore_zone", "tidal_flat", "breakwater")


def _default_surfaces() -> dict[str, str]:
    return {"offshore_zone": "sea", "tidal_flat": "tidal_flat", "breakwater": "land"}


class WindSpec(Strict):
    """The ``[wind]`` table of a workflow file (all keys optional).

    See ``workflows/README.md`` (section ``[wind]``) for what each key means.
    """

    enabled: bool = Field(True, description="run the wind step in a plan")
    resource: str = Field(
        "default",
        description="'default' (labelled region default, an assumption), or a path: ERA5 netCDF (u100, v100), "
        "a Global Wind Atlas GeoTIFF folder or file, or a CSV shaped like binhai_geo/data/wind_resource.csv",
    )
    resource_region: str = Field("binhai", description="region label of the default resource and wind rose")
    resource_height_m: float | None = Field(None, gt=0, description="height of GeoTIFF Weibull layers if the "
                                            "file names do not say (e.g. '_100m')")
    wind_rose: list[float] | None = Field(None, description="sector frequencies (from N, clockwise), sum 1")
    surface: dict[str, Literal["sea", "tidal_flat", "land"]] = Field(default_factory=_default_surfaces)
    turbine: dict[str, str] = Field(default_factory=dict,
                                    description="layer kind -> windpowerlib library type or power-curve CSV path "
                                    "(default: binhai_geo/data/wind_turbine_defaults.csv)")
    hub_height_m: dict[str, float] = Field(default_factory=dict, description="layer kind -> hub height [m] "
                                           "(default: wind_turbine_defaults.csv)")
    turbines: str | None = Field(None, description="given turbine positions: a point layer of kind 'turbine' "
                                 "(turbine_type, hub_height_m, farm); zones holding them are not laid out again")
    turbines_layer: str | None = Field(None, description="layer name inside the turbines file")
    turbine_curves: dict[str, str] = Field(default_factory=dict, description="turbine type name used in the "
                                           "turbines layer -> power-curve CSV path")
    wake_model: Literal["niayifar_gaussian", "bastankhah_gaussian", "jensen"] = "niayifar_gaussian"
    wakes: bool = Field(True, description="compute wake losses with PyWake (False: wake loss 0, said in notes)")
    parameters: dict[str, float] = Field(default_factory=dict,
                                         description="overrides of binhai_geo/data/wind_parameters.csv")
    losses: dict[str, float] = Field(default_factory=dict,
                                     description="overrides of wind_losses.csv keyed 'loss.surface'")
    roughness_m: dict[str, float] = Field(default_factory=dict, description="overrides of wind_roughness.csv")

    @field_validator("wind_rose")
    @classmethod
    def _rose(cls, v: list[float] | None) -> list[float] | None:
        if v is None:
            return v
        if len(v) < 4:
            raise ValueError(f"wind_rose needs at least 4 sector frequencies (12 usual), got {len(v)}")
        if any(x < 0 or not math.isfinite(x) for x in v):
            raise ValueError("wind_rose frequencies must be finite and >= 0")
        if abs(sum(v) - 1.0) > 0.01:
            raise ValueError(f"wind_rose frequencies must sum to 1 (got {sum(v):.3f})")
        return v

    @field_validator("surface", "turbine", "hub_height_m")
    @classmethod
    def _kinds(cls, v: dict) -> dict:
        check_known_keys(v, WIND_KINDS, "a wind layer kind")
        return v

    @field_validator("hub_height_m")
    @classmethod
    def _hubs(cls, v: dict[str, float]) -> dict[str, float]:
        for key, h in v.items():
            if not (h > 0 and math.isfinite(h)):
                raise ValueError(f"hub_height_m.{key} = {h}: a hub height is a positive number of metres")
            why = implausible("hub_height_m", h, f"hub_height_m.{key}")
            if why:
                raise ValueError(why)
        return v

    @field_validator("losses", "roughness_m", "parameters")
    @classmethod
    def _nonneg(cls, v: dict[str, float]) -> dict[str, float]:
        for key, x in v.items():
            if not (x >= 0 and math.isfinite(x)):
                raise ValueError(f"'{key}' = {x}: must be a finite number >= 0")
        return v
