"""Tiled eligibility equals the untiled grid cell by cell: tile seams change nothing."""

import numpy as np
import pytest
import rasterio
from affine import Affine

from binhai_geo.cluster.scheduler import open_scheduler
from binhai_geo.cluster.tiles import largest_buffer_m, rasterize_tiled, tile_windows
from binhai_geo.config import load_workflow
from binhai_geo.layers import load_layers
from binhai_geo.siting.exclusions import ExclusionContainer
from binhai_geo.siting.reasongrid import ELIGIBLE, OUTSIDE
from binhai_geo.siting.rules import build_container


@pytest.fixture(scope="module")
def binhai():
    from conftest import REPO

    wf = load_workflow(REPO / "workflows" / "binhai_2025.toml")
    return wf, load_layers(wf)


def _container(wf, layers, tech, res_m):
    spec = wf.spec.eligibility.model_copy(update={"resolution_m": res_m})
    return build_container(spec, layers.layers, tech, crs=layers.crs)


def test_tile_windows_cover_the_grid_once():
    windows = tile_windows((7, 10), 4)
    covered = np.zeros((7, 10), dtype=int)
    for r, c, h, w in windows:
        covered[r:r + h, c:c + w] += 1
    assert (covered == 1).all() and len(windows) == 6


@pytest.mark.parametrize("tech", ["pv", "wind"])
def test_tiled_equals_untiled_on_the_sample_region(binhai, tech):
    wf, layers = binhai
    box = _container(wf, layers, tech, 100.0)
    assert largest_buffer_m(box) >= (1500 if tech == "wind" else 300)  # buffers cross tile seams
    area = layers.layers["boundary"].union_all().buffer(5000, quad_segs=2)  # the sea near the coast too
    bounds = area.bounds
    whole = box.rasterize(bounds, within=area, min_area_m2=0.5e6)
    tiled = rasterize_tiled(box, bounds, within=area, min_area_m2=0.5e6, tile_cells=256)
    assert tiled.transform == whole.transform and tiled.code.shape == whole.code.shape
    assert np.array_equal(tiled.code, whole.code)
    assert (whole.code == ELIGIBLE).any() and (whole.code == OUTSIDE).any()
    assert len(np.unique(whole.code)) > 3  # several reasons present


def test_class_raster_buffer_crosses_tile_seams(tmp_path, local_cluster):
    """A class raster with a distance buffer, tiled on a LocalCluster: same as untiled."""
    x0, y0, res = 39_560_000.0, 4_320_000.0, 20.0
    data = np.full((200, 200), 40, dtype=np.uint8)  # cropland
    data[50:60, 95:105] = 50  # a built-up block in the middle, across the tile seams below
    data[150, 10] = 50
    path = tmp_path / "wc.tif"
    with rasterio.open(path, "w", driver="GTiff", width=200, height=200, count=1, dtype="uint8", crs="EPSG:4527",
                       transform=Affine(res, 0, x0, 0, -res, y0 + 200 * res), nodata=0) as dst:
        dst.write(data, 1)
    box = ExclusionContainer("EPSG:4527", 10.0)
    box.add_raster(path, [50], classes="worldcover", buffer_m=300.0, reason="built-up with 300 m setback")
    bounds = (x0, y0, x0 + 4000, y0 + 4000)
    whole = box.rasterize(bounds)
    with open_scheduler(local_cluster) as ex:
        tiled = rasterize_tiled(box, bounds, tile_cells=100, executor=ex)
    assert np.array_equal(tiled.code, whole.code)
    assert 0.3 < whole.eligible_km2() / 16 < 0.99
