"""Run every benchmark and print a Markdown table for docs/benchmarks.md."""

from __future__ import annotations

import os
import platform

from benchmarks import bench_layers, bench_plan

BENCHMARKS = (bench_layers, bench_plan)


def main() -> None:
    """Run the benchmarks and print the results."""
    rows = []
    for mod in BENCHMARKS:
        print(f"running {mod.__name__} ...", flush=True)
        rows.extend(mod.run())
    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    cols = ("benchmark", "seconds", "baseline", "baseline_seconds", "ratio")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
