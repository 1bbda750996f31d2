"""The base of every workflow-file table: unknown keys are errors, values are frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A workflow or region table: ``extra="forbid"`` so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)
