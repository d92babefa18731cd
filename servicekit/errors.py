"""Typed domain errors, mapped once to HTTP problem details and once to dead-letter headers."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. Never retried: the same input breaks it again."""

    status = 422
    title = "Rule violated"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
