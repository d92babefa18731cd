"""Loads the IPLOS functional variable list, kept as data in iplos_variables.yaml next to this module."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.assessment.domain import FunctionalVariables

VARIABLES_FILE = Path(__file__).with_name("iplos_variables.yaml")


class _Variable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)


class _VariableList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scores: dict[int, str] = Field(min_length=1)
    variables: list[_Variable] = Field(min_length=1)
    not_required_for: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> _VariableList:
        codes = [v.code for v in self.variables]
        if len(codes) != len(set(codes)):
            raise ValueError("variables: codes must be unique")
        return self


@lru_cache(maxsize=4)
def load_variables(path: Path = VARIABLES_FILE) -> FunctionalVariables:
    """The variable list in `path`; a malformed file fails with the file and field named."""
    try:
        parsed = _VariableList.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
    return FunctionalVariables(
        names={v.code: v.name for v in parsed.variables},
        allowed_scores=frozenset(parsed.scores),
        not_required_for=frozenset(parsed.not_required_for),
    )
