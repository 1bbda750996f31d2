"""PostGIS: 100,000 rooftop footprints read from a PostGIS table and results written back.

Baselines: the same through GeoPackage in the same process (``read_layer`` on a GeoPackage written by
pyogrio; ``write_gpkg_layers``, atomic). The server is a throwaway local cluster (``tests/pgserver.py``)
over TCP on 127.0.0.1, with ``fsync=off``: a production server with fsync on adds the commit's WAL flush,
and a server across a network adds transfer time (about 12 MB of WKB each way for 100,000 rectangles).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from binhai_geo.io import read_layer, write_gpkg_layers
from binhai_geo.layermodel import get_kind
from binhai_geo.postgis.spec import PostgisOutputSpec
from binhai_geo.postgis.write import write_run
from binhai_geo.validate import validate_layer

from benchmarks._harness import best_of
from benchmarks.bench_layers import N_ROOFTOPS, make_rooftops

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import pgserver  # noqa: E402


def _rows(name: str, ours: float, base: float, baseline: str, notes: str = "") -> dict:
    return {"benchmark": name, "seconds": round(ours, 3), "baseline": baseline, "baseline_seconds": round(base, 3),
            "ratio": round(ours / base, 2), "notes": notes}


def run() -> list[dict]:
    """Run the benchmark; return result rows (none, with a note, when PostgreSQL/PostGIS is missing)."""
    if not pgserver.available():
        return [{"benchmark": "PostGIS", "seconds": 0, "baseline": "-", "baseline_seconds": 0, "ratio": 0,
                 "notes": pgserver.SKIP_REASON}]
    roofs = make_rooftops(N_ROOFTOPS)
    kind = get_kind("rooftop")
    with pgserver.throwaway_cluster() as cluster, tempfile.TemporaryDirectory() as d:
        os.environ.update(cluster.env())
        dsn = cluster.dsn()
        gpkg = Path(d) / "rooftops.gpkg"
        write_gpkg_layers({"rooftop": roofs}, gpkg)
        write_run(PostgisOutputSpec(dsn=dsn, schema="survey"), "input", "bench", {"rooftop": roofs}, "{}")
        source = f"PG:{dsn} table=survey.rooftop"
        t_read_gpkg = best_of(lambda: validate_layer(read_layer(gpkg), kind))
        t_read_pg = best_of(lambda: validate_layer(read_layer(source), kind))
        n = iter(range(100))
        t_write_gpkg = best_of(lambda: write_gpkg_layers({"rooftop": roofs}, Path(d) / f"out{next(n)}.gpkg"))
        t_write_pg = best_of(lambda: write_run(PostgisOutputSpec(dsn=dsn, schema=f"fresh{next(n)}"), "r", "bench",
                                               {"rooftop": roofs}, "{}"))
        spec = PostgisOutputSpec(dsn=dsn, schema="rerun")
        write_run(spec, "r", "bench", {"rooftop": roofs}, "{}")
        t_rerun_pg = best_of(lambda: write_run(spec, "r", "bench", {"rooftop": roofs}, "{}"))
    n_txt = f"{N_ROOFTOPS:,} rooftops"
    return [
        _rows(f"read + validate {n_txt} from PostGIS (table, TCP localhost)", t_read_pg, t_read_gpkg,
              "read + validate from GeoPackage"),
        _rows(f"write {n_txt} to PostGIS (new schema: table, COPY, GiST + run_id indexes, one transaction)",
              t_write_pg, t_write_gpkg, "write_gpkg_layers (atomic GeoPackage)"),
        _rows(f"re-run: replace the run's {n_txt} in PostGIS (DELETE + COPY, indexes kept)", t_rerun_pg,
              t_write_gpkg, "write_gpkg_layers (atomic GeoPackage)"),
        _rows(f"round trip {n_txt}: read + validate + write back, PostGIS", t_read_pg + t_write_pg,
              t_read_gpkg + t_write_gpkg, "same through GeoPackage"),
    ]
