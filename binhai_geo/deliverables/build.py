"""Compute every deliverable of a plan run in memory, then write them atomically.

:func:`build_deliverables` renders the atlas (and its basemap variants), the print maps and the
report from a :class:`~binhai_geo.result.PlanResult` without writing anything;
:meth:`Deliverables.write` writes each file atomically. The runner calls both (everything is
computed before anything is written), as do the ``map`` and ``report`` commands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from binhai_geo.atomic import write_text_atomic, write_with
from binhai_geo.deliverables.notes import render_all
from binhai_geo.result import PlanResult

log = logging.getLogger("binhai_geo.deliverables")

#: The parts :func:`build_deliverables` can build.
PARTS = ("atlas", "print", "report")


@dataclass
class Deliverables:
    """Rendered deliverables: output role -> (file name, content), messages for the user, the run's notes as text."""

    files: dict[str, tuple[str, str | bytes]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    font: str | None = None
    notes: list[str] = field(default_factory=list)

    def write(self, out_dir: Path) -> dict[str, Path]:
        """Write every file into ``out_dir`` atomically; return the paths by role."""
        out: dict[str, Path] = {}
        for role, (name, content) in self.files.items():
            path = Path(out_dir) / name
            if isinstance(content, bytes):
                out[role] = write_with(path, lambda tmp, data=content: tmp.write_bytes(data))
            else:
                out[role] = write_text_atomic(path, content)
        return out


def build_deliverables(
    result: PlanResult,
    *,
    inputs: Sequence[Path] = (),
    parts: Sequence[str] | None = None,
    listed: Sequence[str] = (),
) -> Deliverables:
    """Render the deliverables of a plan run (nothing is written).

    Parameters
    ----------
    result : PlanResult
        The computed plan.
    inputs : sequence of pathlib.Path
        Files the run read (the report lists them with their SHA-256).
    parts : sequence of str, optional
        Any of :data:`PARTS`; default: what the workflow asks for (``[outputs] map``,
        ``[deliverables] print_maps`` and ``report``).
    listed : sequence of str
        File names of the run's other outputs, listed in the report.

    Returns
    -------
    Deliverables
        Roles ``map_html`` (and ``map_tianditu_html``, ``map_amap_html``), ``print_<theme>_<png|pdf>``,
        ``report_html``; messages (a basemap skipped for want of a key, print maps not drawn for want
        of a Chinese font), also logged as warnings.
    """
    from binhai_geo.deliverables.atlas import atlas_pages, choropleths_of, overlays_of
    from binhai_geo.deliverables.fonts import NO_FONT_HINT, cjk_font

    wf = result.workflow
    spec = wf.spec.deliverables
    if parts is None:
        parts = [p for p, on in zip(PARTS, (wf.spec.outputs.map, spec.print_maps, spec.report), strict=True) if on]
    out = Deliverables(notes=render_all(result.notes))
    if "atlas" in parts:
        pages = atlas_pages(result)
        out.files.update({role: page for role, page in pages.pages.items()})
        out.messages.extend(pages.messages)
    font = None
    if "print" in parts or "report" in parts:
        font = cjk_font(wf.resolve(spec.font_file) if spec.font_file else None)
        out.font = f"{font.family} ({font.origin}: {font.path})" if font else None
    if "print" in parts:
        if font is None:
            out.messages.append(f"印刷地图未生成：未找到中文字体。Print maps not drawn: no font with Chinese glyphs; "
                                f"{NO_FONT_HINT}.")
        else:
            from binhai_geo.deliverables.printmaps import print_maps

            maps = print_maps(result, font, overlays=overlays_of(result.geo), choropleths=choropleths_of(result),
                              themes=spec.print_themes, formats=spec.print_formats, dpi=spec.print_dpi,
                              paper=spec.paper)
            for pm in maps:
                for fmt, data in pm.files.items():
                    out.files[f"print_{pm.theme}_{fmt}"] = (f"{wf.prefix}_map_{pm.theme}.{fmt}", data)
    if "report" in parts:
        from binhai_geo.deliverables.report import build_report

        names = [*listed, *(name for name, _ in out.files.values())]
        out.files["report_html"] = (f"{wf.prefix}_report.html",
                                    build_report(result, inputs=inputs, font=font, outputs=names))
    for msg in out.messages:
        log.warning(msg)
    return out
