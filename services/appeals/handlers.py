"""Appeals's event handlers: none yet; the service is wired and ready for them."""

from servicekit.consumer import EventHandlers

handlers = EventHandlers()
