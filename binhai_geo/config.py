"""Region and workflow configuration (TOML files validated with pydantic).

A *region* file (``layers/<region>/region.toml``) says what the region is: its analysis CRS (projected,
for areas and distances), its map CRS, its layer pack, its targets file and data credits.

A *workflow* file (``workflows/*.toml``) declares one planning run: which region, which layers (the
region pack's, or the user's own files per layer kind), which assumptions override the packaged
defaults, and where outputs go. It holds declarations, not code. Unknown keys are errors, so a typo
never passes silently.

Relative paths in either file are resolved against the folder of the file that names them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

import pyproj
from pydantic import Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from binhai_geo.atomic import note_input
from binhai_geo.cluster.spec import ClusterSpec
from binhai_geo.deliverables.spec import DeliverablesSpec
from binhai_geo.errors import WorkflowError
from binhai_geo.layermodel import LAYER_KINDS, implausible
from binhai_geo.postgis.spec import PostgisLayerSource, PostgisOutputSpec
from binhai_geo.sinks.spec import SinksSpec
from binhai_geo.siting.spec import EligibilitySpec
from binhai_geo.solar.spec import SolarSpec
from binhai_geo.specbase import Strict as _Strict
from binhai_geo.specbase import check_known_keys, check_override_keys
from binhai_geo.wind.spec import WindSpec


def _check_kinds(names: Iterable[str]) -> None:
    """Raise ValueError naming the first of ``names`` that is not a layer kind."""
    check_known_keys(names, LAYER_KINDS, "a layer kind")


def _check_crs(value: str, *, projected: bool) -> str:
    try:
        crs = pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError:
        raise ValueError(f"'{value}' is not a CRS pyproj knows; give an EPSG code like 'EPSG:4527'") from None
    if projected and not crs.is_projected:
        raise ValueError(
            f"'{value}' ({crs.name}) is not projected; areas and distances need a projected CRS "
            "such as CGCS2000 Gauss-Kruger 'EPSG:4527' or 'EPSG:4548'"
        )
    return value


class RegionSpec(_Strict):
    """The ``[region]`` table of a region file."""

    id: str
    name: str
    name_zh: str
    analysis_crs: str = Field(description="projected CRS for areas and distances")
    map_crs: str = "EPSG:4326"
    pack: str = Field(description="GeoPackage holding the region's layers, one layer per kind")
    targets: str = Field(description="CSV of the plan's targets")
    provenance: str = "README.md"
    credits: list[str] = Field(default_factory=list)

    @field_validator("analysis_crs")
    @classmethod
    def _projected(cls, v: str) -> str:
        return _check_crs(v, projected=True)

    @field_validator("map_crs")
    @classmethod
    def _map_crs(cls, v: str) -> str:
        return _check_crs(v, projected=False)


class DenominatorSpec(_Strict):
    """The ``[denominators]`` table of a region file: official figures indicators divide by, with sources."""

    land_area_km2: float | None = Field(None, gt=0, lt=1e6, description="official land area [km2]")
    land_area_source: str | None = None
    mainland_coastline_km: float | None = Field(None, gt=0, lt=1e5, description="official mainland coastline [km]")
    mainland_coastline_source: str | None = None
    mainland_coast_closing_m: float = Field(
        1500.0, gt=0, le=10000,
        description="radius [m] of the morphological closing of the land that gives a line following the mainland "
                    "coast rather than every port basin")

    @model_validator(mode="after")
    def _sourced(self) -> DenominatorSpec:
        for v, src in (("land_area_km2", "land_area_source"), ("mainland_coastline_km", "mainland_coastline_source")):
            if getattr(self, v) is not None and not getattr(self, src):
                raise ValueError(f"{v} needs {src} (where the official figure is from)")
        return self


class RegionFile(_Strict):
    """A region file."""

    region: RegionSpec
    denominators: DenominatorSpec = Field(default_factory=DenominatorSpec)


class Region:
    """A loaded region: its spec and the folder paths are resolved against.

    Parameters
    ----------
    spec : RegionSpec
        The validated ``[region]`` table.
    path : pathlib.Path
        The region file.
    """

    def __init__(self, spec: RegionSpec, path: Path, denominators: DenominatorSpec | None = None) -> None:
        self.spec = spec
        self.path = path
        self.folder = path.parent
        self.denominators = denominators or DenominatorSpec()

    @property
    def pack_path(self) -> Path:
        """The region's layer pack (GeoPackage)."""
        return (self.folder / self.spec.pack).resolve()

    @property
    def targets_path(self) -> Path:
        """The region's targets CSV."""
        return (self.folder / self.spec.targets).resolve()

    @property
    def analysis_crs(self) -> pyproj.CRS:
        """The projected CRS areas and distances are computed in."""
        return pyproj.CRS.from_user_input(self.spec.analysis_crs)

    @property
    def map_crs(self) -> pyproj.CRS:
        """The CRS maps are drawn in."""
        return pyproj.CRS.from_user_input(self.spec.map_crs)


class LayerSource(_Strict):
    """Where a layer kind comes from when not from the region pack."""

    path: str
    layer: str | None = None
    encoding: str | None = Field(None, description="text encoding of the attributes (e.g. 'GBK') when the file "
                                 "does not declare it; default: detected (UTF-8, else GB18030)")


#: A ``[layers]`` entry: a file (``path``) or a PostGIS table, view or query (``dsn``).
LayerEntry = Annotated[
    Annotated[LayerSource, Tag("file")] | Annotated[PostgisLayerSource, Tag("postgis")],
    Discriminator(lambda v: "postgis" if (isinstance(v, dict) and "dsn" in v) or isinstance(v, PostgisLayerSource)
                  else "file"),
]


class LandSurveySpec(_Strict):
    """The ``[land_survey]`` table: China's third land survey (三调) polygons as a source of layers.

    Features are sorted into layer kinds by their DLBM code through the mapping table
    (``binhai_geo/data/dlbm_mapping.csv`` unless ``mapping`` names another). The kinds it yields replace
    the region pack's; ``[layers]`` entries replace both.
    """

    path: str
    layer: str | None = None
    encoding: str | None = Field(None, description="text encoding of the attributes (e.g. 'GBK'), as in [layers]")
    mapping: str | None = None
    kinds: list[str] | None = Field(None, description="take only these kinds from the survey (default: all)")

    @field_validator("kinds")
    @classmethod
    def _known(cls, v: list[str] | None) -> list[str] | None:
        _check_kinds(v or [])
        return v


class WorkflowSpec(_Strict):
    """The ``[workflow]`` table."""

    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    title: str
    title_zh: str
    region: str
    year: int = Field(ge=2000, le=2100)


class SitingSpec(_Strict):
    """The ``[siting]`` table: which surfaces are candidates for each technology."""

    pv_surfaces: list[str] = Field(default_factory=lambda: ["salt_pan", "fish_pond", "offshore_zone", "rooftop"])
    wind_surfaces: list[str] = Field(default_factory=lambda: ["offshore_zone", "tidal_flat", "breakwater"])
    offshore_both_as: Literal["pv", "wind"] = Field(
        "wind",
        description="technology assigned to offshore zones whose allowed_use is 'both' (counted once)",
    )

    @field_validator("pv_surfaces", "wind_surfaces")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        _check_kinds(v)
        return v


class DistrictSpec(_Strict):
    """District-wide figures the targets need but no layer holds (each with its source)."""

    total_installed_capacity_mw: float | None = Field(None, gt=0)
    total_installed_capacity_source: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> DistrictSpec:
        if self.total_installed_capacity_mw is not None and not self.total_installed_capacity_source:
            raise ValueError("total_installed_capacity_mw needs total_installed_capacity_source (where it is from)")
        why = implausible("capacity_mw", self.total_installed_capacity_mw or 1.0, "total_installed_capacity_mw")
        if why:  # bounds and unit mix-ups: binhai_geo/data/plausibility_bounds.csv
            raise ValueError(why)
        return self


class AssumptionsSpec(_Strict):
    """The ``[assumptions]`` table: overrides of the packaged factor tables."""

    capacity_density_file: str | None = Field(
        None, description="CSV replacing the packaged capacity-density table (same columns)"
    )
    capacity_density: dict[str, float] = Field(
        default_factory=dict,
        description="overrides, keyed 'surface.technology' (e.g. 'salt_pan.pv'), in the table's unit",
    )
    district: DistrictSpec = Field(default_factory=DistrictSpec)

    @field_validator("capacity_density")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        return check_override_keys(v, "surface.technology", "salt_pan.pv", nonnegative="capacity density")


class OutputsSpec(_Strict):
    """The ``[outputs]`` table."""

    dir: str = "../maps"
    prefix: str | None = Field(None, description="file-name prefix; default: the workflow id")
    map: bool = True
    postgis: PostgisOutputSpec | None = Field(None, description="also write the results into a PostGIS schema")


class RegistrySpec(_Strict):
    """The ``[registry]`` table: a planner's newer GEM download or own as-built list over the shipped records."""

    files: list[str] = Field(default_factory=list, description="GEM tracker, GPPD or as-built files (CSV, Excel, "
                                                                "GeoJSON, GeoPackage)")
    as_of: str | None = Field(None, pattern=r"^\d{4}(-\d{2})?$", description="date of the files' data, YYYY-MM")
    clip: bool = Field(False, description="drop records outside the district (reported) instead of refusing them")


class WorkflowFile(_Strict):
    """A workflow file."""

    workflow: WorkflowSpec
    layers: dict[str, LayerEntry] = Field(default_factory=dict)
    land_survey: LandSurveySpec | None = None
    siting: SitingSpec = Field(default_factory=SitingSpec)
    assumptions: AssumptionsSpec = Field(default_factory=AssumptionsSpec)
    targets: dict[str, str] = Field(default_factory=dict, description="optional: file = 'path/to/targets.csv'")
    outputs: OutputsSpec = Field(default_factory=OutputsSpec)
    solar: SolarSpec = Field(default_factory=SolarSpec)
    wind: WindSpec = Field(default_factory=WindSpec)
    eligibility: EligibilitySpec = Field(default_factory=EligibilitySpec)
    sinks: SinksSpec = Field(default_factory=SinksSpec)
    deliverables: DeliverablesSpec = Field(default_factory=DeliverablesSpec)
    cluster: ClusterSpec = Field(default_factory=ClusterSpec)
    registry: RegistrySpec = Field(default_factory=RegistrySpec)

    @field_validator("layers")
    @classmethod
    def _kinds(cls, v: dict[str, LayerEntry]) -> dict[str, LayerEntry]:
        _check_kinds(v)
        return v

    @field_validator("targets")
    @classmethod
    def _targets(cls, v: dict[str, str]) -> dict[str, str]:
        extra = set(v) - {"file"}
        if extra:
            raise ValueError(f"unknown key(s) {', '.join(sorted(extra))}; [targets] takes only 'file'")
        return v


class Workflow:
    """A loaded workflow: its validated content, its file, and its region.

    Parameters
    ----------
    spec : WorkflowFile
        The validated content.
    path : pathlib.Path
        The workflow file.
    region : Region
        The region it names.
    """

    def __init__(self, spec: WorkflowFile, path: Path, region: Region) -> None:
        self.spec = spec
        self.path = path
        self.folder = path.parent
        self.region = region

    @property
    def id(self) -> str:
        """The workflow id (default output prefix)."""
        return self.spec.workflow.id

    @property
    def prefix(self) -> str:
        """The output file-name prefix."""
        return self.spec.outputs.prefix or self.spec.workflow.id

    @property
    def out_dir(self) -> Path:
        """The output folder."""
        return (self.folder / self.spec.outputs.dir).resolve()

    def resolve(self, rel: str) -> Path:
        """Resolve a path named in the workflow file."""
        return (self.folder / rel).resolve()

    @property
    def targets_path(self) -> Path:
        """The targets file: the workflow's own, else the region's."""
        if "file" in self.spec.targets:
            return self.resolve(self.spec.targets["file"])
        return self.region.targets_path


def _read_toml(path: Path, what: str) -> dict:
    """Read a TOML file; a UTF-8 byte-order mark (Windows Notepad's default) is accepted."""
    if not path.exists():
        raise WorkflowError(f"{what} file not found", file=str(path), hint="check the path")
    if path.is_dir():
        raise WorkflowError(f"the {what} file named is a folder", file=str(path),
                            hint=f"give the {what} TOML file itself, e.g. workflows/binhai_2025.toml")
    note_input(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowError(f"not valid TOML: {exc}", file=str(path),
                            hint="check quotes, brackets and '=' on the line named") from None
    except UnicodeDecodeError:
        raise WorkflowError("not UTF-8 text", file=str(path), hint="save the file as UTF-8") from None
    except OSError as exc:
        raise WorkflowError(f"cannot read the {what} file: {exc.strerror or exc}", file=str(path),
                            hint="check that the file is readable") from None


def _pydantic_error(exc: ValidationError, path: Path) -> WorkflowError:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see the documented keys in workflows/README.md)"
        elif err["type"] == "missing":
            msg = "required key missing"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"  [{loc}] {msg}")
    return WorkflowError(
        f"{len(lines)} problem(s) in the file:\n" + "\n".join(lines),
        file=str(path),
        hint="correct the keys named above",
    )


def load_region(path: str | Path) -> Region:
    """Load and validate a region file.

    Raises
    ------
    WorkflowError
        When the file is missing, not TOML, has unknown keys or bad values, or names missing files.
    """
    p = Path(path).resolve()
    data = _read_toml(p, "region")
    try:
        rf = RegionFile.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(exc, p) from None
    region = Region(rf.region, p, rf.denominators)
    for what, f in (("layer pack", region.pack_path), ("targets", region.targets_path)):
        if not f.exists():
            raise WorkflowError(f"the region's {what} file '{f}' does not exist", file=str(p),
                                hint="rebuild the region pack (python layers/<region>/build.py) or fix the path")
    return region


def load_workflow(path: str | Path) -> Workflow:
    """Load and validate a workflow file and its region.

    Raises
    ------
    WorkflowError
        When the file is missing, not TOML, has unknown keys or bad values, or names missing files.
    """
    p = Path(path).resolve()
    data = _read_toml(p, "workflow")
    try:
        spec = WorkflowFile.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(exc, p) from None
    region = load_region((p.parent / spec.workflow.region).resolve())
    wf = Workflow(spec, p, region)
    for kind, src in spec.layers.items():
        if isinstance(src, LayerSource) and not wf.resolve(src.path).exists():
            raise WorkflowError(f"layer file '{wf.resolve(src.path)}' does not exist", file=str(p),
                                layer=kind, hint="fix [layers] path, relative to the workflow file")
    if spec.land_survey is not None:
        for what, rel in (("land-survey file", spec.land_survey.path), ("DLBM mapping", spec.land_survey.mapping)):
            if rel is not None and not wf.resolve(rel).exists():
                raise WorkflowError(f"{what} '{wf.resolve(rel)}' does not exist", file=str(p),
                                    field="land_survey", hint="fix [land_survey], relative to the workflow file")
    if spec.assumptions.capacity_density_file and not wf.resolve(spec.assumptions.capacity_density_file).exists():
        raise WorkflowError("capacity_density_file does not exist", file=str(p),
                            field="assumptions.capacity_density_file", hint="fix the path")
    if not wf.targets_path.exists():
        raise WorkflowError(f"targets file '{wf.targets_path}' does not exist", file=str(p), hint="fix the path")
    return wf
