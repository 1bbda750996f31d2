"""Atomic output: write to a temporary file beside the target, then rename over it.

A reader never sees a half-written output, and a failure leaves the previous file (or nothing) in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from binhai_geo.errors import OutputError


def check_writable_dir(directory: str | os.PathLike[str]) -> Path:
    """Create ``directory`` if needed and check that files can be written in it.

    Raises
    ------
    OutputError
        When the folder cannot be created or written, naming it and saying how to fix it.
    """
    d = Path(directory)
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=d)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(
            f"the output folder cannot be written ({exc.strerror or exc})",
            file=str(d),
            hint="choose a folder you can write to (workflow [outputs] dir, or --out-dir)",
        ) from None
    return d


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it to ``path``.

    The temporary file keeps the target's suffix so that format drivers chosen by extension
    (GeoPackage, CSV) work on it. On error the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=f"{target.suffix}.part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # Drivers such as the GeoPackage one want to create the file themselves.
    tmp.unlink()
    tmp_with_suffix = tmp.with_name(tmp.name[: -len(".part")])
    try:
        yield tmp_with_suffix
        os.replace(tmp_with_suffix, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_with_suffix.unlink()
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_with(path: str | os.PathLike[str], writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and move the result to ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)
