"""Sector-wise climates: WAsP .tab and .lib, sector CSV, ERA5 sector fits, and their bad inputs."""

import geopandas as gpd
import numpy as np
import pytest
from scipy.stats import weibull_min
from shapely.geometry import box
from typer.testing import CliRunner

from binhai_geo.cli import app
from binhai_geo.errors import WorkflowError
from binhai_geo.wind.resource import zone_resource
from binhai_geo.wind.sectors import fit_sectors, read_lib, read_tab, wasp_fit

from conftest import CRS, X0, Y0

A_TRUE = [7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5]
K_TRUE = [1.8, 2.0, 2.2, 2.4, 2.0, 2.2, 1.8, 2.0, 2.2, 2.4, 2.0, 2.2]
F_PCT = [10, 5, 5, 5, 5, 10, 15, 10, 5, 5, 10, 15]


def _tab_text(freq=F_PCT, n_cols=12, bad_column=False):
    """A WAsP .tab with 1 m/s bins whose per-sector histograms are exact Weibull bin probabilities."""
    edges = np.arange(0.0, 31.0)
    lines = ["Synthetic OWC for tests", " 39.00 117.90 100.0", " 12 1.00 0.00", " " + " ".join(f"{f:g}" for f in freq)]
    probs = []
    for a, k in zip(A_TRUE, K_TRUE, strict=True):
        p = np.diff(weibull_min.cdf(edges, k, scale=a))
        probs.append(1000 * p / p.sum())
    probs = np.array(probs).T
    if bad_column:
        probs[:, 3] *= 0.9
    for u, row in zip(edges[1:], probs, strict=True):
        lines.append(f"{u:g} " + " ".join(f"{v:.4f}" for v in row[:n_cols]))
    return "\n".join(lines) + "\n"


def _lib_text(freq=F_PCT):
    z0 = [0.0002, 0.03, 0.1, 0.4, 1.5]
    heights = [10, 25, 50, 100, 200]
    lines = ["Synthetic GWC for tests", " 5 5 12", " " + " ".join(map(str, z0)), " " + " ".join(map(str, heights))]
    for r in range(5):
        lines.append(" " + " ".join(f"{f:g}" for f in freq))
        for h in heights:
            scale = (1 - 0.05 * r) * (h / 100) ** 0.1
            lines.append(" " + " ".join(f"{a * scale:.3f}" for a in A_TRUE))
            lines.append(" " + " ".join(f"{k:.3f}" for k in K_TRUE))
    return "\n".join(lines) + "\n"


def test_wasp_fit_recovers_weibull():
    edges = np.arange(0.0, 31.0, 0.5)
    p = np.diff(weibull_min.cdf(edges, 2.1, scale=8.0))
    a, k = wasp_fit(edges[:-1], edges[1:], p)
    assert a == pytest.approx(8.0, rel=0.01) and k == pytest.approx(2.1, rel=0.03)


def test_read_tab(tmp_path):
    f = tmp_path / "mast.tab"
    f.write_text(_tab_text(), encoding="utf-8")
    c = read_tab(f)
    assert c.height_m == 100 and c.n_sectors == 12
    assert c.frequency.sum() == pytest.approx(1.0) and c.frequency[6] == pytest.approx(0.15)
    assert np.allclose(c.a_mps, A_TRUE, rtol=0.02) and np.allclose(c.k, K_TRUE, rtol=0.05)


def test_read_lib_picks_class_and_height(tmp_path):
    f = tmp_path / "site.lib"
    f.write_text(_lib_text(), encoding="utf-8")
    sea = read_lib(f, roughness_m=0.0002, height_m=110.0)
    assert sea.height_m == 100 and np.allclose(sea.a_mps, A_TRUE, atol=1e-3)
    land = read_lib(f, roughness_m=0.03, height_m=60.0)
    assert land.height_m == 50 and np.allclose(land.a_mps, np.array(A_TRUE) * 0.95 * 0.5**0.1, atol=2e-3)
    assert "z0 = 0.03 m" in land.source


@pytest.mark.parametrize("case", ["tab_sum", "tab_sectors", "tab_histogram", "lib_sum"])
def test_bad_wasp_files(tmp_path, case):
    if case.startswith("tab"):
        f = tmp_path / "bad.tab"
        text = {"tab_sum": _tab_text(freq=[9] * 12), "tab_sectors": _tab_text(n_cols=11),
                "tab_histogram": _tab_text(bad_column=True)}[case]
        f.write_text(text, encoding="utf-8")
        expect = {"tab_sum": "sum to 108", "tab_sectors": "11 sector values", "tab_histogram": "sector 3"}[case]
        with pytest.raises(WorkflowError, match=expect) as e:
            read_tab(f)
    else:
        f = tmp_path / "bad.lib"
        f.write_text(_lib_text(freq=[5] * 12), encoding="utf-8")
        with pytest.raises(WorkflowError, match="sum to 60") as e:
            read_lib(f, 0.0002, 100)
    assert e.value.file == str(f)


def _zones():
    return gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[box(X0 + 7500, Y0 + 4000, X0 + 9500, Y0 + 6000)], crs=CRS)


def test_sector_csv_and_tab_as_zone_resource(tmp_path):
    f = tmp_path / "sectors.csv"
    rows = ["sector_deg,frequency,weibull_a_mps,weibull_k,reference_height_m,turbulence_intensity"]
    rows += [f"{30 * i},{F_PCT[i] / 100},{A_TRUE[i]},{K_TRUE[i]},100,0.07" for i in range(12)]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = zone_resource(_zones(), np.array(["sea"]), resource=str(f))
    assert np.allclose(res.a_sector[0], A_TRUE) and np.allclose(res.rose[0], np.array(F_PCT) / 100)
    assert res.table["turbulence_intensity"].iloc[0] == pytest.approx(0.07)
    tab = tmp_path / "mast.tab"
    tab.write_text(_tab_text(), encoding="utf-8")
    res2 = zone_resource(_zones(), np.array(["sea"]), resource=str(tab))
    assert np.allclose(res2.a_sector[0], A_TRUE, rtol=0.02)
    with pytest.raises(WorkflowError, match="wind_rose has 8 sectors"):
        zone_resource(_zones(), np.array(["sea"]), resource=str(tab), rose=[0.125] * 8)


def test_era5_style_series_fitted_per_sector():
    rng = np.random.default_rng(3)
    n = 6000
    from_north = rng.random(n) < 0.5
    speed = np.where(from_north, 9.0 * rng.weibull(2.4, n), 6.0 * rng.weibull(1.9, n))
    direction = np.where(from_north, 0.0, 180.0) + rng.uniform(-10, 10, n)
    c = fit_sectors(speed, direction, 12, 100.0, "test")
    assert c.frequency[0] == pytest.approx(0.5, abs=0.03) and c.frequency[6] == pytest.approx(0.5, abs=0.03)
    assert c.a_mps[0] == pytest.approx(9.0, rel=0.04) and c.a_mps[6] == pytest.approx(6.0, rel=0.04)
    assert c.k[0] == pytest.approx(2.4, rel=0.08)


def test_bad_tab_by_cli_exit_2(tmp_path):
    import pyogrio

    zones = tmp_path / "zones.gpkg"
    pyogrio.write_dataframe(_zones().assign(allowed_use="wind").drop(columns="site_id"), zones, driver="GPKG")
    tab = tmp_path / "bad.tab"
    tab.write_text(_tab_text(freq=[9] * 12), encoding="utf-8")
    out = tmp_path / "w.csv"
    res = CliRunner().invoke(app, ["wind", str(zones), "--kind", "offshore_zone", "--out", str(out), "--resource",
                                   str(tab), "--no-wakes"])
    assert res.exit_code == 2 and "sum to 108" in " ".join(res.output.split()) and not out.exists()
