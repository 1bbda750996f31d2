"""Atomic output: write to a temporary file beside the target, then rename over it.

A reader never sees a half-written output, and a failure leaves the previous file (or nothing) in place.

Two more guarantees live here, so every command has them without code of its own:

- **Inputs are never overwritten.** While an input guard is active (:func:`guard_inputs`, entered by the
  command line for every command), every file read is noted (:func:`note_input`) and every write through
  :func:`atomic_path` is refused when its target is one of them: the same path, a symbolic link to it or a
  hard link of it (compared with :func:`os.path.samefile`, i.e. by device and inode).
- **A run's outputs appear all together or not at all.** :func:`output_set` stages every file of a run in
  a temporary sibling folder and moves them into place at the end; on any failure, SIGINT or SIGTERM the
  previous set stays intact and no temporary file remains.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from binhai_geo.errors import OutputError

#: The files read by the current command (None: no guard active, e.g. in library use).
_INPUTS: contextvars.ContextVar[set[Path] | None] = contextvars.ContextVar("binhai_geo_inputs", default=None)


@contextlib.contextmanager
def guard_inputs() -> Iterator[set[Path]]:
    """Note every input read inside the block and refuse any output that is one of them."""
    token = _INPUTS.set(set())
    try:
        yield _INPUTS.get()
    finally:
        _INPUTS.reset(token)


def start_input_guard() -> Callable[[], None]:
    """Start an input guard and return the function that ends it (for click's ``call_on_close``)."""
    token = _INPUTS.set(set())
    return lambda: _INPUTS.reset(token)


def note_input(path: str | os.PathLike[str]) -> None:
    """Record ``path`` as an input of the current command (no-op without an active guard)."""
    seen = _INPUTS.get()
    if seen is not None:
        seen.add(Path(path).absolute())


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare the resolved paths
        return a.resolve() == b.resolve()


def refuse_input(target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] | None = None) -> None:
    """Raise :class:`OutputError` when ``target`` is one of ``inputs`` (default: the guarded inputs).

    Same path, a symbolic link to an input and a hard link of an input all count as the input.
    """
    pool = list(inputs) if inputs is not None else list(_INPUTS.get() or ())
    t = Path(target)
    for inp in pool:
        if _same_file(t, Path(inp)):
            raise OutputError(
                f"the output would overwrite an input of this run ('{inp}')",
                file=str(t),
                hint="choose another output name or folder; inputs are never overwritten",
            )


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
    refuse_input(target)
    if target.is_dir():
        raise OutputError("the output names an existing folder, not a file", file=str(target),
                          hint="give a file name inside the folder, e.g. FOLDER/result.csv")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output's folder: {exc.strerror or exc}", file=str(target.parent),
                          hint="a part of the path is an existing file, or the place is not writable; "
                          "choose another output location") from None
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


class _Signals:
    """SIGINT/SIGTERM as :class:`KeyboardInterrupt` while staging; held back while committing."""

    def __init__(self) -> None:
        self.pending: int | None = None
        self.defer = False
        self.saved: dict[int, object] = {}

    def _handler(self, signum: int, frame: object) -> None:
        if self.defer:
            self.pending = signum
            return
        raise KeyboardInterrupt(f"signal {signum}")

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self.saved.items():
            signal.signal(sig, old)  # type: ignore[arg-type]


class OutputSet:
    """The files of one run, staged in a hidden folder and moved into ``final_dir`` together.

    Attributes
    ----------
    final_dir : pathlib.Path
        Where the outputs go.
    stage : pathlib.Path
        The hidden temporary folder they are written into first (inside ``final_dir``, so that the final
        moves are renames on one file system).
    """

    def __init__(self, final_dir: Path, stage: Path) -> None:
        self.final_dir = final_dir
        self.stage = stage

    def final(self, staged: str | os.PathLike[str]) -> Path:
        """Return where a staged file will be once the set is committed (other paths are returned as given)."""
        p = Path(staged)
        return self.final_dir / p.relative_to(self.stage) if p.is_relative_to(self.stage) else p

    def _commit(self, replaces: Iterable[Path], signals: _Signals) -> None:
        names = sorted(p.relative_to(self.stage) for p in self.stage.rglob("*")
                       if p.is_file() and not p.name.startswith(".previous"))
        for name in names:
            refuse_input(self.final_dir / name)
        stale = [Path(p) for p in replaces if Path(p).parent == self.final_dir
                 and Path(p).name not in {str(n) for n in names} and Path(p).is_file()]
        backup = self.stage / ".previous"
        backup.mkdir()
        signals.defer = True  # the moves below are quick renames: finish them, then honour a signal
        saved: list[Path] = []
        try:
            for name in [*names, *(p.relative_to(self.final_dir) for p in stale)]:
                old = self.final_dir / name
                if old.is_file():
                    (backup / name).parent.mkdir(parents=True, exist_ok=True)
                    os.replace(old, backup / name)
                    saved.append(name)
            for name in names:
                (self.final_dir / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.stage / name, self.final_dir / name)
        except BaseException:
            for name in names:  # take back what was moved, put the previous set back
                with contextlib.suppress(OSError):
                    if (self.final_dir / name).is_file() and not (self.stage / name).exists():
                        os.replace(self.final_dir / name, self.stage / name)
            for name in saved:
                with contextlib.suppress(OSError):
                    os.replace(backup / name, self.final_dir / name)
            raise
        finally:
            signals.defer = False


@contextlib.contextmanager
def output_set(final_dir: str | os.PathLike[str], *, replaces: Iterable[str | os.PathLike[str]] = ()
               ) -> Iterator[OutputSet]:
    """Stage a run's outputs and move them into ``final_dir`` together at the end of the block.

    Parameters
    ----------
    final_dir : path-like
        The output folder (created if needed; checked writable).
    replaces : iterable of path-like
        Files of the previous run in ``final_dir`` (e.g. from its manifest); those not written again are
        removed on commit, so the folder holds one consistent set.

    Yields
    ------
    OutputSet
        Write into ``set.stage``; ``set.final(path)`` gives a staged file's final place.

    Raises
    ------
    OutputError
        When the folder cannot be written, or an output would overwrite an input.

    Notes
    -----
    On an exception, SIGINT or SIGTERM inside the block (raised as :class:`KeyboardInterrupt`) nothing
    is moved: the previous outputs stay as they were and the staging folder is removed. A signal that
    arrives while the files are being moved into place is honoured after the moves.
    """
    final = check_writable_dir(final_dir).absolute()
    stage = Path(tempfile.mkdtemp(prefix=".binhai-geo-staging-", dir=final))
    try:
        with _Signals() as signals:
            outputs = OutputSet(final, stage)
            yield outputs
            outputs._commit([Path(p) for p in replaces], signals)
            if signals.pending is not None:
                raise KeyboardInterrupt(f"signal {signals.pending}")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
