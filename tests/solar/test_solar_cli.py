"""binhai-geo pv: good runs, and each bad input exits 2 with a message and no output."""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
import shapely
from solar_testdata import default_year, write_epw
from typer.testing import CliRunner

from binhai_geo.cli import app
from binhai_geo.siting.sites import SITE_COLUMNS

from conftest import synthetic_layers

runner = CliRunner()


@pytest.fixture
def layers_file(tmp_path):
    path = tmp_path / "sites.gpkg"
    for kind in ("salt_pan", "rooftop", "offshore_zone"):
        pyogrio.write_dataframe(synthetic_layers()[kind], path, layer=kind, driver="GPKG", append=path.exists())
    return path


def test_good_runs(tmp_path, layers_file):
    before = layers_file.read_bytes()
    out = tmp_path / "salt.csv"
    r = runner.invoke(app, ["pv", str(layers_file), "--kind", "salt_pan", "--out", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert list(df.columns) == [*SITE_COLUMNS, "weather_distance_km"] and len(df) == 1
    assert df["weather_distance_km"].isna().all()  # the default year: no station
    assert df.loc[0, "energy_mwh_per_yr"] > 0 and "stand-in" in r.output
    gpkg = tmp_path / "roofs.gpkg"
    r = runner.invoke(app, ["pv", str(layers_file), "--kind", "rooftop", "--layer", "rooftop", "--out", str(gpkg),
                            "--weather", str(write_epw(tmp_path / "w.epw"))])
    assert r.exit_code == 0, r.output
    roofs = pyogrio.read_dataframe(gpkg, layer="sites")
    assert len(roofs) == 3 and (roofs["energy_mwh_per_yr"] > 0).all()
    r = runner.invoke(app, ["pv", str(layers_file), "--kind", "offshore_zone", "--archetype", "floating",
                            "--tilt", "10", "--out", str(tmp_path / "sea.csv")])
    assert r.exit_code == 0, r.output
    assert pd.read_csv(tmp_path / "sea.csv").loc[0, "capacity_density"] == pytest.approx(98.0, abs=0.05)
    assert layers_file.read_bytes() == before


def _bad_weather(tmp_path, how: str):  # noqa: ANN202
    df = default_year().copy()
    if how == "nan":
        df.loc[df.index[4000], "ghi"] = float("nan")
    elif how == "joules":
        df[["ghi", "dni", "dhi"]] *= 3600
    path = write_epw(tmp_path / f"{how}.epw", df, tz="" if how == "notz" else "8.0")
    if how == "gap":
        lines = path.read_text().splitlines()
        path.write_text("\n".join(lines[:1000] + lines[1010:]) + "\n")
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weather", "nan"], "missing value"),
        (["--weather", "gap"], "gap in the weather"),
        (["--weather", "joules"], "J/m2"),
        (["--weather", "notz"], "no time zone"),
        (["--tilt", "95"], "outside the allowed range 0 to 90"),
        (["--module", "Jinko_JKM999M"], "unknown module"),
        (["--inverter", "SMA_nothing"], "unknown inverter"),
        (["--archetype", "solar_tower"], "archetype 'solar_tower'"),
        (["--kind", "forest"], "not a PV surface"),
        (["--out-suffix", ".xlsx"], "must end in .gpkg or .csv"),
        (["--zero-area"], "zero area"),
    ],
)
def test_bad_input_exit_2(tmp_path, layers_file, args, message):
    before = layers_file.read_bytes()
    out = tmp_path / "out.csv"
    cmd = ["pv", str(layers_file), "--kind", "salt_pan", "--layer", "salt_pan"]
    if args[0] == "--weather":
        cmd += ["--weather", str(_bad_weather(tmp_path, args[1]))]
    elif args[0] == "--kind":
        cmd = ["pv", str(layers_file), "--kind", args[1]]
    elif args[0] == "--out-suffix":
        out = tmp_path / f"out{args[1]}"
    elif args[0] == "--zero-area":
        gdf = synthetic_layers()["salt_pan"]
        x, y = gdf.geometry.iloc[0].bounds[:2]
        gdf.loc[0, "geometry"] = shapely.box(x, y, x + 1e-7, y + 1e-7)  # collapses to nothing in the file
        layers_file = tmp_path / "zero.gpkg"
        pyogrio.write_dataframe(gdf, layers_file, layer="salt_pan", driver="GPKG")
        before = layers_file.read_bytes()
        cmd = ["pv", str(layers_file), "--kind", "salt_pan"]
    else:
        cmd += args
    r = runner.invoke(app, [*cmd, "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert message in r.output.replace("\n", " ")
    assert "Traceback" not in r.output
    assert not out.exists() and not list(tmp_path.glob(".out*"))
    assert layers_file.read_bytes() == before
