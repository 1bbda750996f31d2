"""The ``[solar]`` table of a workflow file: the solar yield engine (weather source, archetypes, losses).

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from binhai_geo.specbase import Strict, check_known_keys, check_override_keys

#: Layer kinds that can hold PV sites, and the archetype each gets by default.
DEFAULT_ARCHETYPES: dict[str, str] = {
    "salt_pan": "salt_pan_fixed",
    "fish_pond": "fishery",
    "offshore_zone": "offshore_pile",
}
#: Rooftops take their archetype from the roof type.
DEFAULT_ROOF_ARCHETYPES: dict[str, str] = {"flat": "rooftop_flat", "pitched": "rooftop_pitched"}
PV_KINDS = ("salt_pan", "fish_pond", "offshore_zone", "rooftop")


class SolarSpec(Strict):
    """The ``[solar]`` table of a workflow file (all keys optional)."""

    weather: str = Field(
        "default",
        description="'default' (a stand-in year built from the Tanggu climate normals) or a weather file: "
        "EPW (.epw), TMY3 (.csv), PVGIS TMY (.csv or .json) or ERA5 netCDF (.nc); relative to the workflow",
    )
    weather_seed: int = Field(2025, description="seed of the day-to-day variability of the default year")
    weather_year: int = Field(2025, ge=1900, le=2100, description="calendar year the default year is labelled with")
    weather_cell_deg: float = Field(0.25, gt=0, le=5, description="grid size of default-weather cells [deg]")
    archetypes: dict[str, str] = Field(
        default_factory=dict,
        description="archetype per surface, e.g. { offshore_zone = 'floating', salt_pan = 'salt_pan_bifacial' }; "
        "rooftops: keys 'rooftop_flat' and 'rooftop_pitched'",
    )
    archetype_file: str | None = Field(None, description="CSV replacing the packaged pv_archetypes.csv")
    overrides: dict[str, float | str] = Field(
        default_factory=dict,
        description="single archetype parameters, keyed 'archetype.parameter', e.g. 'salt_pan_fixed.tilt_deg' = 30",
    )
    rooftop_fraction_file: str | None = Field(None, description="CSV replacing the packaged rooftop_fractions.csv")

    def roof_archetypes(self) -> tuple[str, str]:
        """Return the archetype ids of flat and pitched roofs (the workflow's choice, else the defaults)."""
        return (self.archetypes.get("rooftop_flat", DEFAULT_ROOF_ARCHETYPES["flat"]),
                self.archetypes.get("rooftop_pitched", DEFAULT_ROOF_ARCHETYPES["pitched"]))

    @field_validator("archetypes")
    @classmethod
    def _surfaces(cls, v: dict[str, str]) -> dict[str, str]:
        check_known_keys(v, set(DEFAULT_ARCHETYPES) | {f"rooftop_{t}" for t in DEFAULT_ROOF_ARCHETYPES},
                         "a PV surface")
        return v

    @field_validator("overrides")
    @classmethod
    def _keys(cls, v: dict[str, float | str]) -> dict[str, float | str]:
        return check_override_keys(v, "archetype.parameter", "salt_pan_fixed.tilt_deg")
