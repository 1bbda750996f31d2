"""The [deliverables] table of a workflow file, and repeatable output."""

from __future__ import annotations

import pytest
from deliverables_synthetic import region_layers, synthetic_plan

from binhai_geo.config import load_workflow
from binhai_geo.deliverables.build import build_deliverables
from binhai_geo.errors import WorkflowError

from conftest import write_pack, write_workflow


def _wf(tmp_path, body: str):
    write_pack(tmp_path / "region", region_layers())
    return load_workflow(write_workflow(tmp_path, "\n[deliverables]\n" + body))


def test_defaults_and_values(tmp_path):
    d = _wf(tmp_path, 'basemaps = ["amap_vector", "amap_vector"]\npaper = "A3"\n').spec.deliverables
    assert d.basemaps == ["amap_vector"]  # duplicates dropped
    assert d.paper == "A3" and d.print_formats == ["png", "pdf"] and d.tianditu_key_env == "TIANDITU_KEY"
    assert d.detail_max_features == 3000 and d.grid_cell_m == 1000.0 and d.detail_min_zoom == 14


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('basemaps = ["google"]', "deliverables.basemaps"),
        ("print_dpi = 20", "deliverables.print_dpi"),
        ('print_formats = ["svg"]', "deliverables.print_formats"),
        ('print_themes = ["everything"]', "deliverables.print_themes"),
        ("grid_cell_m = 0", "deliverables.grid_cell_m"),
        ('tianditu_key_env = "1 BAD"', "deliverables.tianditu_key_env"),
        ("atlas = true", "deliverables.atlas"),
    ],
)
def test_bad_values(tmp_path, body, where):
    with pytest.raises(WorkflowError, match=where.replace(".", r"\.")):
        _wf(tmp_path, body + "\n")


def test_outputs_are_repeatable(tmp_path):
    plan = synthetic_plan(tmp_path, '\n[deliverables]\nprint_themes = ["energy"]\nprint_dpi = 72\n')
    first = build_deliverables(plan)
    again = build_deliverables(plan)
    assert set(first.files) == {"map_html", "print_energy_png", "print_energy_pdf", "report_html"}
    for role, (name, content) in first.files.items():
        assert again.files[role] == (name, content), role
