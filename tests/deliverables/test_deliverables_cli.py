"""`binhai-geo map` and `binhai-geo report`: good runs, bad input (exit 2, message, nothing written)."""

from __future__ import annotations

import pytest
from deliverables_synthetic import region_layers
from typer.testing import CliRunner

from binhai_geo.cli import app

from conftest import write_pack, write_workflow

runner = CliRunner()


@pytest.fixture
def wf(tmp_path):
    write_pack(tmp_path / "region", region_layers())
    return write_workflow(tmp_path, '\n[deliverables]\nprint_dpi = 72\nprint_themes = ["energy"]\n')


def test_map_writes_atlas_and_print_maps(wf, monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    before = wf.read_bytes()
    res = runner.invoke(app, ["map", str(wf), "--basemap", "amap_vector", "--basemap", "tianditu_imagery"])
    assert res.exit_code == 0, res.output
    out = wf.parent / "out"
    names = sorted(p.name for p in out.iterdir())
    assert "test_run.html" in names and "test_run_amap.html" in names
    assert "test_run_tianditu.html" not in names  # no key: skipped, said so
    assert "TIANDITU_KEY" in res.output
    assert any(n == "test_run_map_energy.png" for n in names) or "Print maps not drawn" in res.output
    assert not [n for n in names if n.endswith(".part")]
    assert wf.read_bytes() == before


def test_map_no_print(wf):
    res = runner.invoke(app, ["map", str(wf), "--no-print", "--out-dir", str(wf.parent / "o2")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (wf.parent / "o2").iterdir()) == ["test_run.html"]


def test_report(wf):
    res = runner.invoke(app, ["report", str(wf)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (wf.parent / "out").iterdir()) == ["test_run_report.html"]


def test_bad_basemap(wf):
    res = runner.invoke(app, ["map", str(wf), "--basemap", "google"])
    assert res.exit_code == 2
    assert "unknown basemap 'google'" in res.output and "amap_vector" in res.output
    assert not (wf.parent / "out").exists()


def test_bad_workflow_key_and_missing_font(wf):
    text = wf.read_text(encoding="utf-8")
    wf.write_text(text.replace("print_dpi = 72", "print_dpi = 72\nbasemap = \"amap\""), encoding="utf-8")
    res = runner.invoke(app, ["map", str(wf)])
    assert res.exit_code == 2 and "deliverables.basemap" in res.output and "Traceback" not in res.output
    wf.write_text(text.replace("print_dpi = 72", 'print_dpi = 72\nfont_file = "fonts/none.otf"'), encoding="utf-8")
    before = wf.read_bytes()
    res = runner.invoke(app, ["map", str(wf)])
    assert res.exit_code == 2 and "none.otf" in res.output and "font_file" in res.output
    out = wf.parent / "out"
    assert not out.exists() or not list(out.iterdir())  # nothing written, not even the atlas
    assert wf.read_bytes() == before


def test_missing_workflow(tmp_path):
    res = runner.invoke(app, ["report", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and "not found" in res.output
