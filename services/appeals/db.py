"""Appeals's tables: so far only the outbox and inbox every service has."""

from servicekit.db import new_metadata

metadata = new_metadata()
