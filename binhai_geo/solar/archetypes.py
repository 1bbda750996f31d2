"""PV system archetypes per surface, from the readable table ``binhai_geo/data/pv_archetypes.csv``.

The table is long: one row per (archetype, parameter) with value, low, high, unit and source, so every
number carries its reference. Archetypes: ``salt_pan_fixed`` (盐光互补, fixed tilt), ``salt_pan_bifacial``
(the bifacial option on bright salt; rear irradiance by :func:`pvlib.bifacial.infinite_sheds.get_irradiance`),
``fishery`` (渔光互补, >= 2.5 m above ground and >= 0.6 m above water, wider pitch), ``offshore_pile``
(海上光伏 on piles), ``floating`` (漂浮式, water albedo, PVsyst heat-loss coefficients measured on floating
systems), ``rooftop_flat`` (tilted racks with row spacing) and ``rooftop_pitched`` (on the roof plane).

Cell temperature: racks and roof mounts by Fuentes' heat balance with the wind of the weather file
(:mod:`binhai_geo.solar.thermal`; installed NOCT 45 C open rack, 49 C roof mount, PVWatts' values), floating
systems by PVsyst heat-loss coefficients measured on floating PV (:data:`THERMAL_PARAMETERS`).

Module and inverter come from the CEC libraries that pvlib ships
(:func:`pvlib.pvsystem.retrieve_sam` reading the packaged CSV files; no network). From them follow:

- strings: modules per string from the inverter's maximum DC voltage and the module's Voc at the
  design minimum temperature (GB 50797-2012 6.4.2), strings per inverter from the DC/AC ratio; one
  inverter with its strings is the simulated *block*;
- ground-cover ratio ``gcr`` = collector width / row pitch (or given directly for pitched roofs);
- capacity density [MW/km2] = module efficiency x 1000 W/m2 x gcr x array share of the gross area.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import keyed, packaged_table, read_table
from binhai_geo.solar.thermal import WIND_HEIGHT_M

ARCHETYPE_TABLE = "pv_archetypes.csv"
ARCHETYPE_COLUMNS = ("archetype", "parameter", "value", "low", "high", "unit", "source")
TEXT_PARAMETERS = ("label", "surface", "orientation", "module", "inverter")
LOSS_PARAMETERS = ("soiling_pct", "mismatch_pct", "dc_wiring_pct", "lid_pct", "ac_wiring_pct", "availability_pct")
#: Parameters every archetype needs (plus either gcr, or collector_width_m and pitch_m).
REQUIRED = (*TEXT_PARAMETERS, "tilt_deg", "azimuth_deg", "array_share", "height_m", "bifaciality", "albedo",
            "dc_ac_ratio", "min_design_temp_c", *LOSS_PARAMETERS)
#: Cell-temperature models and the parameters each needs (an archetype gives one set): Fuentes' heat balance
#: (:mod:`binhai_geo.solar.thermal`, as PVWatts v5) or PVsyst's heat-loss coefficients
#: (:func:`pvlib.temperature.pvsyst_cell`).
THERMAL_PARAMETERS = {"fuentes": ("noct_installed_c", "module_height_m"),
                      "pvsyst": ("u_c", "u_v", "alpha_absorption")}
#: Allowed ranges of numeric parameters (inclusive).
RANGES = {
    "tilt_deg": (0.0, 90.0), "azimuth_deg": (0.0, 360.0), "array_share": (0.0, 1.0), "gcr": (0.01, 1.0),
    "collector_width_m": (0.1, 20.0), "pitch_m": (0.1, 100.0), "height_m": (0.0, 50.0), "bifaciality": (0.0, 1.0),
    "albedo": (0.0, 1.0), "u_c": (1.0, 100.0), "u_v": (0.0, 20.0), "alpha_absorption": (0.0, 1.0),
    "dc_ac_ratio": (0.5, 3.0), "min_design_temp_c": (-60.0, 25.0), "clearance_above_water_m": (0.0, 20.0),
    "noct_installed_c": (30.0, 70.0), "module_height_m": (0.1, 200.0),
    **{k: (0.0, 50.0) for k in LOSS_PARAMETERS},
}
ORIENTATIONS = ("fixed", "roof_plane")


@functools.lru_cache(maxsize=2)
def cec_table(kind: str) -> pd.DataFrame:
    """Return the CEC module (``"CECMod"``) or inverter (``"CECInverter"``) library shipped with pvlib."""
    import pvlib

    return pvlib.pvsystem.retrieve_sam(kind)


@dataclass(frozen=True)
class Archetype:
    """One PV system archetype with its equipment resolved (see the module docstring)."""

    id: str
    label: str
    surface: str
    orientation: str
    module_name: str
    inverter_name: str
    module: dict = field(repr=False)
    inverter: dict = field(repr=False)
    tilt_deg: float
    azimuth_deg: float
    gcr: float
    collector_width_m: float
    pitch_m: float
    array_share: float
    height_m: float
    bifaciality: float
    albedo: float
    u_c: float
    u_v: float
    alpha_absorption: float
    dc_ac_ratio: float
    min_design_temp_c: float
    losses_pct: dict = field(repr=False)
    modules_per_string: int = 0
    strings_per_inverter: int = 0
    noct_installed_c: float = float("nan")
    module_height_m: float = float("nan")

    @property
    def temperature_model(self) -> str:
        """``"fuentes"`` when the archetype gives an installed NOCT, else ``"pvsyst"`` (heat-loss coefficients)."""
        return "fuentes" if np.isfinite(self.noct_installed_c) else "pvsyst"

    @property
    def has_rows(self) -> bool:
        """Laid out in parallel rows (fixed orientation with a row pitch), so rows shade each other."""
        return self.orientation == "fixed" and bool(np.isfinite(self.pitch_m)) and self.gcr < 1.0

    @property
    def module_wp(self) -> float:
        """Module nameplate at STC [W]."""
        return float(self.module["STC"])

    @property
    def module_efficiency(self) -> float:
        """Module efficiency at STC (nameplate / (area x 1000 W/m2)) [-]."""
        return float(self.module["STC"]) / (float(self.module["A_c"]) * 1000.0)

    @property
    def block_kwp(self) -> float:
        """DC nameplate of one simulated block (one inverter and its strings) [kWp]."""
        return self.modules_per_string * self.strings_per_inverter * self.module_wp / 1000.0

    @property
    def dc_ac_realised(self) -> float:
        """The DC/AC ratio after rounding to whole strings [-]."""
        return self.block_kwp * 1000.0 / float(self.inverter["Paco"])

    @property
    def capacity_density_mw_per_km2(self) -> float:
        """Nameplate per gross site area = efficiency x 1000 W/m2 x gcr x array share [MW/km2]."""
        return self.module_efficiency * 1000.0 * self.gcr * self.array_share

    @property
    def dc_derate(self) -> float:
        """Product of the DC loss factors (soiling, mismatch, DC wiring, LID) [-]."""
        f = 1.0
        for k in ("soiling_pct", "mismatch_pct", "dc_wiring_pct", "lid_pct"):
            f *= 1 - self.losses_pct[k] / 100.0
        return f

    @property
    def ac_derate(self) -> float:
        """Product of the AC loss factors (AC wiring, availability) [-]."""
        return (1 - self.losses_pct["ac_wiring_pct"] / 100.0) * (1 - self.losses_pct["availability_pct"] / 100.0)

    def modelchain_temperature(self) -> tuple[str, dict]:
        """Return pvlib ModelChain's ``temperature_model`` and the Array's ``temperature_model_parameters``."""
        if self.temperature_model == "fuentes":
            return "fuentes", {"noct_installed": self.noct_installed_c, "wind_height": WIND_HEIGHT_M}
        return "pvsyst", {"u_c": self.u_c, "u_v": self.u_v}

    def module_parameters(self) -> dict:
        """CEC module parameters plus the PVsyst temperature-model inputs pvlib reads from them."""
        return {**self.module, "module_efficiency": self.module_efficiency, "alpha_absorption": self.alpha_absorption}


def load_archetype_table(path: str | Path | None = None,
                         overrides: dict[str, float | str] | None = None) -> pd.DataFrame:
    """Read the archetype table (long format) and apply ``{"archetype.parameter": value}`` overrides.

    Raises
    ------
    WorkflowError
        For a missing column, a duplicate row, or an override naming no row.
    """
    p = Path(path) if path is not None else packaged_table(ARCHETYPE_TABLE)
    df = read_table(p, "archetype table", ARCHETYPE_COLUMNS, dtype=str, keep_default_na=False)
    df = keyed(df, df["archetype"] + "." + df["parameter"], p, "keep one row per archetype and parameter")
    for k, value in (overrides or {}).items():
        if k not in df.index:
            arch = k.split(".")[0]
            known = sorted(df.loc[df["archetype"] == arch, "parameter"]) or sorted(df["archetype"].unique())
            raise WorkflowError(f"override '{k}' names no row of the archetype table; "
                                f"{'parameters of ' + arch if arch in set(df['archetype']) else 'archetypes'}: "
                                f"{', '.join(known)}", field=f"solar.overrides.{k}", hint="use a listed name")
        df.loc[k, "value"] = str(value)
        df.loc[k, "source"] = f"workflow override (packaged default: {df.loc[k, 'source']})"
    return df.reset_index(drop=True)


def _string_sizing(module: dict, inverter: dict, dc_ac: float, t_min: float) -> tuple[int, int]:
    """Modules per string (GB 50797-2012 6.4.2: Voc at t_min <= Vdcmax) and strings per inverter."""
    voc_cold = float(module["V_oc_ref"]) + float(module["beta_oc"]) * (t_min - 25.0)
    vmax = float(inverter["Vdcmax"]) if np.isfinite(float(inverter["Vdcmax"])) and inverter["Vdcmax"] > 0 \
        else float(inverter["Mppt_high"])
    mps = max(1, int(math.floor(vmax / voc_cold)))
    spi = max(1, int(round(dc_ac * float(inverter["Paco"]) / (mps * float(module["STC"])))))
    return mps, spi


def _lookup(name: str, kind: str, field_name: str, file: str | None) -> dict:
    table = cec_table(kind)
    if name not in table.columns:
        tokens = [t.lower() for t in re.split(r"[_\W]+", name) if t]
        close = [c for c in table.columns if all(t in c.lower() for t in tokens)][:3] or \
            difflib.get_close_matches(name, list(table.columns), n=3, cutoff=0.6)
        what = "module" if kind == "CECMod" else "inverter"
        raise WorkflowError(
            f"unknown {what} '{name}': not in pvlib's CEC {what} library ({table.shape[1]:,} entries)"
            + (f"; close names: {', '.join(close)}" if close else ""),
            file=file, field=field_name,
            hint=f"use a column name of pvlib.pvsystem.retrieve_sam('{kind}') (spaces and dashes are '_')")
    return {k: (v if not isinstance(v, np.generic) else v.item()) for k, v in table[name].to_dict().items()}


def build_archetypes(table: pd.DataFrame, *, file: str | None = None) -> dict[str, Archetype]:
    """Validate the long table and resolve every archetype (equipment, strings, gcr).

    Raises
    ------
    WorkflowError
        For a missing parameter, a value that is not a number or out of range (tilt outside 0-90,
        ...), an unknown orientation, module or inverter name.
    """
    out: dict[str, Archetype] = {}
    for arch, rows in table.groupby("archetype", sort=True):
        vals = dict(zip(rows["parameter"], rows["value"], strict=True))
        missing = [k for k in REQUIRED if k not in vals]
        if "gcr" not in vals and not {"collector_width_m", "pitch_m"} <= set(vals):
            missing.append("gcr (or collector_width_m and pitch_m)")
        thermal = [m for m, keys in THERMAL_PARAMETERS.items() if all(k in vals for k in keys)]
        if not thermal:
            missing.append("noct_installed_c and module_height_m (Fuentes) or u_c, u_v and alpha_absorption (PVsyst)")
        if missing:
            raise WorkflowError(f"archetype '{arch}' lacks parameter(s): {', '.join(missing)}", file=file,
                                hint="add the rows (see the packaged pv_archetypes.csv)")
        num: dict[str, float] = {}
        for k, v in vals.items():
            if k in TEXT_PARAMETERS:
                continue
            try:
                x = float(v)
            except ValueError:
                raise WorkflowError(f"'{arch}.{k}' must be a number, found '{v}'", file=file,
                                    field=f"{arch}.{k}", hint="give a plain number in the table's unit") from None
            lo, hi = RANGES.get(k, (-np.inf, np.inf))
            if not (lo <= x <= hi) or not np.isfinite(x):
                raise WorkflowError(f"'{arch}.{k}' = {x:g} is outside the allowed range {lo:g} to {hi:g}",
                                    file=file, field=f"{arch}.{k}",
                                    hint="tilt is 0 (flat) to 90 (vertical) deg; shares and albedo 0-1; losses 0-50%")
            num[k] = x
        if vals["orientation"] not in ORIENTATIONS:
            raise WorkflowError(f"'{arch}.orientation' is '{vals['orientation']}'", file=file,
                                field=f"{arch}.orientation", hint=f"use one of {', '.join(ORIENTATIONS)}")
        module = _lookup(vals["module"], "CECMod", f"{arch}.module", file)
        inverter = _lookup(vals["inverter"], "CECInverter", f"{arch}.inverter", file)
        if "gcr" in num:
            gcr = num["gcr"]
            width = num.get("collector_width_m", float("nan"))
            pitch = width / gcr if np.isfinite(width) else float("nan")
        else:
            width, pitch = num["collector_width_m"], num["pitch_m"]
            if pitch < width:
                raise WorkflowError(f"'{arch}': row pitch {pitch} m is shorter than the collector width {width} m",
                                    file=file, field=f"{arch}.pitch_m", hint="rows cannot overlap; widen the pitch")
            gcr = width / pitch
        mps, spi = _string_sizing(module, inverter, num["dc_ac_ratio"], num["min_design_temp_c"])
        out[str(arch)] = Archetype(
            id=str(arch), label=vals["label"], surface=vals["surface"], orientation=vals["orientation"],
            module_name=vals["module"], inverter_name=vals["inverter"], module=module, inverter=inverter,
            tilt_deg=num["tilt_deg"], azimuth_deg=num["azimuth_deg"], gcr=gcr, collector_width_m=width,
            pitch_m=pitch, array_share=num["array_share"], height_m=num["height_m"],
            bifaciality=num["bifaciality"], albedo=num["albedo"], u_c=num.get("u_c", np.nan),
            u_v=num.get("u_v", np.nan), alpha_absorption=num.get("alpha_absorption", np.nan),
            dc_ac_ratio=num["dc_ac_ratio"],
            min_design_temp_c=num["min_design_temp_c"], losses_pct={k: num[k] for k in LOSS_PARAMETERS},
            modules_per_string=mps, strings_per_inverter=spi,
            **({"noct_installed_c": num["noct_installed_c"], "module_height_m": num["module_height_m"]}
               if thermal[0] == "fuentes" else {}),
        )
    return out


def load_archetypes(path: str | Path | None = None,
                    overrides: dict[str, float | str] | None = None) -> dict[str, Archetype]:
    """Load, override, validate and resolve the archetypes (see :func:`build_archetypes`)."""
    file = str(path) if path is not None else str(packaged_table(ARCHETYPE_TABLE))
    return build_archetypes(load_archetype_table(path, overrides), file=file)


def min_pitch_no_winter_shading(collector_width_m: float, tilt_deg: float, latitude_deg: float,
                                hour_angle_deg: float = 45.0) -> float:
    """Return the row pitch [m] at which south-facing rows do not shade each other on 21 December.

    Between -h and +h solar hour angle (default 45 deg: 9:00-15:00 solar time).
    Solar position from pvlib's analytical functions (declination by Spencer 1971); the shadow of the
    row's top edge projected on the north-south axis: ``w cos(tilt) + w sin(tilt) cos(azimuth from
    south) / tan(elevation)``.
    """
    import pvlib

    decl = pvlib.solarposition.declination_spencer71(np.array([355]))[0]  # 21 December
    lat = np.radians(latitude_deg)
    ha = np.radians(hour_angle_deg)
    zen = float(pvlib.solarposition.solar_zenith_analytical(lat, ha, decl))
    az = float(pvlib.solarposition.solar_azimuth_analytical(lat, ha, decl, zen))  # radians, from north
    elev = np.pi / 2 - zen
    from_south = abs(np.pi - az)
    beta = np.radians(tilt_deg)
    w = collector_width_m
    return float(w * np.cos(beta) + w * np.sin(beta) * np.cos(from_south) / np.tan(elev))


def archetype_table(archetypes: dict[str, Archetype]) -> pd.DataFrame:
    """One row per archetype: geometry, equipment, strings and the capacity density it implies."""
    rows = []
    for a in archetypes.values():
        rows.append({
            "archetype": a.id, "label": a.label, "surface": a.surface, "orientation": a.orientation,
            "tilt_deg": a.tilt_deg, "azimuth_deg": a.azimuth_deg, "gcr": round(a.gcr, 4),
            "pitch_m": round(a.pitch_m, 2) if np.isfinite(a.pitch_m) else np.nan, "array_share": a.array_share,
            "albedo": a.albedo, "temperature_model": a.temperature_model, "noct_installed_c": a.noct_installed_c,
            "module_height_m": a.module_height_m, "u_c": a.u_c, "u_v": a.u_v, "bifaciality": a.bifaciality,
            "module": a.module_name, "module_wp": round(a.module_wp, 1),
            "module_efficiency": round(a.module_efficiency, 4), "inverter": a.inverter_name,
            "modules_per_string": a.modules_per_string, "strings_per_inverter": a.strings_per_inverter,
            "dc_ac_ratio": round(a.dc_ac_realised, 3),
            "capacity_density_mw_per_km2": round(a.capacity_density_mw_per_km2, 1),
            **{k: v for k, v in a.losses_pct.items()},
        })
    return pd.DataFrame(rows)
