"""Errors a user can fix.

Every error raised for bad input is a :class:`BinhaiGeoError`. It names where the problem is
(file, layer, feature, field), what was expected, and how to fix it. The CLI prints it without a
traceback and exits with code 2.
"""

from __future__ import annotations

import errno


class BinhaiGeoError(Exception):
    """A problem with the user's input, configuration or output location.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    file : str, optional
        The file the problem is in.
    layer : str, optional
        The layer inside the file (GeoPackage layer name) or the layer kind.
    feature : int or str, optional
        The feature (row index or id) the problem is in.
    field : str, optional
        The attribute field the problem is in.
    hint : str, optional
        How to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        layer: str | None = None,
        feature: int | str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.layer = layer
        self.feature = feature
        self.field = field
        self.hint = hint
        super().__init__(str(self))

    def location(self) -> str:
        """Return where the problem is, as ``file 'x', layer 'y', feature 3, field 'z'``."""
        parts = []
        if self.file is not None:
            parts.append(f"file '{self.file}'")
        if self.layer is not None:
            parts.append(f"layer '{self.layer}'")
        if self.feature is not None:
            parts.append(f"feature {self.feature}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f"\n  How to fix: {self.hint}"
        return text


class LayerError(BinhaiGeoError):
    """A spatial layer cannot be read or does not match its layer kind."""


class WorkflowError(BinhaiGeoError):
    """A workflow or region file has unknown keys, bad values or missing files."""


class OutputError(BinhaiGeoError):
    """An output cannot be written where it was asked for."""


class MultipleErrors(BinhaiGeoError):
    """Several problems found at once (all are reported, not only the first).

    Parameters
    ----------
    errors : list of BinhaiGeoError
        The problems found.
    """

    def __init__(self, errors: list[BinhaiGeoError]) -> None:
        self.errors = list(errors)
        head = f"{len(self.errors)} problems found:"
        body = "\n".join(f"- {e}" for e in self.errors)
        super().__init__(f"{head}\n{body}")


class WeatherError(BinhaiGeoError):
    """A weather file cannot be read, or holds gaps, missing values, no time zone or implausible values."""


#: How to fix an operating-system error, by errno name.
_OS_HINTS = {
    "ENOSPC": "the disk is full: free space or choose another output folder",
    "EDQUOT": "the disk quota is used up: free space or choose another output folder",
    "EACCES": "you may not write (or read) here: choose a folder you can write to, or change its permissions",
    "EPERM": "you may not write (or read) here: choose a folder you can write to, or change its permissions",
    "EROFS": "the disk is read-only: choose a writable output folder",
    "EISDIR": "this is a folder: give a file name (inside it, for an output)",
    "ENOTDIR": "a part of the path is a file, not a folder: choose another path",
    "ENOENT": "check the path (relative paths are resolved against the current folder or the workflow's)",
    "EEXIST": "remove the existing file or choose another name",
    "ENAMETOOLONG": "use a shorter path",
}


def from_os_error(exc: OSError) -> BinhaiGeoError:
    """Turn an :class:`OSError` (full disk, read-only, a folder where a file was meant...) into a clear error.

    The message names the file, the system's reason and how to fix it; the CLI exits 2 for it.
    """
    name = errno.errorcode.get(exc.errno or -1, "")
    reason = exc.strerror or str(exc)
    where = exc.filename if exc.filename is not None else None
    if exc.filename2 is not None:
        reason += f" (with '{exc.filename2}')"
    return OutputError(f"cannot read or write: {reason}", file=None if where is None else str(where),
                       hint=_OS_HINTS.get(name, "check the path, the free disk space and your permissions"))
