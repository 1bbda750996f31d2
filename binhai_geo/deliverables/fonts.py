"""A font with Simplified-Chinese glyphs for the print maps and report charts (matplotlib).

matplotlib's own DejaVu fonts have no Chinese glyphs (labels would print as empty boxes). The font
is found in this order:

1. ``[deliverables] font_file`` of the workflow (any TrueType/OpenType font the user names);
2. Noto Sans CJK SC (SIL Open Font License) shipped in the PyPI package ``mplfonts``
   (``mplfonts/fonts/NotoSansCJKsc-Regular.otf``), so ``make plan`` renders Chinese on a fresh
   machine with nothing but the project's Python dependencies. Only the font file is used: the
   package is not imported (importing it would bring its command-line dependencies) and its
   ``mplfonts init`` (which rewrites the user's matplotlibrc) is never called;
3. a Simplified-Chinese font installed on the system and known to matplotlib (Debian's
   ``fonts-noto-cjk``, Source Han Sans, WenQuanYi, SimHei, Microsoft YaHei, PingFang).

When none is found, :func:`cjk_font` returns ``None`` and the callers say so (the print maps are
not drawn rather than drawn with boxes for every Chinese character).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from binhai_geo.errors import WorkflowError

#: Font files looked for inside the ``mplfonts`` package.
MPLFONTS_FILES = ("NotoSansCJKsc-Regular.otf",)

#: System font families with Simplified-Chinese glyphs, in order of preference.
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)

#: Characters a usable font must have (the district name, "forest", digits).
PROBE_TEXT = "滨海新区森林光伏风电0123"

#: Told to the user when no Chinese font is found.
NO_FONT_HINT = (
    "install the Python package mplfonts (pip install mplfonts; it ships Noto Sans CJK SC) or a system "
    "font with Chinese glyphs (Debian: apt-get install fonts-noto-cjk), or set [deliverables] font_file"
)


@dataclass(frozen=True)
class CjkFont:
    """A font file with Chinese glyphs and the family name matplotlib knows it by."""

    path: Path
    family: str
    origin: str


def _mplfonts_file() -> Path | None:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        for name in MPLFONTS_FILES:
            p = Path(base) / "fonts" / name
            if p.is_file():
                return p
    return None


def _has_glyphs(path: Path) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(str(path))
    except (OSError, RuntimeError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in PROBE_TEXT)


def _register(path: Path, origin: str) -> CjkFont:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    return CjkFont(path, family, origin)


def cjk_font(font_file: str | Path | None = None) -> CjkFont | None:
    """Return a font with Simplified-Chinese glyphs, registered with matplotlib (see the module docstring).

    Parameters
    ----------
    font_file : path-like, optional
        A font the user names (``[deliverables] font_file``, resolved by the caller).

    Returns
    -------
    CjkFont or None
        None when no font with Chinese glyphs is available.

    Raises
    ------
    WorkflowError
        When ``font_file`` is given but missing or has no Chinese glyphs.
    """
    if font_file is not None:
        p = Path(font_file)
        if not p.is_file():
            raise WorkflowError(f"font file '{p}' does not exist", field="deliverables.font_file",
                                hint="give a TrueType/OpenType font with Chinese glyphs, or remove the key")
        if not _has_glyphs(p):
            raise WorkflowError(f"font file '{p}' has no Simplified-Chinese glyphs", field="deliverables.font_file",
                                hint="give a CJK font such as Noto Sans CJK SC or Source Han Sans SC")
        return _register(p, "workflow font_file")
    packaged = _mplfonts_file()
    if packaged is not None and _has_glyphs(packaged):
        return _register(packaged, "Noto Sans CJK SC from the mplfonts package")
    from matplotlib import font_manager

    by_family: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        by_family.setdefault(entry.name, entry.fname)
    for family in SYSTEM_FAMILIES:
        fname = by_family.get(family)
        if fname and _has_glyphs(Path(fname)):
            return CjkFont(Path(fname), family, "system font")
    return None


def rc_params(font: CjkFont | None) -> dict[str, object]:
    """Return matplotlib rc settings that use ``font`` (DejaVu Sans behind it for other glyphs)."""
    families = [font.family, "DejaVu Sans"] if font else ["DejaVu Sans"]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": families,
        "axes.unicode_minus": False,
        # Type 3 (matplotlib's own subset of the glyphs used): embedding the 16 MB OpenType font as
        # Type 42 costs about 2 s per PDF; the text stays selectable and searchable either way.
        "pdf.fonttype": 3,
        "svg.fonttype": "path",
        "svg.hashsalt": "binhai_geo",
    }
