"""The 三调 land-class code table: land-class codes (DLBM) and the layer kinds each feeds.

The code table ``binhai_geo/data/dlbm_mapping.csv`` (plain UTF-8 CSV, columns :data:`MAPPING_COLUMNS`) maps
each GB/T 21010-2017 / 三调 land-class code to zero or more layer kinds of :mod:`binhai_geo.layermodel`;
each row may set one attribute of its kind (``forest_type = tree_forest``). A code whose single row has an
empty ``layer_kind`` is known and ignored. :func:`load_mapping` reads and checks a table (every problem named
with its CSV line); :func:`normalise_codes` restores codes as surveys store them. The survey's features are
split by :func:`binhai_geo.landsurvey.split_by_kind`.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pandas as pd

from binhai_geo.errors import LayerError
from binhai_geo.factors import packaged_table
from binhai_geo.layermodel import LAYER_KINDS, FieldSpec, fields_of

#: Columns of the code table, in order.
MAPPING_COLUMNS: tuple[str, ...] = ("dlbm", "dlmc", "name_en", "layer_kind", "attribute", "value", "notes")

#: Where the packaged code table lives inside the package.
PACKAGED_MAPPING = "dlbm_mapping.csv"

#: Fields of a layer kind filled from the survey's own attributes, never from the code table.
DATA_FIELDS: frozenset[str] = frozenset({"canopy_cover"})

#: Shape of a land-class code: two digits (``09``), or four characters after them (``0301``,
#: ``05H1``), optionally with one suffix letter or digit (``1104A``, ``0301K``, ``08H2A``).
CODE_PATTERN = re.compile(r"^\d{2}(?:[0-9A-Z]{2}[0-9A-Z]?)?$")


def packaged_mapping_path() -> str:
    """Return the path of the packaged code table (to copy and edit).

    Returns
    -------
    str
        Path of ``binhai_geo/data/dlbm_mapping.csv``.
    """
    return str(packaged_table(PACKAGED_MAPPING))


def normalise_codes(values: pd.Series) -> pd.Series:
    """Return land-class codes as upper-case strings with their leading zeros restored.

    Parameters
    ----------
    values : pandas.Series
        Codes as read: strings (``"0301"``, ``"1104a"``), integers or floats that lost the leading
        zero (``301``, ``301.0``), or missing values.

    Returns
    -------
    pandas.Series
        Nullable string series, same index: ``301`` -> ``"0301"``, ``9`` -> ``"09"``, ``" 1104a "``
        -> ``"1104A"``; missing or blank values are ``<NA>``. Values that are not codes are kept
        (upper-cased) so that they are reported as unknown codes.
    """
    s = values.astype("string").str.strip().str.upper()
    s = s.str.replace(r"^(\d+)\.0*$", r"\1", regex=True)
    s = s.mask(s.str.fullmatch(r"\d{3}", na=False), "0" + s)
    s = s.mask(s.str.fullmatch(r"\d", na=False), "0" + s)
    return s.mask(s == "")


def convert_value(spec: FieldSpec, text: str) -> Any:
    """Convert a code-table value to the field's type, or raise ValueError saying why not."""
    if spec.dtype == "str":
        value: Any = text
    elif spec.dtype in ("float", "int"):
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
        if spec.dtype == "int":
            if not value.is_integer():
                raise ValueError(f"'{text}' is not a whole number")
            value = int(value)
        if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
            raise ValueError(f"{text} is outside the range {spec.min} to {spec.max}")
    elif spec.dtype == "bool":
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes"):
            value = True
        elif lowered in ("false", "0", "no"):
            value = False
        else:
            raise ValueError(f"'{text}' is not true or false")
    else:  # pragma: no cover - the layer model only uses the four types above
        raise ValueError(f"unsupported field type '{spec.dtype}'")
    if spec.allowed is not None and value not in spec.allowed:
        raise ValueError(f"'{text}' is not one of: {', '.join(spec.allowed)}")
    return value


def _row_problems(row: pd.Series) -> list[tuple[str, str]]:
    """Return (column, problem) pairs for one code-table row."""
    problems: list[tuple[str, str]] = []
    code, kind_name, attribute, value = row["dlbm"], row["layer_kind"], row["attribute"], row["value"]
    if code == "":
        problems.append(("dlbm", "the code is empty"))
    elif not CODE_PATTERN.match(code):
        problems.append(("dlbm", f"'{code}' is not a land-class code (like 0301, 09, 05H1 or 1104A)"))
    if row["dlmc"] == "":
        problems.append(("dlmc", f"code {code} has no Chinese name (dlmc)"))
    if (attribute == "") != (value == ""):
        problems.append(("value", "attribute and value must both be given or both be empty"))
    if kind_name == "":
        if attribute != "":
            problems.append(("attribute", "an ignored code (empty layer_kind) cannot set an attribute"))
        return problems
    if kind_name not in LAYER_KINDS:
        known = ", ".join(sorted(LAYER_KINDS))
        problems.append(("layer_kind", f"unknown layer kind '{kind_name}'; known kinds: {known}"))
        return problems
    kind = LAYER_KINDS[kind_name]
    if "polygon" not in kind.geometry:
        problems.append(("layer_kind", f"layer kind '{kind_name}' holds no polygons, 三调 features are"))
    names = {f.name for f in fields_of(kind)}
    if attribute != "":
        if attribute not in names:
            problems.append(
                (
                    "attribute",
                    f"layer kind '{kind_name}' has no field '{attribute}'; it has: {', '.join(sorted(names))}",
                )
            )
        elif attribute == "source" or attribute in DATA_FIELDS:
            problems.append(("attribute", f"field '{attribute}' is filled from the survey data, not the table"))
        else:
            try:
                convert_value(kind.field(attribute), value)
            except ValueError as exc:
                problems.append(("value", f"bad value for {kind_name}.{attribute}: {exc}"))
    for spec in fields_of(kind):
        if spec.required and spec.name not in DATA_FIELDS and spec.name != attribute:
            problems.append(
                ("attribute", f"layer kind '{kind_name}' requires field '{spec.name}'; set it as attribute/value")
            )
    return problems


def validate_mapping(table: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Check a code table and return it cleaned.

    Parameters
    ----------
    table : pandas.DataFrame
        The code table, columns :data:`MAPPING_COLUMNS` (extra columns are kept).
    file : str, optional
        Where the table comes from, for error messages.

    Returns
    -------
    pandas.DataFrame
        The table as strings with blanks stripped, codes normalised (:func:`normalise_codes`) and a
        fresh index.

    Raises
    ------
    LayerError
        Listing every problem: missing columns, malformed codes, unknown layer kinds, attributes that
        are not fields of their kind, values not allowed, required fields no row sets, a code given
        twice for one kind, or a code both ignored and mapped. Rows are named by their CSV line.
    """
    missing = [c for c in MAPPING_COLUMNS if c not in table.columns]
    if missing:
        raise LayerError(
            f"the land-class code table lacks column(s) {', '.join(missing)}",
            file=file,
            hint=f"the table needs the columns {','.join(MAPPING_COLUMNS)} (see {packaged_mapping_path()})",
        )
    out = table.reset_index(drop=True).copy()
    for col in MAPPING_COLUMNS:
        out[col] = out[col].astype("string").fillna("").str.strip().astype(object)
    out["dlbm"] = normalise_codes(out["dlbm"]).fillna("").astype(object)
    out["layer_kind"] = out["layer_kind"].str.strip()

    problems: list[tuple[int, str, str]] = []
    for i, row in out.iterrows():  # the table has ~100 rows: checked row by row for clear messages
        problems.extend((int(i) + 2, col, msg) for col, msg in _row_problems(row))
    dup = out[out["layer_kind"] != ""].duplicated(["dlbm", "layer_kind"], keep="first")
    for i in dup[dup].index:
        problems.append(
            (int(i) + 2, "layer_kind", f"code {out.at[i, 'dlbm']} is mapped to '{out.at[i, 'layer_kind']}' twice")
        )
    ignored = out.loc[out["layer_kind"] == "", "dlbm"]
    both = out[(out["layer_kind"] != "") & out["dlbm"].isin(ignored)]
    for i in both.index:
        problems.append(
            (int(i) + 2, "layer_kind", f"code {out.at[i, 'dlbm']} is both ignored (empty layer_kind) and mapped")
        )
    dup_ignored = ignored[ignored.duplicated()]
    for i in dup_ignored.index:
        problems.append((int(i) + 2, "dlbm", f"code {out.at[i, 'dlbm']} is listed twice as ignored"))
    if problems:
        problems.sort()
        line, col, msg = problems[0]
        hint = f"fix the row(s) named; the packaged table {packaged_mapping_path()} shows the format"
        if len(problems) == 1:
            raise LayerError(msg, file=file, feature=f"CSV line {line}", field=col, hint=hint)
        listing = "\n".join(f"  - line {ln}, column '{c}': {m}" for ln, c, m in problems)
        raise LayerError(f"{len(problems)} problems in the land-class code table:\n{listing}", file=file, hint=hint)
    return out


def load_mapping(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and check the land-class code table.

    Parameters
    ----------
    path : str or path-like, optional
        A UTF-8 CSV with columns :data:`MAPPING_COLUMNS` (a byte-order mark, as Excel writes, is
        accepted). It replaces the packaged table entirely. Default: the packaged
        ``binhai_geo/data/dlbm_mapping.csv``.

    Returns
    -------
    pandas.DataFrame
        The table, all columns strings (empty string for empty cells), codes normalised.

    Raises
    ------
    LayerError
        When the file is missing, not UTF-8, not CSV, or fails :func:`validate_mapping`.
    """
    if path is None:
        label = f"{packaged_mapping_path()} (packaged)"
        with open(packaged_mapping_path(), "rb") as fh:
            table = pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        return validate_mapping(table, file=label)
    label = os.fspath(path)
    if not os.path.isfile(label):
        raise LayerError(
            "the land-class code table does not exist",
            file=label,
            hint=f"give the path of a CSV like the packaged {packaged_mapping_path()}",
        )
    try:
        table = pd.read_csv(label, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LayerError(
            "the land-class code table is not UTF-8 text",
            file=label,
            hint="save it as 'CSV UTF-8' (Excel) or re-encode it from GBK to UTF-8",
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LayerError(
            f"the land-class code table cannot be read as CSV: {exc}",
            file=label,
            hint="quote cells that contain commas; keep one header line",
        ) from None
    return validate_mapping(table, file=label)


def mapping_table(mapping: pd.DataFrame | str | os.PathLike[str] | None) -> pd.DataFrame:
    """Return a checked code table: the packaged one (None), a given table, or the table of a CSV path."""
    if mapping is None:
        return load_mapping()
    if isinstance(mapping, pd.DataFrame):
        return validate_mapping(mapping)
    return load_mapping(mapping)
