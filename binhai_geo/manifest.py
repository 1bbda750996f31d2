"""Run manifests: what went into a run and what came out, for reproducibility."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

#: Packages whose versions every manifest records.
RECORDED_PACKAGES = (
    "binhai_geo",
    "numpy",
    "pandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "geopandas",
    "pydantic",
    "folium",
    "xstatic-leaflet",
)


def sha256_of(path: str | Path, chunk_bytes: int = 1 << 20) -> str:
    """Return the hex SHA-256 digest of a file."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(chunk_bytes):
            h.update(chunk)
    return h.hexdigest()


def package_versions(names: Iterable[str] = RECORDED_PACKAGES) -> dict[str, str]:
    """Return installed versions of ``names`` ("not installed" where missing)."""
    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = "not installed"
    return out


def build_manifest(
    *,
    workflow_path: Path,
    workflow: Mapping,
    inputs: Iterable[Path],
    outputs: Iterable[Path],
    summary: Mapping,
    shown_as: Callable[[Path], Path] | None = None,
) -> str:
    """Return the manifest as JSON text.

    Parameters
    ----------
    workflow_path : pathlib.Path
        The workflow file.
    workflow : mapping
        The validated workflow content.
    inputs, outputs : iterable of pathlib.Path
        Files read and written (each recorded with its size and SHA-256).
    summary : mapping
        Headline figures of the run.
    shown_as : callable, optional
        Maps a file's path to the path recorded (e.g. a staged output to its final place).
    """

    def files(paths: Iterable[Path]) -> list[dict]:
        return [
            {"path": str(shown_as(p) if shown_as else p), "bytes": p.stat().st_size, "sha256": sha256_of(p)}
            for p in sorted({Path(p) for p in paths})
        ]

    doc = {
        "tool": "binhai_geo",
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "packages": package_versions(),
        "workflow_file": str(workflow_path),
        "workflow": workflow,
        "inputs": files(inputs),
        "outputs": files(outputs),
        "summary": summary,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str)
