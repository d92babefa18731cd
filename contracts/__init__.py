"""Shared event contracts: the envelope, topic names and every event type the services exchange."""

from contracts.envelope import CloudEvent, EventModel, event_types, parse_event
from contracts.topics import Topic

__all__ = ["CloudEvent", "EventModel", "Topic", "event_types", "parse_event"]
