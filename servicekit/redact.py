"""What may be told of an error outside the process: a database error by its type and SQLSTATE only.

A database error's message carries the statement, its parameters and the server's detail ("Key (nin)=(…)
already exists"): a national identity number or a name. Logs, spans and dead-letter headers name such an error
by its type and code; the message stays in the process.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator

from sqlalchemy.exc import SQLAlchemyError

# The modules of the database drivers: their errors carry what the server said about the row.
_DRIVER_MODULES = ("sqlite3", "asyncpg", "aiosqlite", "psycopg")
_FRAME = re.compile(r'^  File "[^"\n]*", line \d+, in [\w<>.]+$')


def chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and every exception it was raised from or during, each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_database_error(exc: BaseException) -> bool:
    """An error of SQLAlchemy or a database driver, or one raised from or while handling such an error."""
    return any(_is_own_database_error(e) for e in chain(exc))


def _is_own_database_error(exc: BaseException) -> bool:
    module = type(exc).__module__.split(".")[0]
    return isinstance(exc, SQLAlchemyError) or module in _DRIVER_MODULES


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE (PostgreSQL) or error name (SQLite) of the first database error in the chain."""
    for e in chain(exc):
        for candidate in (e, getattr(e, "orig", None)):
            for attribute in ("sqlstate", "pgcode", "sqlite_errorname"):
                code = getattr(candidate, attribute, None)
                if isinstance(code, str) and code:
                    return code
    return None


def describe_error(exc: BaseException) -> str:
    """A text to log, trace or put in a dead-letter header: the message, unless it is a database error's.

    A database error is told by its type (and the type of the driver error under it) and its SQLSTATE, never
    its statement, parameters or detail: "IntegrityError (sqlite3.IntegrityError, SQLSTATE SQLITE_CONSTRAINT_UNIQUE)".
    """
    if not is_database_error(exc):
        return f"{type(exc).__name__}: {exc}"
    names = [type(exc).__name__]
    for e in chain(exc):
        if not _is_own_database_error(e):
            continue
        for found in (e, getattr(e, "orig", None)):
            if isinstance(found, BaseException) and found is not exc and _qualified(found) not in names:
                names.append(_qualified(found))
    code = sqlstate(exc)
    told = ", ".join([*names[1:], *([f"SQLSTATE {code}"] if code else [])])
    return f"{names[0]} ({told})" if told else names[0]


def _qualified(exc: BaseException) -> str:
    module = type(exc).__module__
    name = type(exc).__qualname__
    return name if module == "builtins" else f"{module}.{name}"


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of `exc` with where it happened (files, lines, functions) and what types were raised, but no
    message and no source line: what a database error's message holds must not reach a log or a span."""
    lines: list[str] = []
    for e in reversed(list(chain(exc))):
        if lines:
            lines.append("")
        lines.append("Traceback (most recent call last):")
        for entry in traceback.format_exception(type(e), None, e.__traceback__, chain=False):
            for line in entry.splitlines():
                if _FRAME.match(line):
                    lines.append(line)
        lines.append(describe_error(e) if e is not exc else describe_error(exc))
    return "\n".join(lines) + "\n"
