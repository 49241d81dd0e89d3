"""The ``schema``, ``facts`` and ``serve`` commands of the command line (kept apart from ``cli.py``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import ArgumentError, HazardRulesError
from ..pack.resources import load_pack

# schema.KINDS, repeated so that the command line does not import the schema module (and through it
# classify) before a command needs it; a test checks that the two agree.
_KINDS = ("finding", "verdict", "record", "error", "checklist", "suggestions", "facts")
_SCHEMA_KINDS = (*_KINDS, "openapi", "pack", "all")


def add_commands(sub: Any) -> None:
    """Register ``schema`` and ``serve`` on the CLI's subparsers (``facts`` is in cli.py)."""
    p = sub.add_parser(
        "schema",
        help="JSON Schemas (2020-12) and the OpenAPI document, generated from the rule pack",
        description="Print one JSON Schema document (--kind), or write every document to --out DIR.",
    )
    p.add_argument("which", nargs="?", choices=_SCHEMA_KINDS, help=argparse.SUPPRESS)
    p.add_argument("--kind", choices=_SCHEMA_KINDS, help="the document (default: all)")
    p.add_argument("--sector", help="finding: only the facts the rules for this sector (or a,b,…) can read")
    p.add_argument("--out", metavar="DIR", help="write <kind>.schema.json, openapi.json and pack/ to DIR")
    p.set_defaults(handler=_schema)

    p = sub.add_parser(
        "serve",
        help="run the HTTP service (pip install 'hazardrules[server]')",
        description="Serve classify, the checklist, rules, facts and suggest over HTTP (docs: service).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument(
        "--max-body", type=int, metavar="BYTES", help="largest single request body (default 1 MiB)"
    )
    p.add_argument("--max-stream", type=int, metavar="BYTES", help="largest NDJSON stream (default 64 MiB)")
    p.add_argument("--timeout", type=float, metavar="S", help="time limit of one classification (default 30)")
    p.add_argument("--threads", type=int, metavar="N", help="classifications at once (default 4)")
    p.add_argument(
        "--read-timeout", type=float, metavar="S", help="time limit for a request body (default 30)"
    )
    p.add_argument("--no-access-log", action="store_true", help="do not log each request")
    p.set_defaults(handler=_serve)


def _schema(args: argparse.Namespace) -> int:
    from .schema import KINDS, documents, pack_schemas, schema

    kind = args.kind or args.which or "all"
    pack = load_pack(args.rules)
    if args.sector is not None and kind not in ("finding", "all"):
        raise ArgumentError("--sector narrows only the finding's schema (--kind finding)")
    if args.out:
        out = Path(args.out)
        chosen = None if kind == "all" else [kind]
        written = documents(pack, chosen, args.sector)
        for name, document in written.items():
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {len(written)} document(s) to {out}")
        return 0
    found: Any
    if kind == "all":
        found = {k: schema(pack, k, args.sector if k == "finding" else None) for k in KINDS}
        found["pack"] = pack_schemas()
    elif kind == "pack":
        found = pack_schemas()
    else:
        try:
            found = schema(pack, kind, args.sector)
        except ValueError as exc:
            raise ArgumentError(str(exc)) from None
    print(json.dumps(found, ensure_ascii=False, indent=2))
    return 0


def _serve(args: argparse.Namespace) -> int:
    try:
        from .service import Limits, serve
    except ImportError as exc:
        raise HazardRulesError(
            f"serve needs {exc.name}: pip install 'hazardrules[server]' (Starlette and uvicorn)"
        ) from None
    chosen = {
        "max_body": args.max_body,
        "max_stream": args.max_stream,
        "timeout": args.timeout,
        "threads": args.threads,
        "read_timeout": args.read_timeout,
    }
    for name, value in chosen.items():
        if value is not None and not value > 0:
            raise ArgumentError(f"--{name.replace('_', '-')} must be positive, not {value}")
    limits = Limits(**{k: v for k, v in chosen.items() if v is not None})
    serve(args.host, args.port, pack=load_pack(args.rules), limits=limits, access_log=not args.no_access_log)
    return 0
