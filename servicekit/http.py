"""HTTP edge: problem details (RFC 9457) for every error, health and readiness endpoints."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.errors import DomainError, Unauthorized
from servicekit.types import LINE_PATTERN, TEXT_PATTERN

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem_responses(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """A route's documented problem answers (application/problem+json), by status code, for OpenAPI."""
    return {code: {"description": text, "content": {PROBLEM: {}}} for code, text in described.items()}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        extra = {"field": exc.field} if exc.field else {}
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        response = problem(exc.status, exc.title, exc.detail, **extra)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "rule": e["type"], "message": _message(e)}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field'] or '(body)'}: {e['message']}" for e in errors)
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "Internal error", "the error was logged; nothing was changed")


class RequestGuard:
    """Answers a request that carries a body before the body is read or parsed: without a valid bearer token
    401, with a body over `max_body_bytes` 413. Every route that takes a body acts for a verified caller, so the
    check is the token dependency's own, done early; the dependency still makes the caller of the request."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        length = headers.get("content-length")
        if length is None and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        if length is not None and not length.isdigit():
            await problem(400, "Bad request", "Content-Length must be a number of bytes")(scope, receive, send)
            return
        refused = self._unauthorized(scope["app"], headers.get("authorization"))
        if refused is not None:
            await refused(scope, receive, send)
            return
        if length is not None and int(length) > self.max_body_bytes:
            await self._too_large()(scope, receive, send)
            return
        await self.app(scope, self._limited(receive), send)

    def _unauthorized(self, app: FastAPI, authorization: str | None) -> JSONResponse | None:
        scheme, _, token = (authorization or "").partition(" ")
        try:
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("missing bearer token")
            app.state.token_verifier.verify(token.strip())
        except Unauthorized as exc:
            response = problem(exc.status, exc.title, exc.detail)
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return None

    def _too_large(self) -> JSONResponse:
        return problem(413, "Request body too large", self._detail, limit_bytes=self.max_body_bytes)

    @property
    def _detail(self) -> str:
        return f"the request body is over the limit of {self.max_body_bytes} bytes"

    def _limited(self, receive: Receive) -> Receive:
        """A body sent without its length (chunked) is counted as it arrives; past the limit the route's body
        reading fails with a 413."""
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise HTTPException(413, detail=self._detail)
            return message

        return limited


def install_request_guard(app: FastAPI, *, max_body_bytes: int) -> None:
    app.add_middleware(RequestGuard, max_body_bytes=max_body_bytes)


# The patterns of servicekit.types' text kinds, said in words rather than as the regular expression.
_PATTERNS_IN_WORDS = {
    LINE_PATTERN: "must be one line without control characters (no NUL, tab or line break)",
    TEXT_PATTERN: "must not contain control characters other than tabs and line breaks (no NUL)",
}


def _message(error: Any) -> str:
    if error["type"] == "string_pattern_mismatch":
        said = _PATTERNS_IN_WORDS.get(error.get("ctx", {}).get("pattern"))
        if said is not None:
            return said
    return str(error["msg"])


Check = Callable[[], Awaitable[bool]]


def health_router(checks: dict[str, Check]) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live", summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="Database and Kafka answer", responses={503: {}})
    async def ready() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ok = all(results.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": {k: "ok" if v else "down" for k, v in results.items()}},
            status_code=200 if ok else 503,
        )

    return router
