"""`binhai-geo site`: a good run writes its files; bad input exits 2 with a message and writes nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from binhai_geo.cli import app
from tests.conftest import write_workflow
from tests.siting.test_siting_plan import RULES, _pack

runner = CliRunner()


def _wf(tmp_path: Path, extra: str) -> Path:
    _pack(tmp_path)
    return write_workflow(tmp_path, extra)


def test_site_writes_areas_curve_chart_and_conformance(tmp_path: Path) -> None:
    wf = _wf(tmp_path, RULES.format(mode="vector"))
    before = wf.read_bytes()
    res = runner.invoke(app, ["site", str(wf), "--out-dir", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (tmp_path / "o").iterdir())
    assert names == ["test_run_conformance.csv", "test_run_eligible_areas.gpkg", "test_run_exclusion_summary.csv",
                     "test_run_supply_curve.csv", "test_run_supply_curve.png"]
    assert (tmp_path / "o" / "test_run_supply_curve.png").read_bytes()[:4] == b"\x89PNG"
    assert "pv_capacity" in res.output
    assert wf.read_bytes() == before


def _bad(tmp_path: Path, extra: str, expect: str) -> None:
    wf = _wf(tmp_path, extra)
    before = wf.read_bytes()
    out = tmp_path / "o"
    res = runner.invoke(app, ["site", str(wf), "--out-dir", str(out)])
    assert res.exit_code == 2, res.output
    assert expect in res.output
    assert "Traceback" not in res.output
    assert not out.exists() or not any(out.iterdir())
    assert wf.read_bytes() == before


def test_rule_naming_a_missing_layer(tmp_path: Path) -> None:
    _bad(tmp_path, RULES.format(mode="vector")
         + '\n[[eligibility.rules]]\ntechnologies = ["wind"]\nlayer = "tidal_flat"\nreason = "flats"\n',
         "does not have")


def test_unknown_layer_kind_in_a_rule(tmp_path: Path) -> None:
    _bad(tmp_path, '[eligibility]\n[[eligibility.rules]]\ntechnologies = ["pv"]\nlayer = "roads"\nreason = "r"\n',
         "not a layer kind")


def test_geographic_crs(tmp_path: Path) -> None:
    _bad(tmp_path, RULES.format(mode="vector").replace('[eligibility]\n', '[eligibility]\ncrs = "EPSG:4326"\n'),
         "geographic")


def test_too_fine_resolution(tmp_path: Path) -> None:
    extra = RULES.format(mode="raster").replace('[eligibility]\n',
                                                '[eligibility]\nresolution_m = 0.05\nmax_memory_gb = 0.1\n')
    _bad(tmp_path, extra, "GB")


def test_unknown_raster_codes(tmp_path: Path) -> None:
    extra = ('[eligibility]\n[[eligibility.rules]]\ntechnologies = ["pv"]\nraster = "wc.tif"\n'
             'classes = "worldcover"\ncodes = [90, 91]\nreason = "wetland"\n')
    import numpy as np

    from tests.siting.test_siting_exclusions import _worldcover

    _worldcover(tmp_path / "wc.tif", np.full((20, 20), 40, dtype=np.uint8))
    _bad(tmp_path, extra, "[91]")
