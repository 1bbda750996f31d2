"""Shared fixtures: a small synthetic region pack and workflow, built in a temporary folder.

The synthetic region is a 10 km x 10 km square near Binhai in EPSG:4527: land on the west 7 km, sea
on the east 3 km, a straight north-south coastline of which the southern 2 km are natural. Every
figure it yields can be worked out by hand, which the tests do.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

REPO = Path(__file__).resolve().parents[1]
X0, Y0 = 39_560_000.0, 4_320_000.0  # EPSG:4527 metres, near Tanggu
CRS = "EPSG:4527"

TARGETS_CSV = """target_id,description,description_zh,value,unit,comparison,tolerance,year,plan_wording
pv_capacity,installed PV capacity,光伏装机,4700,MW,>=,,2025,光伏发电装机容量达470万千瓦
wind_capacity,installed wind capacity,风电装机,2300,MW,>=,,2025,风力发电装机容量达230万千瓦
renewable_capacity,renewable capacity,可再生能源装机,7000,MW,>=,,2025,可再生能源装机容量达700万千瓦以上
renewable_share,renewable share,可再生能源装机占比,35,percent,about,0.05,2025,装机占比达到35%左右
storage_capacity,new-type storage,新型储能,400,MW,>=,,2025,新型储能装机容量力争达到40万千瓦以上
forest_cover,forest coverage,森林覆盖率,6.53,percent,>=,,2025,全区森林覆盖率达到6.53%
forest_cover_2030,forest coverage 2030,森林覆盖率2030,6.53,percent,>=,,2030,森林覆盖率保持基本稳定
protected_area_share,protected share of land,自然保护地占比,22.3,percent,>=,,2025,自然保护地占陆域国土面积22.3%
natural_shoreline,natural shoreline retention,自然岸线保有率,5,percent,>=,,2025,自然岸线保有率不低于5%
rooftop_pv_new_buildings,rooftop PV on new public and factory roofs,新建公共机构和厂房屋顶光伏覆盖率,50,percent,>=,,2025,屋顶光伏覆盖率力争达到50%
charging_piles,new charging piles,新建充电桩,2000,count,>=,,2025,新建充电桩2000个
"""


def _gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


def synthetic_layers() -> dict[str, gpd.GeoDataFrame]:
    """Layers of the synthetic region, by kind."""
    land = box(X0, Y0, X0 + 7000, Y0 + 10000)
    return {
        "boundary": _gdf([{"name": "Test district"}], [box(X0, Y0, X0 + 7000, Y0 + 10000)]),
        "land": _gdf([{"name": "land"}], [land]),
        "sea_area": _gdf([{"name": "sea"}], [box(X0 + 7000, Y0, X0 + 10000, Y0 + 10000)]),
        "coastline": _gdf(
            [{"natural": True}, {"natural": False}],
            [
                LineString([(X0 + 7000, Y0), (X0 + 7000, Y0 + 2000)]),
                LineString([(X0 + 7000, Y0 + 2000), (X0 + 7000, Y0 + 10000)]),
            ],
        ),
        # 2 km2 of salt pan -> 138 MW at 69 MW/km2
        "salt_pan": _gdf([{"name": "Salt field 盐田", "source": "test", "accuracy_m": 10.0}],
                         [box(X0 + 1000, Y0 + 1000, X0 + 3000, Y0 + 2000)]),
        # 1 km2 PV zone and 4 km2 wind zone at sea
        "offshore_zone": _gdf(
            [{"name": "PV zone", "allowed_use": "pv"}, {"name": "Wind zone", "allowed_use": "wind"}],
            [box(X0 + 7500, Y0 + 1000, X0 + 8500, Y0 + 2000), box(X0 + 7500, Y0 + 4000, X0 + 9500, Y0 + 6000)],
        ),
        # forest: 0.7 km2 tree forest (counts), 0.3 km2 low-canopy (does not), 0.2 km2 shrub (does not)
        "forest": _gdf(
            [
                {"forest_type": "tree_forest", "canopy_cover": 0.5, "year_planted": 2015},
                {"forest_type": "tree_forest", "canopy_cover": 0.1, "year_planted": 2022},
                {"forest_type": "other_shrub", "canopy_cover": 0.4, "year_planted": 2010},
            ],
            [
                box(X0 + 4000, Y0 + 4000, X0 + 4700, Y0 + 5000),
                box(X0 + 4000, Y0 + 6000, X0 + 4300, Y0 + 7000),
                box(X0 + 5000, Y0 + 6000, X0 + 5200, Y0 + 7000),
            ],
        ),
        # wetland 1 km2, of which 0.2 km2 under the tree forest above
        "wetland": _gdf([{"wetland_type": "reed_marsh"}], [box(X0 + 4500, Y0 + 4000, X0 + 5500, Y0 + 5000)]),
        # protected: 7 km2 on land + 1 km2 at sea (sea part does not count towards land share)
        "protected_area": _gdf(
            [{"category": "nature reserve", "zone": "core", "name": "Reserve"}],
            [box(X0 + 0, Y0 + 7000, X0 + 8000, Y0 + 8000)],
        ),
        "project": _gdf(
            [
                {"name": "Salt PV 1", "technology": "pv", "capacity_mw": 1000.0, "status": "pipeline", "year": 2024},
                {"name": "Salt PV 2", "technology": "pv", "capacity_mw": 500.0, "status": "planned", "year": 2026},
                {"name": "Wind 1", "technology": "wind", "capacity_mw": 200.0, "status": "built", "year": 2023},
                {"name": "Storage", "technology": "storage", "capacity_mw": 100.0, "status": "pipeline",
                 "year": 2025, "energy_mwh": 200.0},
            ],
            [Point(X0 + 2000, Y0 + 1500), Point(X0 + 2500, Y0 + 1500), Point(X0 + 8000, Y0 + 5000),
             Point(X0 + 3000, Y0 + 3000)],
        ),
        "rooftop": _gdf(
            [
                {"building_class": "factory", "new_build": True, "roof_type": "flat", "pv_installed": True},
                {"building_class": "public_institution", "new_build": True, "roof_type": "flat",
                 "pv_installed": False},
                {"building_class": "residential", "new_build": True, "roof_type": "pitched",
                 "pv_installed": False},
            ],
            [box(X0 + 500, Y0 + 500, X0 + 600, Y0 + 600), box(X0 + 700, Y0 + 500, X0 + 800, Y0 + 600),
             box(X0 + 900, Y0 + 500, X0 + 950, Y0 + 550)],
        ),
    }


def capacity_densities(path: Path | None = None, overrides: dict[str, float] | None = None):  # noqa: ANN201
    """The capacity-density table as a plan loads it: the PV rows derived from the packaged PV archetypes."""
    from binhai_geo.factors import load_capacity_density
    from binhai_geo.solar.archetypes import load_archetypes
    from binhai_geo.solar.densities import pv_densities
    from binhai_geo.solar.rooftops import load_rooftop_fractions

    return load_capacity_density(path, overrides, derived=pv_densities(load_archetypes(), load_rooftop_fractions()))


def write_pack(folder: Path, layers: dict[str, gpd.GeoDataFrame] | None = None) -> Path:
    """Write a region pack (gpkg, region.toml, targets.csv) in ``folder``; return the region file."""
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "pack.gpkg"
    for kind, gdf in (layers or synthetic_layers()).items():
        pyogrio.write_dataframe(gdf, gpkg, layer=kind, driver="GPKG", append=gpkg.exists())
    (folder / "targets.csv").write_text(TARGETS_CSV, encoding="utf-8")
    region = folder / "region.toml"
    region.write_text(
        '[region]\nid = "test"\nname = "Test region"\nname_zh = "测试区"\nanalysis_crs = "EPSG:4527"\n'
        'pack = "pack.gpkg"\ntargets = "targets.csv"\ncredits = ["test data"]\n',
        encoding="utf-8",
    )
    return region


def write_workflow(folder: Path, extra: str = "", region: str = "region/region.toml") -> Path:
    """Write a workflow in ``folder`` naming the region at ``region`` (relative); return its path."""
    wf = folder / "workflow.toml"
    wf.write_text(
        '[workflow]\nid = "test_run"\ntitle = "Test run"\ntitle_zh = "测试"\n'
        f'region = "{region}"\nyear = 2025\n\n[outputs]\ndir = "out"\n' + extra,
        encoding="utf-8",
    )
    return wf


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A synthetic region pack; returns the region file."""
    return write_pack(tmp_path / "region")


@pytest.fixture
def workflow(tmp_path: Path, pack: Path) -> Path:
    """A workflow on the synthetic region pack; outputs go to ``tmp_path/out``."""
    return write_workflow(tmp_path)


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture
def real_workflow_copy(tmp_path: Path) -> Path:
    """A copy of the shipped default workflow whose outputs go to a temporary folder."""
    src = REPO / "workflows" / "binhai_2025.toml"
    text = src.read_text(encoding="utf-8")
    region = (REPO / "layers" / "binhai" / "region.toml").as_posix()
    text = text.replace('region = "../layers/binhai/region.toml"', f'region = "{region}"')
    text = text.replace('dir = "../maps"', 'dir = "out"')
    dst = tmp_path / "binhai_2025.toml"
    dst.write_text(text, encoding="utf-8")
    return dst


@pytest.fixture(scope="session")
def local_cluster():
    """Address of a 2-worker dask LocalCluster (processes, 1 thread each) on 127.0.0.1."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster:
        yield cluster.scheduler_address
