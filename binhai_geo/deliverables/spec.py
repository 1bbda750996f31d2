"""The ``[deliverables]`` table of a workflow file: atlas, basemaps, print maps and report.

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
The atlas itself is switched by ``[outputs] map``; this table refines it and adds the other deliverables.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from binhai_geo.specbase import Strict

#: Optional online basemaps (each written as its own HTML file beside the offline atlas).
BASEMAPS = ("tianditu_vector", "tianditu_imagery", "amap_vector", "amap_imagery")

#: Themes of the atlas and the print maps, in order.
THEME_KEYS = ("energy", "sinks", "ecology", "constraints", "targets")


class DeliverablesSpec(Strict):
    """The ``[deliverables]`` table of a workflow file (all keys optional)."""

    basemaps: list[Literal["tianditu_vector", "tianditu_imagery", "amap_vector", "amap_imagery"]] = Field(
        default_factory=list,
        description="online Chinese basemaps, never required: Tianditu maps are written to <prefix>_tianditu.html "
        "(needs a key), AMap maps to <prefix>_amap.html with the data shifted into GCJ-02",
    )
    tianditu_key: str | None = Field(
        None, description="Tianditu browser key (天地图 tk); prefer the environment variable named by tianditu_key_env"
    )
    tianditu_key_env: str = Field("TIANDITU_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    print_maps: bool = Field(True, description="write static print maps (PNG and PDF) per theme")
    print_formats: list[Literal["png", "pdf"]] = Field(default_factory=lambda: ["png", "pdf"])
    print_themes: list[Literal["energy", "sinks", "ecology", "constraints", "targets"]] | None = Field(
        None, description="themes to print (default: every theme that has something to show)"
    )
    print_dpi: int = Field(150, ge=72, le=600)
    paper: Literal["A4", "A3"] = "A4"
    report: bool = Field(True, description="write the HTML report <prefix>_report.html")
    font_file: str | None = Field(
        None, description="a font with Simplified Chinese glyphs for print maps and charts (path, relative to the "
        "workflow file); default: Noto Sans CJK SC from the mplfonts package, else an installed system font"
    )
    detail_max_features: int = Field(
        3000, ge=1, description="a layer with more features is drawn aggregated on a grid, with detail at high zoom"
    )
    grid_cell_m: float = Field(1000.0, gt=0, description="cell size of the aggregation grid [m]")
    detail_min_zoom: int = Field(14, ge=1, le=19, description="zoom level from which aggregated layers show detail")

    @field_validator("basemaps", "print_formats")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))
