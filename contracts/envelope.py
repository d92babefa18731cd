"""CloudEvents 1.0 structured-mode envelope and the registry of event types."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.types import Identifier, Line, PlausibleTime

MunicipalityNumber = Annotated[str, Field(pattern=r"^[0-9]{4}$", description="Norwegian 4-digit municipality number")]

CONTENT_TYPE = "application/cloudevents+json"


class EventModel(BaseModel):
    """Base of every event payload. Subclasses name their CloudEvents type and topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]


_REGISTRY: dict[str, type[EventModel]] = {}


def register(model: type[EventModel]) -> type[EventModel]:
    """Class decorator: make an event type known to `parse_event` and the schema export."""
    if model.event_type in _REGISTRY:
        raise ValueError(f"event type {model.event_type} registered twice")
    _REGISTRY[model.event_type] = model
    return model


def event_types() -> dict[str, type[EventModel]]:
    # Importing the modules registers their types.
    from contracts import (  # noqa: F401, PLC0415
        appeals,
        assessment,
        coordination,
        deadlines,
        decision,
        intake,
        notification,
    )

    return dict(_REGISTRY)


T = TypeVar("T", bound=EventModel)


class CloudEvent(BaseModel, Generic[T]):
    """A CloudEvents 1.0 document in structured mode, with our `municipality` extension."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    # As wide as the inbox's and outbox's columns: an id is recorded with every event processed.
    id: Line = Field(default_factory=lambda: str(uuid.uuid4()), max_length=64)
    source: Line = Field(max_length=200, description="URI reference of the producing service")
    type: Line = Field(max_length=200, description="e.g. no.forvalt.intake.application-registered.v1")
    time: PlausibleTime = Field(default_factory=lambda: datetime.now(UTC))
    subject: Identifier = Field(description="the case id")
    municipality: MunicipalityNumber
    datacontenttype: Literal["application/json"] = "application/json"
    data: T

    @classmethod
    def wrap(cls, data: EventModel, *, source: str, subject: str, municipality: str, time: datetime) -> CloudEvent[Any]:
        """The envelope of `data`, stamped with `time`: the producing service's clock, never the machine's."""
        model: Any = CloudEvent[type(data)]  # type: ignore[misc]
        event: CloudEvent[Any] = model(
            source=source, type=data.event_type, subject=subject, municipality=municipality, data=data, time=time
        )
        return event

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


class InvalidEvent(ValueError):
    """A message that is not a valid event: malformed JSON, a bad envelope or bad data."""


class _RawEnvelope(CloudEvent[Any]):
    data: dict[str, Any]  # type: ignore[assignment]


def parse_event(raw: bytes | str, known: dict[str, type[EventModel]] | None = None) -> CloudEvent[Any] | None:
    """Parse and validate a message. Returns None for a valid envelope of a type we don't know.

    Raises InvalidEvent with a reason that names what is wrong.
    """
    try:
        envelope = _RawEnvelope.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidEvent(f"invalid envelope: {_describe(exc)}") from exc
    registry = known if known is not None else event_types()
    model = registry.get(envelope.type)
    if model is None:
        return None
    try:
        data = model.model_validate(envelope.data)
    except ValidationError as exc:
        raise InvalidEvent(f"invalid data for {envelope.type}: {_describe(exc)}") from exc
    return CloudEvent[model].model_validate(  # type: ignore[valid-type]
        {**envelope.model_dump(exclude={"data"}), "data": data}
    )


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(document)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
