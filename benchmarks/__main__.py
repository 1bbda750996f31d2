"""Run the benchmarks and print a Markdown table for docs/benchmarks.md.

``python -m benchmarks`` runs every ``benchmarks/bench_*.py`` module; ``python -m benchmarks solar wind``
runs ``bench_solar`` and ``bench_wind`` only. Each module has ``run() -> list[dict]`` with the keys
benchmark, seconds, baseline, baseline_seconds, ratio and optionally notes.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
from pathlib import Path

COLUMNS = ("benchmark", "seconds", "baseline", "baseline_seconds", "ratio", "notes")


def _modules(names: list[str]) -> list[str]:
    found = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    if not names:
        return found
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in names]
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        sys.exit(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(found)}")
    return wanted


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks named in ``argv`` (default: all) and print the results."""
    rows = []
    for name in _modules(list(sys.argv[1:] if argv is None else argv)):
        print(f"running {name} ...", flush=True)
        rows.extend(importlib.import_module(f"benchmarks.{name}").run())
    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in COLUMNS) + " |")


if __name__ == "__main__":
    main()
