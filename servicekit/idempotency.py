"""Idempotent POSTs: a request repeated with the same `Idempotency-Key` gets the first one's answer, not a second case.

A client that timed out cannot tell whether its POST was done, so it sends it again. With a key, the first request
records the key (with the acting municipality, the route and a hash of the body) in the transaction of its use case,
so the key exists exactly when the effect does; its answer (status and body) is stored with the key as the response
goes out. A repeat with the same key and body gets that answer again, marked `Idempotent-Replayed: true`; the same
key with another body or route is refused (422, naming the header); a repeat while the first is still at work gets
409. Keys are per municipality, and pruned after `idempotency_retention` (`servicekit.outbox.prune`).

Every route that takes the request's bus (`BusDep`) gets this: `get_bus` asks `claim_for` for the request's claim,
and the bus records it in the transaction of the first use case the route runs (every POST runs one).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.db import IDEMPOTENCY, Database, UnitOfWork
from servicekit.errors import Conflict, DomainError

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200
FIELD = f"header.{HEADER}"  # how a problem names the header, as request validation names a header
# Where the request's claim waits for its answer: the ASGI scope, which the route and the middleware share.
_SCOPE_KEY = "servicekit.idempotency"


class Claim:
    """The key of one POST: recorded in its use case's transaction, then given the answer that went out."""

    def __init__(self, db: Database, *, municipality: str, key: str, route: str, body_hash: str) -> None:
        self._db = db
        self.municipality = municipality
        self.key = key
        self.route = route
        self.body_hash = body_hash
        self.committed = False

    async def commit_with(self, uow: UnitOfWork) -> None:
        """Record the key in `uow`'s transaction and commit it: the key is kept exactly when the effect is."""
        if not self.committed:
            try:
                await uow.session.execute(
                    IDEMPOTENCY.insert().values(
                        municipality=self.municipality,
                        key=self.key,
                        route=self.route,
                        body_hash=self.body_hash,
                        created_at=uow.clock.now(),
                    )
                )
            except IntegrityError as exc:
                # A request with the same key got there first; this one's effect is rolled back with it.
                raise _in_progress() from exc
        await uow.commit()
        self.committed = True

    async def store(self, status: int, media_type: str | None, body: bytes) -> None:
        """Keep the answer of the request that recorded the key, for its repeats."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(IDEMPOTENCY)
                .where(
                    IDEMPOTENCY.c.municipality == self.municipality,
                    IDEMPOTENCY.c.key == self.key,
                    IDEMPOTENCY.c.status.is_(None),
                )
                .values(status=status, media_type=media_type, response=body.decode(errors="replace"))
            )


class Replay(Exception):
    """The stored answer to a repeated request, sent instead of running it again."""

    def __init__(self, status: int, media_type: str | None, body: str) -> None:
        super().__init__(status)
        self.status = status
        self.media_type = media_type
        self.body = body


class KeyReused(DomainError):
    status = 422
    title = "Idempotency key reused"


def _in_progress() -> Conflict:
    return Conflict(
        f"{HEADER}: the first request with this key is still being processed; repeat it shortly for its answer",
        field=FIELD,
    )


def _check_key(key: str) -> None:
    if not key.strip() or len(key) > MAX_KEY_LENGTH or any(not " " <= c <= "~" for c in key):
        raise DomainError(f"{HEADER}: 1 to {MAX_KEY_LENGTH} printable ASCII characters, not only spaces", field=FIELD)


def body_hash(body: bytes) -> str:
    """A hash of the body that ignores how its JSON is spaced and ordered."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


async def claim_for(request: Request, db: Database, municipality: str) -> Claim | None:
    """The claim of a POST that carries an `Idempotency-Key`, for the acting municipality; None for any other request.

    Raises `Replay` for a repeat of a request whose answer is stored, and a problem for a key used otherwise."""
    if request.method != "POST":
        return None
    key = request.headers.get(HEADER)
    if key is None:
        return None
    _check_key(key)
    digest = body_hash(await request.body())
    route = f"POST {request.url.path}"
    async with db.engine.connect() as conn:
        seen = (
            await conn.execute(
                select(IDEMPOTENCY).where(IDEMPOTENCY.c.municipality == municipality, IDEMPOTENCY.c.key == key)
            )
        ).first()
    if seen is not None:
        if seen.route != route or seen.body_hash != digest:
            raise KeyReused(
                f"{HEADER}: this key was used for another request ({seen.route}, another body); a new request "
                "needs a new key",
                field=FIELD,
            )
        if seen.status is None:
            raise _in_progress()
        raise Replay(seen.status, seen.media_type, seen.response or "")
    claim = Claim(db, municipality=municipality, key=key, route=route, body_hash=digest)
    request.scope[_SCOPE_KEY] = claim
    return claim


class _StoreAnswers:
    """ASGI middleware: stores the answer of a POST whose claim was committed, before the answer's last byte goes out
    (so a repeat that follows the answer finds it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        status: int | None = None
        media_type: str | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, media_type
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message.get("headers", [])}
                media_type = headers.get("content-type")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                claim = scope.get(_SCOPE_KEY)
                if not message.get("more_body", False) and isinstance(claim, Claim) and claim.committed:
                    await _store(claim, status, media_type, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)


async def _store(claim: Claim, status: int | None, media_type: str | None, body: bytes) -> None:
    if status is None:
        return
    try:
        await claim.store(status, media_type, body)
    except Exception:
        # The effect is committed and its answer goes out; a repeat gets 409 instead of the answer.
        log.exception("could not store the answer to %s for its %s", claim.route, HEADER)


async def _replay(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    return Response(exc.body, status_code=exc.status, media_type=exc.media_type, headers={REPLAYED_HEADER: "true"})


_DOCUMENTED = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Send the same key with a repeat of this request (after a timeout, say) to get the first "
    "request's answer instead of a second effect; the answer then carries `Idempotent-Replayed: true`. Keys are "
    "kept per municipality for a day.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[ -~]*[!-~][ -~]*$"},
}


def install_idempotency(app: FastAPI) -> None:
    """Answer repeats from the stored answers, store the answers of the POSTs that carried a key, and document the
    header on every POST of the app's OpenAPI document."""
    app.add_exception_handler(Replay, _replay)
    app.add_middleware(_StoreAnswers)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for operations in schema.get("paths", {}).values():
                post = operations.get("post")
                if post is not None:
                    post.setdefault("parameters", []).append(dict(_DOCUMENTED))
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
