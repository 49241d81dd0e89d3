"""``hazardrules serve``: the library as an HTTP service (``pip install 'hazardrules[server]'``).

An ASGI application (Starlette) run by uvicorn. Every refusal is JSON in the shape of
``FindingError.to_dict()`` — ``{"finding_id": …, "problems": [{"code", "field", "message"}]}`` — with
the stable codes of ``verdict/codes.py`` (``hazardrules codes``); a bug answers 500
``internal_error`` and never shows a stack trace. The OpenAPI document is generated from the rule
pack (:func:`hazardrules.interfaces.schema.openapi`) and served at ``/openapi.json``.

Requests are bounded: a body larger than the limit is refused (413) before or while it is read, a
body that does not arrive in time is refused (408), and a classification that takes longer than the
time limit answers 503. Classification runs in worker threads, so ``/health`` answers while a batch
is being classified.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import logging
import socket
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .._version import __version__
from ..errors import ArgumentError, FindingError, FindingProblem, HazardRulesError, RuleNotFound
from ..pack.model import Pack
from ..verdict.classify import classify
from ..verdict.codes import codes
from ..verdict.finding import strict_date
from ..verdict.select import selector
from .checklist import checklist
from .describe import rule_detail, rule_summary
from .reader import MAX_RECORD_CHARS, InputError, Record, open_findings, parse_record
from .schema import KINDS, openapi, schema
from .suggest import suggest
from .wire_vocabulary import vocabulary

log = logging.getLogger("hazardrules.service")
T = TypeVar("T")
JSON = "application/json"
NDJSON = "application/x-ndjson"
_STREAM_TYPES = (NDJSON, "application/jsonl", "application/x-jsonlines", "application/json-lines", JSON)


@dataclass(frozen=True, slots=True)
class Limits:
    """The service's bounds (``hazardrules serve --max-body … --max-stream … --timeout …``)."""

    max_body: int = MAX_RECORD_CHARS  # one finding (or suggest request), in bytes
    max_stream: int = 64 << 20  # a whole NDJSON stream, in bytes
    timeout: float = 30.0  # seconds for one classification, or one slice of a stream
    read_timeout: float = 30.0  # seconds for the request body to arrive
    threads: int = 4  # worker threads that classify at once
    batch: int = 64  # records of a stream classified per slice (each slice is written at once)


class Refused(Exception):
    """A request the service answers with an error status and problems."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problems = [FindingProblem(code, message, field)]
        self.finding_id: str | None = None


def _problem_response(status: int, problems: list[FindingProblem], finding_id: str | None = None) -> Response:
    body = FindingError(problems, finding_id).to_dict()
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=JSON)


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), media_type=JSON)


def _model(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type=JSON)


class SuggestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    sector: str | None = None
    k: int = Field(default=5, ge=1, le=50)


class Service:
    """The endpoints, bound to one rule pack and one set of limits."""

    def __init__(self, pack: Pack, limits: Limits) -> None:
        self.pack = pack
        self.limits = limits
        self.limiter = anyio.CapacityLimiter(limits.threads)
        self._openapi: bytes | None = None

    async def run(self, func: Callable[[], T]) -> T:
        """``func`` in a worker thread, within the time limit (503 ``timeout`` past it)."""
        try:
            with anyio.fail_after(self.limits.timeout):
                return await anyio.to_thread.run_sync(func, limiter=self.limiter, abandon_on_cancel=True)
        except TimeoutError:
            raise Refused(
                503, "timeout", f"the classification did not finish within {self.limits.timeout:g} s"
            ) from None

    # -- reading requests --------------------------------------------------------------------------
    async def body(self, request: Request, limit: int, types: tuple[str, ...]) -> bytes:
        """The request body, refused when of another type (415), too large (413) or too slow (408)."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind and kind not in types and not (JSON in types and kind.endswith("+json")):
            raise Refused(415, "unsupported_media_type", f"expected {types[0]}, not {kind}")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise Refused(
                413, "payload_too_large", f"the body ({int(declared):,} bytes) is over {limit:,} bytes"
            )
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(self.limits.read_timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise Refused(413, "payload_too_large", f"the body is over {limit:,} bytes")
                    chunks.append(chunk)
        except TimeoutError:
            raise Refused(
                408, "request_timeout", f"the body did not arrive within {self.limits.read_timeout:g} s"
            ) from None
        return b"".join(chunks)

    def options(self, request: Request) -> dict[str, Any]:
        """classify's options from the query (``on``, ``complete``, ``select``, ``ignore``)."""
        query = request.query_params
        unknown = sorted(set(query) - {"on", "complete", "select", "ignore"})
        if unknown:
            raise Refused(
                400, "invalid_argument", f"unknown query parameter(s): {', '.join(unknown)}", unknown[0]
            )
        found: dict[str, Any] = {"on": _day(query.get("on"))}
        complete = query.get("complete", "false").lower()
        if complete not in ("true", "false", "1", "0"):
            raise Refused(400, "invalid_argument", "complete is true or false", "complete")
        found["complete"] = complete in ("true", "1")
        for name in ("select", "ignore"):
            patterns = [p.strip() for value in query.getlist(name) for p in value.split(",") if p.strip()]
            found[name] = patterns or None
        try:
            selector(self.pack, found["select"], found["ignore"])
        except HazardRulesError as exc:
            raise Refused(400, "invalid_argument", str(exc), "select") from None
        return found

    # -- endpoints ---------------------------------------------------------------------------------
    async def classify_one(self, request: Request) -> Response:
        options = self.options(request)
        body = await self.body(request, self.limits.max_body, (JSON,))
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Refused(400, "not_utf8", f"the body is not UTF-8 (byte {exc.start})") from None
        record = parse_record(text, 1)
        if record.error is not None:
            raise Refused(400, record.error.code, record.error.message)
        verdict = await self.run(partial(classify, record.value, pack=self.pack, **options))
        return Response(verdict.model_dump_json(), media_type=JSON)

    async def classify_stream(self, request: Request) -> Response:
        options = self.options(request)
        body = await self.body(request, self.limits.max_stream, _STREAM_TYPES)
        try:
            records = iter(open_findings(io.BufferedReader(io.BytesIO(body))))
        except InputError as exc:
            raise Refused(400, "not_utf8", str(exc)) from None
        return _Streamed(self._stream(request, records, options))

    async def _stream(
        self, request: Request, records: Iterator[Record], options: dict[str, Any]
    ) -> AsyncIterator[bytes]:
        """Slices of output lines, each classified in a worker thread and written as it is done."""
        state = _StreamState()
        while not state.done:
            if await request.is_disconnected():  # nobody reads the rest: stop classifying it
                log.info("client gone after %d record(s)", state.count)
                return
            try:
                text = await self.run(partial(self._slice, records, options, state))
            except Refused as exc:  # the status is already sent: say it in the stream, and stop
                problem = FindingProblem(exc.problems[0].code, f"the stream was stopped: {exc}")
                yield (
                    json.dumps(_error_object(state.line, None, problem), ensure_ascii=False) + "\n"
                ).encode()
                log.warning("stream stopped after %d record(s): %s", state.count, exc)
                return
            if text:
                yield text.encode("utf-8", "backslashreplace")

    def _slice(self, records: Iterator[Record], options: dict[str, Any], state: _StreamState) -> str:
        lines: list[str] = []
        for _ in range(self.limits.batch):
            record = next(records, None)
            if record is None:
                state.done = True
                break
            state.count += 1
            state.line = record.line
            lines.append(self._one(record, options))
        return "".join(lines)

    def _one(self, record: Record, options: dict[str, Any]) -> str:
        if record.error is not None:
            problem = FindingProblem(record.error.code, record.error.message)
            return json.dumps(_error_object(record.line, record.index, problem), ensure_ascii=False) + "\n"
        try:
            return str(classify(record.value, pack=self.pack, **options).model_dump_json()) + "\n"
        except FindingError as exc:
            error = _error_object(record.line, record.index, *exc.problems)
            error["error"]["finding_id"] = exc.finding_id
            return json.dumps(error, ensure_ascii=False) + "\n"
        except Exception as exc:  # a bug met by one record: report it, go on with the others
            log.exception("internal error on line %d", record.line)
            problem = FindingProblem("internal_error", f"internal error: {type(exc).__name__}")
            return json.dumps(_error_object(record.line, record.index, problem), ensure_ascii=False) + "\n"

    async def checklist(self, request: Request) -> Response:
        query = request.query_params
        sector = query.get("sector")
        if not sector:
            raise Refused(400, "invalid_argument", "the query needs sector=…", "sector")
        scopes = [w.strip() for value in query.getlist("with") for w in value.split(",") if w.strip()]
        on = _day(query.get("on"))
        try:
            sheet = await self.run(partial(checklist, sector, with_=scopes, on=on, pack=self.pack))
        except FindingError:
            raise
        except HazardRulesError as exc:
            raise Refused(400, "invalid_argument", str(exc), "with") from None
        return _model(sheet)

    async def rules(self, request: Request) -> Response:
        standard = request.query_params.get("standard")
        if standard is not None and standard not in self.pack.standards:
            raise Refused(404, "not_found", f"no standard {standard!r} in pack {self.pack.name}", "standard")
        return _json([rule_summary(self.pack, r) for r in self.pack.compiled_rules(standard)])

    async def rule(self, request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        try:
            rule = self.pack.compiled_rule(rule_id)
        except RuleNotFound as exc:
            raise Refused(404, "not_found", str(exc), "rule_id") from None
        return _json(rule_detail(self.pack, rule))

    async def facts(self, request: Request) -> Response:
        return _model(vocabulary(self.pack, request.query_params.get("sector")))

    async def suggest(self, request: Request) -> Response:
        if importlib.util.find_spec("jieba") is None or importlib.util.find_spec("bm25s") is None:
            raise Refused(
                501, "unavailable", "suggest needs pip install 'hazardrules[suggest]' on the server"
            )
        body = await self.body(request, self.limits.max_body, (JSON,))
        record = parse_record(body.decode("utf-8-sig", "replace"), 1)
        if record.error is not None:
            raise Refused(400, record.error.code, record.error.message)
        try:
            asked = SuggestRequest.model_validate(record.value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or None
            raise Refused(400, "invalid_argument", f"{where or 'body'}: {first['msg']}", where) from None
        found = await self.run(partial(suggest, asked.text, sector=asked.sector, k=asked.k, pack=self.pack))
        return _model(found)

    async def codes(self, request: Request) -> Response:
        return _json(
            [
                {"code": c.code, "where": c.where, "meaning": c.meaning, "reserved": c.reserved}
                for c in codes()
            ]
        )

    async def schema(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in KINDS:
            raise Refused(404, "not_found", f"no schema {kind!r}; known: {', '.join(KINDS)}", "kind")
        sector = ",".join(request.query_params.getlist("sector")) or None
        if sector is not None and kind != "finding":
            raise Refused(400, "invalid_argument", "sector narrows only the finding's schema", "sector")
        document = schema(self.pack, kind, sector)
        return Response(json.dumps(document, ensure_ascii=False), media_type="application/schema+json")

    async def openapi(self, request: Request) -> Response:
        if self._openapi is None:
            self._openapi = json.dumps(openapi(self.pack), ensure_ascii=False).encode()
        return Response(self._openapi, media_type=JSON)

    async def health(self, request: Request) -> Response:
        return _json({"status": "ok"})

    async def version(self, request: Request) -> Response:
        pack = {"name": self.pack.name, "version": self.pack.version, "digest": self.pack.digest}
        return _json({"hazardrules_version": __version__, "pack": pack})


@dataclass(slots=True)
class _StreamState:
    done: bool = False
    count: int = 0
    line: int = 0


def _error_object(line: int, index: int | None, *problems: FindingProblem) -> dict[str, Any]:
    """The CLI's error object for a record: ``{"line", "index"?, "error": {finding_id, problems}}``."""
    out: dict[str, Any] = {"line": line}
    if index is not None:
        out["index"] = index
    out["error"] = FindingError(list(problems)).to_dict()
    return out


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    day, message = strict_date(text, "on")
    if day is None:
        raise Refused(400, "invalid_argument", message or "on is a date (YYYY-MM-DD)", "on")
    return day


class _Streamed(Response):
    """A streamed body that does not listen for a disconnect while it is written: the request body
    was read in full before, so nothing else may consume ``receive``. A client that goes away ends
    the stream at the next write."""

    media_type = NDJSON

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        super().__init__(None, status_code=200, media_type=NDJSON)
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]  # chunked
        self.chunks = chunks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        try:
            async for chunk in self.chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except OSError:  # the client went away
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


# -- errors as JSON ------------------------------------------------------------------------------------
_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return _problem_response(exc.status, exc.problems, exc.finding_id)


async def _finding_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FindingError)
    return _problem_response(422, exc.problems, exc.finding_id)


async def _argument_error(request: Request, exc: Exception) -> Response:
    return _problem_response(400, [FindingProblem("invalid_argument", str(exc))])


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "invalid_argument")
    message = (
        exc.detail
        if exc.status_code not in (404, 405)
        else f"{request.method} {request.url.path}: {exc.detail}"
    )
    response = _problem_response(exc.status_code, [FindingProblem(code, message)])
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _disconnect(request: Request, exc: Exception) -> Response:
    return Response(status_code=400)  # nobody reads it


async def _internal(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    message = f"internal error ({type(exc).__name__}): please report it"
    return _problem_response(500, [FindingProblem("internal_error", message)])


def create_app(pack: Pack | None = None, limits: Limits | None = None) -> Starlette:
    """The ASGI application for ``pack`` (default: the shipped one)."""
    from ..pack.resources import load_pack

    service = Service(pack if pack is not None else load_pack(), limits or Limits())
    routes = [
        Route("/v1/classify", service.classify_one, methods=["POST"]),
        Route("/v1/classify/stream", service.classify_stream, methods=["POST"]),
        Route("/v1/checklist", service.checklist, methods=["GET"]),
        Route("/v1/rules", service.rules, methods=["GET"]),
        Route("/v1/rules/{rule_id:str}", service.rule, methods=["GET"]),
        Route("/v1/facts", service.facts, methods=["GET"]),
        Route("/v1/suggest", service.suggest, methods=["POST"]),
        Route("/v1/codes", service.codes, methods=["GET"]),
        Route("/v1/schemas/{kind:str}", service.schema, methods=["GET"]),
        Route("/openapi.json", service.openapi, methods=["GET"]),
        Route("/health", service.health, methods=["GET"]),
        Route("/version", service.version, methods=["GET"]),
    ]
    handlers: dict[Any, Any] = {
        Refused: _refused,
        FindingError: _finding_error,
        ArgumentError: _argument_error,
        HTTPException: _http_error,
        ClientDisconnect: _disconnect,
        Exception: _internal,
    }
    return Starlette(routes=routes, exception_handlers=handlers)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    pack: Pack | None = None,
    limits: Limits | None = None,
    access_log: bool = True,
) -> None:
    """Run the service with uvicorn until interrupted. ``port=0`` picks a free port; the address
    served is printed on standard error (``hazardrules: serving on http://HOST:PORT``)."""
    import uvicorn

    app = create_app(pack, limits)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it each keep-alive response waits ~40 ms (Nagle's algorithm and a delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    config = uvicorn.Config(
        app,
        log_level="info",
        access_log=access_log,
        timeout_keep_alive=5,
        limit_concurrency=None,
        server_header=False,
    )
    server = uvicorn.Server(config)
    print(f"hazardrules: serving on http://{shown}:{bound}", file=sys.stderr, flush=True)
    server.run(sockets=[sock])


__all__ = ["Limits", "create_app", "serve"]
