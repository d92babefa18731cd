"""Intake's event handlers: it reacts to no other service's events yet."""

from servicekit.consumer import EventHandlers

handlers = EventHandlers()
