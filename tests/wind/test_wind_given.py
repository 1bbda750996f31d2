"""Given layouts: PyWake's Horns Rev 1 example through the given-layout path, and bad turbine layers.

The reference is PyWake's own example (``py_wake.examples.data.hornsrev1``: 80 Vestas V80 at their
positions, the Horns Rev 1 site's 12-sector Weibull climate and TI 0.1), run by PyWake with the same wake
model (Niayifar and Porte-Agel 2016) and the same 5-degree directions. The toolkit gets the same inputs
the way a planner gives them: a point layer of kind ``turbine`` (type ``V80`` declared with a power-curve
CSV), a zone polygon around the farm and a sector CSV of the site's climate.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import box
from typer.testing import CliRunner

from binhai_geo.cli import app
from binhai_geo.errors import LayerError
from binhai_geo.wind.plan import run_wind
from binhai_geo.wind.spec import WindSpec

from conftest import CRS, X0, Y0

HR_CRS = "EPSG:25832"  # ETRS89 / UTM 32N, the coordinates of PyWake's Horns Rev 1 example
NO_LOSSES = {f"{item}.sea": 0.0 for item in ("availability", "electrical", "turbine_performance", "environmental",
                                             "curtailment")}


def _horns_rev_inputs(tmp_path):
    from py_wake.examples.data.hornsrev1 import V80, Hornsrev1Site, wt_x, wt_y

    site, wt = Hornsrev1Site(), V80()
    ds = site.ds.sel(wd=site.ds.wd[:-1]) if float(site.ds.wd[-1]) == 360 else site.ds
    pd.DataFrame({"sector_deg": ds.wd.values, "frequency": ds.Sector_frequency.values,
                  "weibull_a_mps": ds.Weibull_A.values, "weibull_k": ds.Weibull_k.values,
                  "reference_height_m": 70.0, "turbulence_intensity": float(site.ds.TI)}).to_csv(
        tmp_path / "hr1_climate.csv", index=False)
    ws = np.arange(0.0, 26.0, 0.5)
    p = wt.power(ws) / 1000.0
    pd.DataFrame({"wind_speed_mps": ws, "power_kw": p, "thrust_coefficient": wt.ct(ws), "rotor_diameter_m": 80.0,
                  "nominal_power_kw": 2000.0, "name": "V80"}).to_csv(tmp_path / "v80.csv", index=False)
    n = len(wt_x)
    points = gpd.GeoDataFrame({"turbine_type": ["V80"] * n, "hub_height_m": [70.0] * n, "farm": ["Horns Rev 1"] * n},
                              geometry=gpd.points_from_xy(wt_x, wt_y), crs=HR_CRS)
    zone = gpd.GeoDataFrame({"site_id": ["hr1"], "name": ["Horns Rev 1"], "layer_kind": ["offshore_zone"]},
                            geometry=[shapely.convex_hull(shapely.multipoints(np.column_stack([wt_x, wt_y])))
                                      .buffer(500)], crs=HR_CRS)
    return site, wt, points, zone


def test_horns_rev_1_through_the_given_layout_path(tmp_path):
    from py_wake.literature.gaussian_models import Niayifar_PorteAgel_2016

    site, wt, points, zone = _horns_rev_inputs(tmp_path)
    x, y = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    ref = Niayifar_PorteAgel_2016(site, wt)(x, y, wd=np.arange(0, 360, 5.0))
    ref_gwh = float(ref.aep().sum())
    ref_no_wake_gwh = float(ref.aep(with_wake_loss=False).sum())

    spec = WindSpec(resource=str(tmp_path / "hr1_climate.csv"), turbine_curves={"V80": str(tmp_path / "v80.csv")},
                    losses=NO_LOSSES)
    res = run_wind(zone, spec, given=points, base_dir=tmp_path)
    z = res.zones.iloc[0]
    assert z["turbines"] == 80 and z["layout"] == "given" and z["capacity_mw"] == pytest.approx(160.0)
    ours_gwh = z["net_energy_mwh_per_yr"] / 1000.0
    # the done-when figure: within 1 % of PyWake's AEP for the same wake model (measured: see docs/validation.md)
    assert ours_gwh == pytest.approx(ref_gwh, rel=0.01)
    assert z["gross_energy_mwh_per_yr"] / 1000.0 == pytest.approx(ref_no_wake_gwh, rel=0.01)
    assert z["wake_loss_pct"] == pytest.approx(100 * (1 - ref_gwh / ref_no_wake_gwh), abs=0.3)
    assert (res.turbines["layout"] == "given").all() and len(res.turbines) == 80
    assert set(res.turbines["farm"]) == {"Horns Rev 1"}


def _zones_file(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["Wind zone"], "allowed_use": ["wind"]},
                           geometry=[box(X0 + 7500, Y0 + 4000, X0 + 9500, Y0 + 6000)], crs=CRS)
    path = tmp_path / "zones.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="zones", driver="GPKG")
    return path


def _turbines_file(tmp_path, xy, types=None):
    n = len(xy)
    gdf = gpd.GeoDataFrame({"turbine_type": types or ["E-141/4200"] * n, "hub_height_m": [129.0] * n,
                            "farm": ["Test farm"] * n}, geometry=gpd.points_from_xy(*np.array(xy).T), crs=CRS)
    path = tmp_path / "turbines.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="turbine", driver="GPKG")
    return path


def test_given_turbines_by_cli(tmp_path):
    zones = _zones_file(tmp_path)
    xy = [(X0 + 8000, Y0 + 4500), (X0 + 8000, Y0 + 5500), (X0 + 9000, Y0 + 5000)]
    out = tmp_path / "wind.gpkg"
    res = CliRunner().invoke(app, ["wind", str(zones), "--kind", "offshore_zone", "--out", str(out),
                                   "--turbines", str(_turbines_file(tmp_path, xy))])
    assert res.exit_code == 0, res.output
    t = gpd.read_file(out, layer="turbines")
    assert len(t) == 3 and set(t["layout"]) == {"given"} and set(t["turbine_type"]) == {"E-141/4200"}
    assert np.allclose(np.sort(t.geometry.x), np.sort([p[0] for p in xy]))
    sites = gpd.read_file(out, layer="sites")
    assert sites["capacity_mw"].iloc[0] == pytest.approx(3 * 4.2)


@pytest.mark.parametrize("case", ["outside", "too_close", "unknown_type"])
def test_bad_given_turbines_exit_2(case, tmp_path):
    zones = _zones_file(tmp_path)
    xy = [(X0 + 8000, Y0 + 4500), (X0 + 8000, Y0 + 5500)]
    types = None
    expect = {"outside": "outside every wind zone", "too_close": "closer than one rotor diameter",
              "unknown_type": "did you mean"}[case]
    if case == "outside":
        xy[1] = (X0 + 20000, Y0 + 5500)
    elif case == "too_close":
        xy[1] = (X0 + 8000, Y0 + 4600)  # 100 m apart, rotor 141 m
    else:
        types = ["E-141/4200", "E-141/420"]
    turbines = _turbines_file(tmp_path, xy, types)
    out = tmp_path / "wind.gpkg"
    res = CliRunner().invoke(app, ["wind", str(zones), "--kind", "offshore_zone", "--out", str(out),
                                   "--turbines", str(turbines), "--no-wakes"])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert expect in text and "Traceback" not in res.output
    assert "turbine" in text  # the layer is named
    assert not out.exists()


def test_given_errors_name_the_feature(tmp_path):
    _, _, points, zone = _horns_rev_inputs(tmp_path)
    far = points.copy()
    far.loc[5, "geometry"] = shapely.Point(0.0, 0.0)
    spec = WindSpec(turbine_curves={"V80": str(tmp_path / "v80.csv")}, wakes=False)
    with pytest.raises(LayerError, match="outside every wind zone") as e:
        run_wind(zone, spec, given=far, base_dir=tmp_path)
    assert e.value.feature == 5


def test_registry_farm_laid_by_rule():
    """GEM's Three Gorges offshore record off Nangang (196 MW, position only): laid by the stated rule."""
    from pathlib import Path

    from binhai_geo.wind.given import lay_registry_farm
    from binhai_geo.wind.tables import load_parameters
    from binhai_geo.wind.turbines import library_turbine

    reg = Path(__file__).resolve().parents[3] / "shared" / "data" / "registry" / "gem_wind_2025-02_tianjin.geojson"
    if not reg.exists():
        pytest.skip(f"registry file not found: {reg}")
    gem = gpd.read_file(reg)
    off = gem[gem["Installation Type"].str.contains("offshore", na=False) & (gem["Capacity (MW)"] > 100)]
    rec = off.iloc[0]
    pt = gpd.GeoSeries([rec.geometry], crs=gem.crs).to_crs(CRS).iloc[0]
    t = library_turbine("SCD168/8000", load_parameters())
    farm = lay_registry_farm(pt.x, pt.y, float(rec["Capacity (MW)"]), t, hub_height_m=110, downwind_m=7 * 168,
                             crosswind_m=4 * 168, direction_deg=330, farm="GEM offshore record", crs=CRS)
    assert len(farm) == round(rec["Capacity (MW)"] / 8.0)  # 196 MW / 8 MW -> 24 turbines
    xy = np.column_stack([farm.geometry.x, farm.geometry.y])
    d = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    assert d[~np.eye(len(xy), dtype=bool)].min() == pytest.approx(4 * 168, rel=1e-6)  # the crosswind spacing
    assert np.allclose(xy.mean(axis=0), [pt.x, pt.y], atol=4 * 168)  # centred on the registry point
    with pytest.raises(LayerError, match="capacity"):
        lay_registry_farm(pt.x, pt.y, 0.0, t, hub_height_m=110, downwind_m=1, crosswind_m=1, direction_deg=0,
                          farm="x", crs=CRS)
