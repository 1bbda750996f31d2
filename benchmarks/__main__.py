"""Run the benchmarks and print a Markdown table for docs/benchmarks.md.

``python -m benchmarks`` runs every ``benchmarks/bench_*.py`` module; ``python -m benchmarks solar wind``
runs ``bench_solar`` and ``bench_wind`` only. Each module has ``run() -> list[dict]`` with the keys
benchmark, seconds, baseline, baseline_seconds, ratio and optionally notes. Each module runs in its own
Python process (its baseline in that same process), so peak-memory figures of one benchmark never
include another's.
"""

from __future__ import annotations

import json
import os
import pkgutil
import platform
import subprocess
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
        code = f"import json, benchmarks.{name} as m; print('ROWS=' + json.dumps(m.run()))"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[1])
        found = [line for line in done.stdout.splitlines() if line.startswith("ROWS=")]
        if done.returncode != 0 or not found:
            sys.exit(f"{name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
        rows.extend(json.loads(found[-1][len("ROWS="):]))
    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in COLUMNS) + " |")


if __name__ == "__main__":
    main()
