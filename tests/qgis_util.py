"""Run QGIS (Debian's PyQGIS, system Python) on a plan run's project; skip plainly when it is missing.

A plain helper module for tests: :func:`qgis_report` runs ``tests/deliverables/qgis_check.py`` with
``/usr/bin/python3`` in a subprocess (PyQGIS is not installable into the project's venv) and returns the
JSON it prints: what QGIS sees of the project and of each layer, and the path of the rendered PNG.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

#: The Python that has PyQGIS (Debian packages qgis and python3-qgis).
QGIS_PYTHON = os.environ.get("BINHAI_QGIS_PYTHON", "/usr/bin/python3")
CHECK = Path(__file__).parent / "deliverables" / "qgis_check.py"
#: Rendered PNGs are kept here (outside the repository, outside pytest's rotating folders) to be looked at.
PNG_DIR = Path(tempfile.gettempdir()) / "binhai_geo-qgis"
SKIP_REASON = ("QGIS not installed: QGIS tests skipped (install Debian packages qgis and python3-qgis; "
               "`make test` installs them when run as root)")


def qgis_available() -> bool:
    """Whether ``QGIS_PYTHON`` imports ``qgis.core``."""
    if not Path(QGIS_PYTHON).exists():
        return False
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    res = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, env=env, timeout=120)
    return res.returncode == 0


def qgis_report(project: Path, png_name: str) -> dict:
    """Open ``project`` in headless QGIS, render it to ``PNG_DIR/png_name``; return what QGIS saw.

    Skips the calling test when QGIS is not installed. The report's ``png`` is the PNG's path.
    """
    if not qgis_available():
        pytest.skip(SKIP_REASON)
    PNG_DIR.mkdir(parents=True, exist_ok=True)
    png = PNG_DIR / png_name
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    res = subprocess.run([QGIS_PYTHON, str(CHECK), str(project), str(png)], capture_output=True, text=True,
                         env=env, timeout=240)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    report["png"] = str(png)
    return report
