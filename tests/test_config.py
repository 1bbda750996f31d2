import pytest

from binhai_geo.config import load_region, load_workflow
from binhai_geo.errors import WorkflowError

from conftest import write_workflow


def test_workflow_loads_and_resolves_paths(workflow, tmp_path):
    wf = load_workflow(workflow)
    assert wf.id == "test_run" and wf.prefix == "test_run"
    assert wf.out_dir == (tmp_path / "out").resolve()
    assert wf.region.analysis_crs.to_epsg() == 4527
    assert wf.targets_path.name == "targets.csv"


def test_unknown_key_is_named(tmp_path, pack):
    wf = write_workflow(tmp_path, extra='\n[siting]\npv_surface = ["salt_pan"]\n')
    with pytest.raises(WorkflowError) as e:
        load_workflow(wf)
    assert "[siting.pv_surface] unknown key" in str(e.value) and "workflow.toml" in str(e.value)


def test_negative_capacity_density_is_refused(tmp_path, pack):
    wf = write_workflow(tmp_path, extra='\n[assumptions]\ncapacity_density = { "salt_pan.pv" = -5 }\n')
    with pytest.raises(WorkflowError, match="negative"):
        load_workflow(wf)


def test_unknown_layer_kind_in_workflow(tmp_path, pack):
    wf = write_workflow(tmp_path, extra='\n[layers]\nsaltpan = { path = "x.gpkg" }\n')
    with pytest.raises(WorkflowError, match="'saltpan' is not a layer kind"):
        load_workflow(wf)


def test_bad_toml_and_missing_file(tmp_path, pack):
    bad = tmp_path / "bad.toml"
    bad.write_text("[workflow\nid=", encoding="utf-8")
    with pytest.raises(WorkflowError, match="not valid TOML"):
        load_workflow(bad)
    with pytest.raises(WorkflowError, match="not found"):
        load_workflow(tmp_path / "missing.toml")


def test_missing_layer_override_file(tmp_path, pack):
    wf = write_workflow(tmp_path, extra='\n[layers]\nforest = { path = "nowhere.gpkg" }\n')
    with pytest.raises(WorkflowError) as e:
        load_workflow(wf)
    assert e.value.layer == "forest" and "does not exist" in str(e.value)


def test_region_needs_projected_analysis_crs(tmp_path, pack):
    text = pack.read_text(encoding="utf-8").replace('analysis_crs = "EPSG:4527"', 'analysis_crs = "EPSG:4490"')
    pack.write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowError, match="not projected"):
        load_region(pack)


def test_district_figure_needs_source(tmp_path, pack):
    wf = write_workflow(tmp_path, extra="\n[assumptions.district]\ntotal_installed_capacity_mw = 20000\n")
    with pytest.raises(WorkflowError, match="needs total_installed_capacity_source"):
        load_workflow(wf)


def test_shipped_workflow_is_valid(repo):
    wf = load_workflow(repo / "workflows" / "binhai_2025.toml")
    assert wf.region.spec.id == "binhai"
    assert wf.region.analysis_crs.to_epsg() == 4527
