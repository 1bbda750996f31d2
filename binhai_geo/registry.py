"""Readers for power-plant registries: GEM trackers, WRI's GPPD, and a planner's own as-built list.

One reader per source, as :mod:`pvlib.iotools` does: each maps the source's column names (by name, from the
table ``binhai_geo/data/registry_columns.csv``) and values (``registry_values.csv``: GEM's status scale,
GPPD's fuels, the pack's former statuses) to the ledger's canonical records, and checks every record.

Formats
-------
- **GEM** Global Solar / Wind Power Tracker: the shipped extract (GeoJSON points, a reduced copy without
  phase ids or names) and GEM's own download (Excel or CSV, one row per phase, ``Latitude`` / ``Longitude``,
  ``GEM phase ID``, ``Project Name``, ``Phase Name``, ``Location accuracy``, ...). Which tracker a file is
  (solar or wind) is read from its columns (``Technology Type`` or ``Installation Type``).
- **GPPD** v1.3.0: WRI's CSV (``gppd_idnr``, ``primary_fuel``, ``latitude``, ...) or the shipped extract.
- **as-built**: the ledger's own fields (``record_id, name, technology, capacity_mw, status, start_year,
  retired_year, owner, source`` and a point geometry or ``latitude`` / ``longitude``), as CSV, GeoJSON or
  GeoPackage; the planner's list of what is built.

Every reader returns points in EPSG:4326 with the columns :data:`RECORD_COLUMNS`. Bad records (unknown
status or fuel, missing or negative capacity, a capacity above the plausible size of one phase, a duplicate
id, no location) are raised together as :class:`~binhai_geo.errors.MultipleErrors`, each naming the file,
the record and the field.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from binhai_geo.errors import BinhaiGeoError, LayerError, MultipleErrors
from binhai_geo.factors import packaged_table, read_table

#: The ledger's canonical record fields (also the fields of the ``project`` layer kind).
RECORD_COLUMNS = ("record_id", "name", "name_zh", "technology", "capacity_mw", "status", "start_year",
                  "retired_year", "owner", "source", "location_accuracy", "accuracy_m", "as_of", "dataset",
                  "surface", "energy_mwh", "plan_project")
#: GEM's status scale, as the ledger uses it.
STATUSES = ("operating", "construction", "pre-construction", "announced", "shelved", "cancelled", "retired")
#: Attribution of the sources, for credits and provenance.
GEM_CREDIT = {
    "solar": "Global Energy Monitor, Global Solar Power Tracker",
    "wind": "Global Energy Monitor, Global Wind Power Tracker",
}
GPPD_CREDIT = ("Global Energy Observatory, Google, KTH Royal Institute of Technology in Stockholm, Enipedia, "
               "World Resources Institute. 2018. Global Power Plant Database")
AS_BUILT_REQUIRED = ("technology", "capacity_mw", "status")
_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                        "september", "october", "november", "december"), start=1)}


class RegistryError(LayerError):
    """A registry or as-built file with a bad record (names file, record and field)."""


@dataclass(frozen=True)
class RegistryTables:
    """The reader tables: column names, value mappings, technologies (bounds), ledger defaults."""

    columns: pd.DataFrame
    values: pd.DataFrame
    technologies: pd.DataFrame
    defaults: pd.DataFrame

    def default(self, parameter: str, technology: str = "*") -> float:
        """Return a value of ``ledger_defaults.csv`` for ``technology`` (falling back to the ``*`` row)."""
        d = self.defaults
        rows = d[(d["parameter"] == parameter) & (d["technology"] == technology)]
        if rows.empty:
            rows = d[(d["parameter"] == parameter) & (d["technology"] == "*")]
        if rows.empty:
            raise KeyError(f"ledger default '{parameter}' has no row for '{technology}' or '*'")
        return float(rows["value"].iloc[0])

    def mapping(self, source: str, field: str) -> dict[str, str]:
        """``{source value (lower case): canonical}`` for one source and field."""
        v = self.values[(self.values["source"] == source) & (self.values["field"] == field)]
        return {str(a).strip().lower(): b for a, b in zip(v["value"].fillna(""), v["canonical"], strict=True)}


def load_tables() -> RegistryTables:
    """Read the packaged registry tables.

    ``registry_columns.csv``, ``registry_values.csv``, ``ledger_technologies.csv``, ``ledger_defaults.csv``.
    """
    cols = read_table(packaged_table("registry_columns.csv"), "registry column table",
                      ("source", "canonical", "column", "required"), dtype=str)
    vals = read_table(packaged_table("registry_values.csv"), "registry value table",
                      ("source", "field", "value", "canonical"), dtype=str, keep_default_na=False)
    tech = read_table(packaged_table("ledger_technologies.csv"), "ledger technology table",
                      ("technology", "renewable", "generating", "max_phase_capacity_mw", "source"),
                      dtype={"technology": str})
    defaults = read_table(packaged_table("ledger_defaults.csv"), "ledger defaults table",
                          ("parameter", "technology", "value", "low", "high", "unit", "source"),
                          dtype={"parameter": str, "technology": str})
    return RegistryTables(cols, vals, tech.set_index("technology"), defaults)


def _read_frame(path: Path) -> pd.DataFrame:
    """Read a CSV, Excel (every sheet with a ``Status`` or ``status`` column, stacked) or vector file."""
    if not path.exists():
        raise RegistryError("file not found", file=str(path), hint="check the path")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        if suffix in (".xlsx", ".xls"):
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
            keep = [df.assign(_sheet=name) for name, df in sheets.items()
                    if {"Status", "status", "Capacity (MW)"} & set(df.columns)]
            if not keep:
                raise RegistryError("no sheet with a 'Status' or 'Capacity (MW)' column", file=str(path),
                                    hint="give GEM's tracker download or a sheet with the ledger's fields")
            return pd.concat(keep, ignore_index=True)
        with warnings.catch_warnings():  # GEM's 'N/A' in year columns: read as text on purpose
            warnings.filterwarnings("ignore", message="Could not parse column")
            gdf = pyogrio.read_dataframe(path)
    except BinhaiGeoError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a message naming the file
        raise RegistryError(f"cannot read the file: {exc}", file=str(path),
                            hint="give a CSV, Excel, GeoJSON or GeoPackage file") from None
    if gdf.crs is None:
        raise RegistryError("the file has no coordinate reference system", file=str(path),
                            hint="save it with a CRS (GeoJSON is WGS84 by definition)")
    gdf = gdf.to_crs(4326)
    out = pd.DataFrame(gdf.drop(columns="geometry")).astype(object).where(gdf.notna(), "")
    out = out.astype(str).replace({"None": "", "nan": ""})
    out["_geometry"] = gdf.geometry.to_numpy()
    return out


def detect_format(df: pd.DataFrame) -> str:
    """``gem``, ``gppd`` or ``as_built``, from the columns."""
    cols = set(df.columns)
    if {"technology", "capacity_mw", "status"} <= cols:
        return "as_built"
    if "Status" in cols and "Capacity (MW)" in cols:
        return "gem"
    if {"Fuel", "primary_fuel"} & cols:
        return "gppd"
    raise ValueError("unknown registry format")


def as_of_from_name(path: Path) -> str | None:
    """Return a ``YYYY-MM`` date in the file name (``..._2025-02_...`` or ``...February-2025...``), or None."""
    m = re.search(r"(20\d\d)-(0[1-9]|1[0-2])", path.name)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = re.search(r"(" + "|".join(_MONTHS) + r")[ _-]?(20\d\d)", path.name.lower())
    if m:
        return f"{m.group(2)}-{_MONTHS[m.group(1)]:02d}"
    return None


def _column(df: pd.DataFrame, tables: RegistryTables, source: str, canonical: str) -> pd.Series | None:
    c = tables.columns
    for name in c[(c["source"] == source) & (c["canonical"] == canonical)]["column"]:
        if name in df.columns:
            return df[name]
    return None


def _year(s: pd.Series | None, n: int) -> pd.Series:
    if s is None:
        return pd.Series([pd.NA] * n, dtype="Int64")
    txt = s.astype(str).str.extract(r"((?:19|20)\d\d)")[0]
    return pd.to_numeric(txt, errors="coerce").astype("Int64")


def _points(df: pd.DataFrame, lat: pd.Series | None, lon: pd.Series | None) -> np.ndarray:
    if "_geometry" in df.columns:
        geoms = shapely.point_on_surface(np.asarray(df["_geometry"].to_numpy(), dtype=object))
        return geoms
    la = pd.to_numeric(lat, errors="coerce") if lat is not None else pd.Series(np.nan, index=df.index)
    lo = pd.to_numeric(lon, errors="coerce") if lon is not None else pd.Series(np.nan, index=df.index)
    return shapely.points(lo.to_numpy(dtype=float), la.to_numpy(dtype=float))


def _record_label(df: pd.DataFrame, i: int, fmt_csv: bool) -> str:
    sheet = df["_sheet"].iloc[i] if "_sheet" in df.columns else None
    if sheet is not None:
        return f"{i + 1} (sheet '{sheet}')"
    return f"{i + 1} (CSV line {i + 2})" if fmt_csv else str(i + 1)


def _has_location(geom: object) -> bool:
    if geom is None or not isinstance(geom, shapely.Geometry) or geom.is_empty or geom.geom_type != "Point":
        return False
    xy = shapely.get_coordinates(geom)
    return bool(len(xy)) and bool(np.isfinite(xy).all())


def _check(rec: pd.DataFrame, raw: pd.DataFrame, path: Path, tables: RegistryTables, raw_status: pd.Series,
           raw_capacity: pd.Series | None, status_field: str, capacity_field: str) -> None:
    """Raise every bad record of ``rec`` together (status, capacity, technology, id, location)."""
    csv = path.suffix.lower() == ".csv"
    errs: list[BinhaiGeoError] = []

    def err(i: int, field: str, msg: str, hint: str) -> None:
        errs.append(RegistryError(msg, file=str(path), feature=f"record {_record_label(raw, i, csv)}", field=field,
                                  hint=hint))

    known_tech = set(tables.technologies.index)
    for i in range(len(rec)):
        r = rec.iloc[i]
        if r["status"] not in STATUSES:
            err(i, status_field, f"unknown status '{raw_status.iloc[i]}'",
                "use one of GEM's statuses: " + ", ".join(STATUSES))
        cap = r["capacity_mw"]
        given = "" if raw_capacity is None else str(raw_capacity.iloc[i])
        if not np.isfinite(cap):
            err(i, capacity_field, f"capacity missing or not a number ('{given}')", "give the capacity in MW")
            continue
        if cap <= 0:
            err(i, capacity_field, f"capacity {cap:g} MW is not positive", "give the capacity in MW (> 0)")
        if r["technology"] not in known_tech:
            err(i, "technology", f"unknown technology '{r['technology']}'",
                "use one of " + ", ".join(sorted(known_tech)))
            continue
        bound = float(tables.technologies.loc[r["technology"], "max_phase_capacity_mw"])
        if cap > bound:
            err(i, capacity_field, f"capacity {cap:,.0f} MW is implausible for one {r['technology']} phase (more than "
                f"{bound:,.0f} MW): kW given as MW?", "give the capacity in MW (divide kW by 1,000)")
        if not _has_location(r.geometry):
            err(i, "geometry", "no location", "give a point or latitude and longitude")
        elif not (-180 <= r.geometry.x <= 180 and -90 <= r.geometry.y <= 90):
            err(i, "latitude", f"latitude {r.geometry.y:g} / longitude {r.geometry.x:g} out of range",
                "latitude within -90..90, longitude within -180..180 (swapped?)")
    ids = rec["record_id"]
    dup = ids[(ids != "") & ids.duplicated(keep="first")]
    for i in dup.index:
        err(int(i), "record_id", f"duplicate id '{ids[i]}'", "give each record its own id")
    if errs:
        raise errs[0] if len(errs) == 1 else MultipleErrors(errs)


def _frame(cols: dict, geoms: np.ndarray) -> gpd.GeoDataFrame:
    n = len(geoms)
    data = {c: cols.get(c, pd.Series([None] * n)) for c in RECORD_COLUMNS}
    out = gpd.GeoDataFrame({c: pd.Series(v).reset_index(drop=True) for c, v in data.items()},
                           geometry=list(geoms), crs=4326)
    out["capacity_mw"] = pd.to_numeric(out["capacity_mw"], errors="coerce").astype(float)
    out["energy_mwh"] = pd.to_numeric(out["energy_mwh"], errors="coerce").astype(float)
    out["accuracy_m"] = pd.to_numeric(out["accuracy_m"], errors="coerce").astype(float)
    for c in ("start_year", "retired_year"):
        out[c] = out[c].astype("Int64")
    return out


def _str(s: pd.Series | None, n: int, default: str = "") -> pd.Series:
    if s is None:
        return pd.Series([default] * n)
    return s.astype(str).str.strip().replace({"N/A": "", "nan": ""}).reset_index(drop=True)


def read_gem(path: Path, df: pd.DataFrame, tables: RegistryTables, as_of: str) -> gpd.GeoDataFrame:
    """Canonical records from a GEM tracker table (shipped extract or GEM's full download)."""
    n = len(df)
    col = lambda c: _column(df, tables, "gem", c)  # noqa: E731
    tracker = "wind" if "Installation Type" in df.columns else "solar"
    status_raw = _str(col("status"), n)
    statuses = tables.mapping("gem", "status")
    cap_raw = col("capacity_mw")
    ids = _str(col("record_id"), n)
    file_ids = pd.Series([f"gem-{tracker}-{as_of}-{i + 1:04d}" for i in range(n)])
    record_id = ids.where(ids != "", file_ids)
    project, phase = _str(col("project_name"), n), _str(col("phase_name"), n)
    name = (project + np.where(phase != "", " " + phase, "")).str.strip()
    name = name.where(name != "", f"GEM {tracker} phase " + record_id)
    accuracy = _str(col("location_accuracy"), n, "approximate (flag not in this extract)")
    install = _str(col("installation_type"), n)
    cols = {
        "record_id": record_id, "name": name, "name_zh": pd.Series([""] * n),
        "technology": pd.Series(["pv" if tracker == "solar" else "wind"] * n),
        "capacity_mw": pd.to_numeric(cap_raw, errors="coerce") if cap_raw is not None else pd.Series([np.nan] * n),
        "status": status_raw.str.lower().map(lambda s: statuses.get(s, s)),
        "start_year": _year(col("start_year"), n), "retired_year": _year(col("retired_year"), n),
        "owner": _str(col("owner"), n), "source": pd.Series([f"{GEM_CREDIT[tracker]}, {as_of} (CC BY 4.0); "
                                                             f"file {path.name}"] * n),
        "location_accuracy": accuracy.replace("", "approximate (flag not in this extract)"),
        "as_of": pd.Series([as_of] * n), "dataset": pd.Series([f"GEM {tracker} {as_of}"] * n),
        "surface": install.map(lambda s: "offshore" if s.lower().startswith("offshore") else ""),
    }
    out = _frame(cols, _points(df, col("latitude"), col("longitude")))
    _check(out, df, path, tables, status_raw, cap_raw, "Status", "Capacity (MW)")
    return out


def read_gppd(path: Path, df: pd.DataFrame, tables: RegistryTables, as_of: str) -> gpd.GeoDataFrame:
    """Canonical records from WRI's Global Power Plant Database (v1.3.0 CSV or the shipped extract)."""
    n = len(df)
    col = lambda c: _column(df, tables, "gppd", c)  # noqa: E731
    fuels, statuses = tables.mapping("gppd", "fuel"), tables.mapping("gppd", "status")
    fuel_raw = _str(col("fuel"), n)
    status_raw = _str(col("status"), n)
    cap_raw = col("capacity_mw")
    ids = _str(col("record_id"), n)
    cols = {
        "record_id": "gppd-" + ids.where(ids != "", pd.Series([f"{i + 1:04d}" for i in range(n)])),
        "name": _str(col("name"), n), "name_zh": pd.Series([""] * n),
        "technology": fuel_raw.str.lower().map(lambda s: fuels.get(s, s)),
        "capacity_mw": pd.to_numeric(cap_raw, errors="coerce") if cap_raw is not None else pd.Series([np.nan] * n),
        "status": status_raw.str.lower().map(lambda s: statuses.get(s, s)),
        "start_year": _year(col("start_year"), n), "owner": _str(col("owner"), n),
        "source": f"{GPPD_CREDIT} (v1.3.0, CC BY 4.0; data to about {as_of}); primary source "
                  + _str(col("source_name"), n) + f"; file {path.name}",
        "location_accuracy": pd.Series(["as GPPD's geolocation source"] * n),
        "as_of": pd.Series([as_of] * n), "dataset": pd.Series([f"GPPD {as_of}"] * n),
    }
    out = _frame(cols, _points(df, col("latitude"), col("longitude")))
    _check(out, df, path, tables, status_raw, cap_raw, "Operational Status", "capacity_mw")
    return out


def read_as_built(path: Path, df: pd.DataFrame, tables: RegistryTables, as_of: str) -> gpd.GeoDataFrame:
    """Canonical records from a planner's own list (the ledger's fields)."""
    n = len(df)
    get = lambda c: df[c] if c in df.columns else None  # noqa: E731
    status_raw = _str(get("status"), n)
    legacy = tables.mapping("pack", "status")
    ids = _str(get("record_id"), n)
    cols = {c: _str(get(c), n) for c in ("name", "name_zh", "owner", "location_accuracy", "surface", "plan_project")}
    src = _str(get("source"), n)
    cols.update({
        "record_id": ids.where(ids != "", pd.Series([f"user-{path.stem}-{i + 1:04d}" for i in range(n)])),
        "technology": _str(get("technology"), n).str.lower(),
        "capacity_mw": pd.to_numeric(get("capacity_mw"), errors="coerce"),
        "energy_mwh": pd.to_numeric(get("energy_mwh"), errors="coerce") if "energy_mwh" in df.columns else None,
        "status": status_raw.str.lower().map(lambda s: legacy.get(s, s)),
        "start_year": _year(get("start_year") if "start_year" in df.columns else get("year"), n),
        "retired_year": _year(get("retired_year"), n),
        "source": src.where(src != "", f"planner's list {path.name}"),
        "accuracy_m": pd.to_numeric(get("accuracy_m"), errors="coerce") if "accuracy_m" in df.columns else None,
        "as_of": _str(get("as_of"), n).replace("", as_of),
        "dataset": pd.Series([f"user {path.name}"] * n),
    })
    cols = {k: v for k, v in cols.items() if v is not None}
    out = _frame(cols, _points(df, get("latitude"), get("longitude")))
    _check(out, df, path, tables, status_raw, get("capacity_mw"), "status", "capacity_mw")
    return out


def read_registry(path: str | Path, *, as_of: str | None = None,
                  tables: RegistryTables | None = None) -> gpd.GeoDataFrame:
    """Read one registry or as-built file into canonical ledger records.

    Parameters
    ----------
    path : path-like
        A GEM tracker file (extract or full download), a GPPD CSV, or an as-built list (CSV, Excel,
        GeoJSON, GeoPackage).
    as_of : str, optional
        ``YYYY-MM`` date of the data; default: from the file name (``..._2025-02_...``,
        ``...-February-2025``), for GPPD ``2019``.
    tables : RegistryTables, optional
        Default: :func:`load_tables`.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4326 with :data:`RECORD_COLUMNS`.

    Raises
    ------
    RegistryError, MultipleErrors
        For an unreadable file, an unknown format, a missing date, or bad records (each naming the
        record and the field).
    """
    p = Path(path)
    tables = tables or load_tables()
    df = _read_frame(p)
    try:
        fmt = detect_format(df)
    except ValueError:
        raise RegistryError("not a GEM tracker, GPPD or as-built file (columns: "
                            + ", ".join(c for c in df.columns if not c.startswith("_")) + ")", file=str(p),
                            hint="GEM needs 'Status' and 'Capacity (MW)'; GPPD 'primary_fuel'; an as-built list "
                                 "'technology', 'capacity_mw', 'status'") from None
    date = as_of or as_of_from_name(p) or ("2019" if fmt == "gppd" else None)
    if date is None and not (fmt == "as_built" and "as_of" in df.columns):
        raise RegistryError("the date of the data is not known", file=str(p),
                            hint="give --as-of YYYY-MM (or put the date in the file name, e.g. _2025-06_)")
    reader = {"gem": read_gem, "gppd": read_gppd, "as_built": read_as_built}[fmt]
    return reader(p, df, tables, date or "")


def clip_to_district(records: gpd.GeoDataFrame, district: shapely.Geometry, crs: object,
                     buffer_m: float) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Split records into those within ``buffer_m`` of the district and a report of the others.

    Parameters
    ----------
    records : GeoDataFrame
        Canonical records (any CRS).
    district : shapely geometry
        The district boundary, in ``crs`` (projected).
    crs : CRS-like
        The analysis CRS [m].
    buffer_m : float
        Records within this distance of the boundary count as the district's [m].

    Returns
    -------
    (GeoDataFrame, DataFrame)
        The records inside, in ``crs``; and ``record_id, name, technology, capacity_mw, status,
        distance_km`` of those outside.
    """
    proj = records.to_crs(crs)
    d = shapely.distance(proj.geometry.to_numpy(), district)
    inside = d <= buffer_m
    out = pd.DataFrame(proj.loc[~inside, ["record_id", "name", "technology", "capacity_mw", "status"]])
    out["distance_km"] = np.round(d[~inside] / 1000.0, 1)
    return proj.loc[inside].reset_index(drop=True), out.reset_index(drop=True)
