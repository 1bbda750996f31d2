"""The default plan on the shipped Binhai region pack, compute only and with all outputs.

Baseline: loading and validating the layers alone (the part every run pays). The ratio says what the
rest of the plan (sites, indicators, targets, map, writing) adds on top.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from binhai_geo.config import load_workflow
from binhai_geo.layers import load_layers
from binhai_geo.pipeline import write_plan
from binhai_geo.runner import compute_plan

from benchmarks._harness import best_of

WORKFLOW = Path(__file__).resolve().parents[1] / "workflows" / "binhai_2025.toml"


def run() -> list[dict]:
    """Run the benchmark; return result rows."""
    wf = load_workflow(WORKFLOW)
    t_layers = best_of(lambda: load_layers(wf))
    t_compute = best_of(lambda: compute_plan(wf))
    with tempfile.TemporaryDirectory() as d:
        result = compute_plan(wf)
        t_write = best_of(lambda: write_plan(result, Path(d)))
        html = Path(d) / f"{wf.prefix}.html"
        size_mb = html.stat().st_size / 1e6
    return [
        {"benchmark": "plan: compute (layers, sites, indicators, targets)", "seconds": round(t_compute, 3),
         "baseline": "load + validate layers", "baseline_seconds": round(t_layers, 3),
         "ratio": round(t_compute / t_layers, 2)},
        {"benchmark": f"plan: map + write all outputs (map {size_mb:.1f} MB)", "seconds": round(t_write, 3),
         "baseline": "load + validate layers", "baseline_seconds": round(t_layers, 3),
         "ratio": round(t_write / t_layers, 2)},
    ]
