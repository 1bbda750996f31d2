"""Notes as data: every code an engine emits has its templates, with the parameters it passes, and renders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import binhai_geo
from binhai_geo.deliverables.notes import LANGUAGES, NoteFormatter, codes_used, render, template_params, templates
from binhai_geo.notes import Note
from binhai_geo.result import SIMPLIFICATIONS

PACKAGE = Path(binhai_geo.__file__).parent
RENDERER = PACKAGE / "deliverables" / "notes.py"


def _note_calls() -> list[tuple[str, str, set[str] | None]]:
    """Every ``Note("code", {...})`` in the package: (file:line, code, keys of a literal dict or None)."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Note"):
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            assert node.args and isinstance(node.args[0], ast.Constant), f"{where}: a note code must be a literal"
            keys: set[str] | None = set()
            if len(node.args) > 1:
                arg = node.args[1]
                if isinstance(arg, ast.Dict) and all(isinstance(k, ast.Constant) for k in arg.keys):
                    keys = {k.value for k in arg.keys}
                else:
                    keys = None  # built elsewhere: checked when rendered
            out.append((where, node.args[0].value, keys))
    return out


CALLS = _note_calls()


def test_engines_emit_notes():
    assert len(CALLS) > 60  # the engines' notes are Note objects, not prose
    assert {c for _, c, _ in CALLS} >= {"solar.weather.stand_in", "wind.resource.default", "siting.economics.lcoe",
                                        "sinks.total", "plan.sample_layers"}


@pytest.mark.parametrize(("where", "code", "keys"), CALLS, ids=[f"{w}:{c}" for w, c, _ in CALLS])
def test_every_emitted_code_has_both_templates_and_its_parameters(where, code, keys):
    tpl = templates()
    assert code in tpl, f"{where}: note code {code!r} has no template in deliverables/data/notes.toml"
    assert tpl[code]["en"].strip() and tpl[code]["zh"].strip(), f"{code}: an English and a Chinese template"
    # Chinese characters, or Chinese punctuation for a template that only frames a nested note
    assert re.search(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]", tpl[code]["zh"]), f"{code}: no Chinese in zh"
    if keys is not None:
        assert keys == template_params(code), f"{where}: {code} passes {sorted(keys)}, templates use " \
                                              f"{sorted(template_params(code))}"


def test_every_template_is_used():
    emitted = {c for _, c, _ in CALLS}
    # codes named as data (e.g. the wake-model fragments in a mapping) count when their string appears
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py") if p != RENDERER)
    unused = [c for c in templates() if c not in emitted and f'"{c}"' not in source]
    assert not unused, f"templates no engine emits: {unused}"


def _sample(spec: str) -> object:
    """A parameter value fitting a format spec (sequences for join/head, pairs for range, numbers, text)."""
    if spec.startswith(("join", "head")):
        return ("a", "b")
    if spec.startswith("range"):
        return (1426.0, 1435.5)
    if spec and spec[-1] in "dn" or spec == ",":
        return 1234
    if spec:
        return 1234.5
    return "x"


@pytest.mark.parametrize("code", sorted(templates()))
def test_every_template_renders_in_every_language(code):
    params: dict[str, object] = {}
    for lang in LANGUAGES:
        for _, name, spec, _ in string.Formatter().parse(templates()[code][lang]):
            if name and name not in ("en", "zh"):
                params.setdefault(name, _sample(spec or ""))
    note = Note(code, params)
    for lang in LANGUAGES:
        text = render(note, lang)
        assert text.strip() and "{" not in text and "}" not in text, (code, lang, text)


def test_render_formats_numbers_ranges_lists_and_fragments():
    n = Note("solar.candidates", {"capacity_mw": 13991.2, "energy_gwh_per_yr": 18203.4,
                                  "target": Note("solar.candidates.target", {"pv_target_mw": 4700.0})})
    assert render(n, "en") == ("Candidate PV sites: 13,991 MWp, 18,203 GWh/yr against the 4,700 MW PV target: "
                               "candidate potential, not counted as installed")
    assert render(n, "zh") == "候选光伏场址13,991 MWp，年发电量18,203 GWh（规划目标4,700 MW），为候选潜力，不计入已装机"
    assert render(n) == f"{render(n, 'en')} ({render(n, 'zh')})."
    without = Note("solar.candidates", {"capacity_mw": 1.0, "energy_gwh_per_yr": 2.0, "target": None})
    assert "target" not in render(without, "en")
    f = NoteFormatter("en")
    assert f.format("{x:range.0f}", x=(1426.2, 1435.0)) == "1426-1435"
    assert f.format("{x:range.0f}", x=(1430.0, 1430.0)) == "1430"
    assert f.format("{x:head2}", x=("a", "b", "c")) == "a, b ..."
    assert f.format("{x:join=; }", x=("a", "b")) == "a; b"


def test_notes_are_data():
    n = Note("sinks.total", {"year": 2025, "tco2_per_yr": 1.0, "tco2_per_yr_low": 0.5, "tco2_per_yr_high": 2.0,
                             "creditable_tco2_per_yr": 0.1})
    assert n == Note("sinks.total", dict(n.params)) and hash(n) == hash(Note("sinks.total", dict(n.params)))
    with pytest.raises(TypeError):
        n.params["year"] = 2030  # type: ignore[index]
    assert Note("wind.curves_refused", {"turbine_types": ["A", "B"]}).params["turbine_types"] == ("A", "B")
    with pytest.raises(ValueError, match="dotted"):
        Note("Weather stand-in")
    with pytest.raises(KeyError, match="no template"):
        render(Note("solar.no_such_note"))
    assert codes_used([Note("solar.candidates", {"target": Note("solar.candidates.target", {})})]) == [
        "solar.candidates", "solar.candidates.target"]


def test_simplifications_render_as_before():
    assert [render(n) for n in SIMPLIFICATIONS] == [
        "Sample layers are illustrative placements from public descriptions, not surveyed data "
        "(示例图层为依据公开资料的示意性位置，非测绘数据).",
        "Eligible potential is what the workflow's exclusion rules leave; rules the planner has not declared "
        "are not applied (可开发潜力仅扣除工作流中声明的限制规则).",
    ]


ENGINE_PACKAGES = ("solar", "wind", "siting", "sinks", "cluster", "accounting")


def _prose(node: ast.AST) -> bool:
    """True when an expression builds text from a literal (an f-string or a sentence) rather than a Note."""
    if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Note" for n in ast.walk(node)):
        return False
    return any(isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str)
                                                and " " in n.value) for n in ast.walk(node))


def test_engines_write_no_note_prose():
    """No engine appends, lists or returns a sentence as a note (a new one gets a code and a template)."""
    files = [p for pkg in ENGINE_PACKAGES for p in (PACKAGE / pkg).rglob("*.py") if p.name != "cli.py"]
    files += [PACKAGE / "result.py", PACKAGE / "runner.py", PACKAGE / "steps.py"]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "append", "extend") and "note" in ast.unparse(node.func.value).lower() and node.args:
                value = node.args[0]
            elif isinstance(node, ast.keyword) and node.arg == "notes":
                value = node.value
            elif isinstance(node, ast.Assign) and any(ast.unparse(t).split(".")[-1] in ("notes", "NOTES",
                                                                                      "SIMPLIFICATIONS")
                                                      for t in node.targets):
                value = node.value  # (a table's note column, e.g. grid_note, is data of the table: not here)
            if value is not None and _prose(value):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not found, f"notes written as prose in engines (use Note(code, params) and a template): {found}"
