"""Text that fits its box on a print map: wrapping by display width and measured stacking.

A line of mixed Chinese and English is as wide as its glyphs, not as its character count: a CJK
ideograph (East Asian width ``W`` or ``F``, Unicode Standard Annex #11, read with
:func:`unicodedata.east_asian_width`) takes about two Latin columns. :func:`wrap_display` wraps on
that count, breaking between words and between ideographs. :func:`fit_text` then measures the text
as matplotlib renders it (the figure renderer's extents) and re-wraps narrower until it fits the
width, so a font whose Latin glyphs are wider than half an ideograph cannot push text off the page;
:func:`fit_block` also shrinks the font and, only as a last resort, truncates with an ellipsis and
"see report" so that stacked blocks never overlap.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["display_width", "fit_block", "fit_text", "text_height", "wrap_display"]

#: Closing punctuation kept on the line of the character before it (no line starts with it).
_CLOSING = set("，。；：、！？）》」』】,.;:!?)]}")
#: Appended to a block truncated to fit its box.
TRUNCATED = " …（详见报告 see report）"
#: Width of a Latin column as a fraction of the font size: the first guess that :func:`fit_text` corrects.
_COLUMN_EM = 0.5


def display_width(text: str) -> int:
    """Return the width of ``text`` in display columns: 2 for a wide or full-width character, else 1."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _tokens(text: str) -> list[str]:
    """Split into breakable units: runs of narrow non-space characters, single wide characters, spaces."""
    out: list[str] = []
    for c in text:
        wide = unicodedata.east_asian_width(c) in ("W", "F")
        if c in _CLOSING and out and not out[-1].isspace():
            out[-1] += c
        elif c.isspace():
            out.append(" ")
        elif wide or not out or out[-1].isspace() or _is_wide(out[-1][-1]):
            out.append(c)
        else:
            out[-1] += c
    return out


def _is_wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in ("W", "F")


def wrap_display(text: str, width: int) -> str:
    """Wrap ``text`` to lines of at most ``width`` display columns (see :func:`display_width`).

    Breaks at spaces and between wide characters; a word longer than a line is cut. Explicit newlines
    are kept.

    Parameters
    ----------
    text : str
        The text, Chinese, English or both.
    width : int
        Columns per line (>= 2).

    Returns
    -------
    str
        The lines joined by newlines.
    """
    width = max(int(width), 2)
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0
        for tok in _tokens(para):
            if tok == " ":
                if line:
                    line, used = line + " ", used + 1
                continue
            tw = display_width(tok)
            if used + tw > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
            while tw > width:  # a word longer than a line: cut it
                cut, cw = 0, 0
                while cw + display_width(tok[cut]) <= width:
                    cw += display_width(tok[cut])
                    cut += 1
                lines.append(tok[:cut])
                tok, tw = tok[cut:], display_width(tok[cut:])
            line, used = line + tok, used + tw
        lines.append(line.rstrip())
    return "\n".join(lines)


def text_height(fig: Any, artist: Any) -> float:
    """Return the rendered height of a text artist as a fraction of the figure's height."""
    return artist.get_window_extent(fig.canvas.get_renderer()).height / fig.bbox.height


def fit_text(fig: Any, x: float, y: float, text: str, width: float, fontsize: float, **kw: Any) -> Any:
    """Place ``text`` at (``x``, ``y``) (figure fraction), wrapped so its rendered width is at most ``width``.

    The first wrap guesses a Latin column as half the font size; the text is then measured with the
    figure's renderer and wrapped narrower until it fits.

    Returns
    -------
    matplotlib.text.Text
        The placed text.
    """
    renderer = fig.canvas.get_renderer()
    avail = width * fig.bbox.width
    cols = max(int(width * fig.get_figwidth() * 72 / (fontsize * _COLUMN_EM)), 8)
    while True:
        artist = fig.text(x, y, wrap_display(text, cols), fontsize=fontsize, **kw)
        w = artist.get_window_extent(renderer).width
        if w <= avail or cols <= 8:
            return artist
        artist.remove()
        cols = max(min(cols - 1, int(cols * avail / w)), 8)


def fit_block(fig: Any, x: float, top: float, bottom: float, text: str, width: float, sizes: Sequence[float],
              truncate: bool = True, **kw: Any) -> Any:
    """Place ``text`` in the box from ``top`` down to ``bottom`` (figure fraction), ``width`` wide.

    Tries each font size of ``sizes`` (largest first); when the smallest still does not fit and
    ``truncate`` is true, cuts the text at a word and appends :data:`TRUNCATED`. When ``truncate`` is
    false the text is kept whole at the smallest size even if taller than the box.

    Returns
    -------
    matplotlib.text.Text
        The placed text (``va="top"``).
    """
    room = top - bottom
    artist = None
    for size in sizes:
        if artist is not None:
            artist.remove()
        artist = fit_text(fig, x, top, text, width, size, va="top", **kw)
        if text_height(fig, artist) <= room:
            return artist
    if not truncate:
        return artist
    words = text.split(" ")
    keep = len(words)
    while keep > 1 and text_height(fig, artist) > room:
        artist.remove()
        keep = max(1, min(keep - 1, int(keep * 0.9)))
        artist = fit_text(fig, x, top, " ".join(words[:keep]).rstrip(" ,;，；") + TRUNCATED, width, sizes[-1],
                          va="top", **kw)
    return artist
