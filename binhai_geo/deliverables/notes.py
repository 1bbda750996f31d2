"""Render the engines' notes (:class:`binhai_geo.notes.Note`) in Chinese, English, or both on one line.

One template per code and language lives in ``binhai_geo/deliverables/data/notes.toml``: ``en`` (English),
``zh`` (Chinese) and ``both`` (the bilingual line every deliverable shows today: the report, the atlas, the
print maps and the manifest's ``simplifications``), all Python format strings over the note's parameters.
``both`` may also use ``{en}`` and ``{zh}`` (the rendered English and Chinese); without it the line is
``{en} ({zh}).``. A note never carries prose: this module is the only place that turns one into text.

Formatting beyond Python's format specifications (:class:`NoteFormatter`):

- ``{x:range.0f}``: a ``(low, high)`` pair as ``low-high``, or one number when both are equal;
- ``{xs:join}`` (``", "`` between items) or ``{xs:join=; }`` (the separator after ``=``): a sequence, each
  item rendered by itself (a nested note in the same language);
- ``{xs:head10}``: the first 10 items joined with ``", "``, then ``" ..."`` when there are more;
- a nested :class:`~binhai_geo.notes.Note` renders in the same language; ``None`` renders as nothing.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from binhai_geo.notes import Note

#: The languages a note renders in: English, Chinese, and the bilingual line of the deliverables.
LANGUAGES = ("en", "zh", "both")

#: The bilingual line when a template gives no ``both``.
DEFAULT_BOTH = "{en} ({zh})."


@cache
def templates() -> dict[str, dict[str, str]]:
    """Return the note templates by code: ``{"en": ..., "zh": ..., "both": ...}`` (``both`` filled in).

    Read once from the packaged ``deliverables/data/notes.toml``, whose nested tables spell the dotted code
    (``[solar.weather.stand_in]``).
    """
    text = resources.files("binhai_geo.deliverables").joinpath("data/notes.toml").read_text(encoding="utf-8")
    out: dict[str, dict[str, str]] = {}

    def walk(table: Mapping[str, Any], prefix: str) -> None:
        texts = {k: v for k, v in table.items() if isinstance(v, str)}
        if texts:
            out[prefix] = {"en": texts.get("en", ""), "zh": texts.get("zh", ""),
                           "both": texts.get("both", DEFAULT_BOTH)}
        for key, sub in table.items():
            if isinstance(sub, dict):
                walk(sub, f"{prefix}.{key}" if prefix else key)

    walk(tomllib.loads(text), "")
    return out


class NoteFormatter(string.Formatter):
    """:class:`string.Formatter` that renders nested notes, sequences (``join``) and ranges (``range``)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        """Format one field (see the module docstring for ``join``, ``range``, notes and ``None``)."""
        if value is None:
            return ""
        if isinstance(value, Note):
            return render(value, self.lang)
        if format_spec.startswith("join"):
            sep = format_spec[5:] if format_spec.startswith("join=") else ", "
            return sep.join(self.format_field(v, "") for v in value)
        if format_spec.startswith("head"):
            n = int(format_spec[4:])
            items = list(value)
            return ", ".join(self.format_field(v, "") for v in items[:n]) + (" ..." if len(items) > n else "")
        if format_spec.startswith("range"):
            low, high = value
            spec = format_spec[5:]
            if low == high:
                return format(low, spec)
            return f"{format(low, spec)}-{format(high, spec)}"
        return super().format_field(value, format_spec)


def render(note: Note | str, lang: str = "both") -> str:
    """Return one note as text.

    Parameters
    ----------
    note : Note or str
        The note (a plain string is returned as it is: deliverables' own sentences, such as the AMap
        basemap note, travel with the engines' notes).
    lang : {'en', 'zh', 'both'}
        English, Chinese, or the bilingual line the deliverables show.

    Raises
    ------
    KeyError
        A code without a template, or a parameter the template needs and the note lacks.
    ValueError
        An unknown language.
    """
    if isinstance(note, str):
        return note
    if lang not in LANGUAGES:
        raise ValueError(f"unknown note language {lang!r}; use one of {', '.join(LANGUAGES)}")
    try:
        tpl = templates()[note.code]
    except KeyError:
        raise KeyError(f"note code {note.code!r} has no template in binhai_geo/deliverables/data/notes.toml") from None
    params = dict(note.params)
    if lang != "both":
        return NoteFormatter(lang).vformat(tpl[lang], (), params)
    en = NoteFormatter("en").vformat(tpl["en"], (), params)
    zh = NoteFormatter("zh").vformat(tpl["zh"], (), params)
    return NoteFormatter("both").vformat(tpl["both"], (), {**params, "en": en, "zh": zh})


def render_all(notes: Iterable[Note | str], lang: str = "both") -> list[str]:
    """Return the notes as text, in order (:func:`render`)."""
    return [render(n, lang) for n in notes]


def placeholders(template: str) -> set[str]:
    """Return the parameter names a template uses (top-level field names, without ``en`` and ``zh``)."""
    names = {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}
    return names - {"en", "zh"}


def template_params(code: str) -> set[str]:
    """Return the parameter names the templates of one code use (English, Chinese and bilingual)."""
    tpl = templates()[code]
    return set().union(*(placeholders(tpl[lang]) for lang in LANGUAGES))


def codes_used(notes: Sequence[Note | str]) -> list[str]:
    """Return the codes of the notes (nested fragments included), in order of appearance."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Note):
            out.append(value.code)
            for v in value.params.values():
                walk(v)
        elif isinstance(value, tuple):
            for v in value:
                walk(v)

    for n in notes:
        walk(n)
    return out
