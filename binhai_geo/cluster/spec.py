"""The ``[cluster]`` table of a workflow file: where a run executes, and its partition sizes.

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from binhai_geo.specbase import Strict


class ClusterSpec(Strict):
    """The ``[cluster]`` table of a workflow file (all keys optional; the CLI's ``--scheduler`` wins)."""

    scheduler: str = Field(
        "sync",
        description="sync, threads, processes, or the address of a running dask scheduler (tcp://host:8786)",
    )
    timeout_s: float = Field(5.0, gt=0, le=600, description="how long to wait for a distributed scheduler [s]")
    tile_cells: int = Field(2048, ge=16, le=65536, description="tile edge of tiled eligibility grids [cells]")
    rooftop_partitions: str | None = Field(
        None, description="folder of GeoParquet rooftop partitions (binhai-geo partition) to run on the scheduler; "
        "relative to the workflow file")
    eligibility_grid: bool = Field(
        False, description="also compute the district's eligibility grid per technology, tile by tile, at "
        "[eligibility] resolution_m")

    @field_validator("scheduler")
    @classmethod
    def _scheduler(cls, v: str) -> str:
        from binhai_geo.cluster.scheduler import _ADDRESS, LOCAL_SCHEDULERS

        if v in LOCAL_SCHEDULERS or _ADDRESS.match(v):
            return v
        raise ValueError(f"'{v}' is not a scheduler: give sync, threads, processes or an address like tcp://host:8786")
