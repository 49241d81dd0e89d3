"""JSON Schemas (draft 2020-12) and an OpenAPI 3.1 document generated from the rule pack.

The finding's schema knows every fact of the pack: its type, unit, range, value codes with their
Chinese labels, and which installation kind answers it; the output shapes (verdict, checklist,
suggestions, errors) name the pack's facts and sectors and the stable codes of ``verdict/codes.py``.
Every document has ``$schema`` and an ``$id`` naming the library version and the pack digest, since
both decide what the document says. ``hazardrules schema`` prints or writes them; the HTTP service
serves them (``/openapi.json``, ``/v1/schemas/{kind}``).

Limits of what JSON Schema can say, which :func:`hazardrules.classify` still checks: an integer fact
given as ``1.0`` passes the schema (JSON does not tell ``1`` from ``1.0``) but is a ``wrong_type``; an
integer beyond ±(2⁵³−1) given to a ``number`` fact is ``out_of_range``; a fact of an installation kind
given at the top level when installations of that kind are listed is ``misplaced_fact``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pydantic import BaseModel

from .._version import __version__
from ..models import Verdict
from ..pack.format import FactsFile, PackManifest, RegisterFile, SectorsFile, StandardFile
from ..pack.model import Pack
from ..pack.sectors import resolve_sector
from ..verdict.codes import codes
from ..verdict.finding import MAX_SAFE_INTEGER
from .checklist import Checklist
from .suggest import Suggestions
from .wire_vocabulary import Vocabulary, sector_facts

DIALECT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("finding", "verdict", "record", "error", "checklist", "suggestions", "facts")
Schema = dict[str, Any]

_DESCRIPTIONS = {
    "finding": "A finding (检查发现): the input of classify, POST /v1/classify and one line of a batch.",
    "verdict": "A verdict (判定结果): the output of classify for one finding.",
    "record": "One record of a batch's output (classify FILE, POST /v1/classify/stream): a verdict, or "
    "an error object for a record that could not be classified.",
    "error": "Why a finding or a request was refused: FindingError.to_dict(), and every 4xx/5xx body.",
    "checklist": "An inspection checklist (hazardrules checklist, GET /v1/checklist).",
    "suggestions": "Candidate clauses for a free-text description (hazardrules suggest, POST /v1/suggest).",
    "facts": "The fact vocabulary (GET /v1/facts): every fact with its type, unit and value labels.",
}


def schema_id(pack: Pack, kind: str, sector: str | None = None) -> str:
    """``urn:hazardrules:<version>:<pack>:<digest prefix>:<kind>[:<sector>]``: a new id whenever the
    library or the pack changes what the document says."""
    digest = pack.digest.removeprefix("sha256:")[:16]
    tail = f":{sector}" if sector else ""
    return f"urn:hazardrules:{__version__}:{pack.name}:{digest}:{kind}{tail}"


def _document(pack: Pack, kind: str, body: Schema, defs: Schema, sector: str | None = None) -> Schema:
    head: Schema = {"$schema": DIALECT, "$id": schema_id(pack, kind, sector)}
    body = dict(body)
    body.setdefault("description", _DESCRIPTIONS.get(kind, ""))
    return {**head, **body, "$defs": dict(sorted(defs.items()))}


# -- facts -----------------------------------------------------------------------------------------
def fact_schema(pack: Pack, name: str) -> Schema:
    """The schema of one fact's value, with its Chinese label, question and unit as annotations."""
    spec = pack.facts[name]
    unit = f"（单位：{spec.unit}）" if spec.unit else ""
    out: Schema = {"title": spec.label, "description": spec.question + unit}
    if spec.type == "bool":
        out["type"] = "boolean"
    elif spec.type in ("number", "integer"):
        out["type"] = spec.type
        low, high = spec.minimum, spec.maximum
        if spec.type == "integer":
            low = -MAX_SAFE_INTEGER if low is None else max(low, -MAX_SAFE_INTEGER)
            high = MAX_SAFE_INTEGER if high is None else min(high, MAX_SAFE_INTEGER)
        if low is not None:
            out["minimum"] = low
        if high is not None:
            out["maximum"] = high
        if spec.unit:
            out["x-unit"] = spec.unit
    else:
        values = spec.values or {}
        choice: Schema = {
            "type": "string",
            "enum": list(values),
            "x-enum-descriptions": list(values.values()),
        }
        labels = "；".join(f"{code}：{label}" for code, label in values.items())
        out["description"] += f"（取值：{labels}）"
        if spec.type == "enum":
            out.update(choice)
        else:
            out.update({"type": "array", "items": choice})
    if spec.installation:
        out["x-installation-kind"] = spec.installation
    if spec.matter:
        out["x-matter"] = spec.matter
    return out


def _fact_ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/Fact.{name}"}


Sectors = str | list[str] | None


def sector_slugs(pack: Pack, sector: Sectors) -> list[str]:
    """The slugs of ``sector``: a name, a comma-separated list of names, or a list (none: [])."""
    if sector is None:
        return []
    names = sector.split(",") if isinstance(sector, str) else sector
    return list(dict.fromkeys(resolve_sector(pack, n) for n in names if n.strip()))


def finding_schema(pack: Pack, sector: Sectors = None) -> Schema:
    """The finding, with every fact typed; for ``sector`` (one or several, as a site run as several
    sectors), only the facts their rules can read."""
    slugs = sector_slugs(pack, sector)
    slug = "+".join(slugs) or None
    if slugs:
        read = {name for s in slugs for name in sector_facts(pack, s)}
        names = [name for name in pack.facts if name in read]
    else:
        names = list(pack.facts)
    defs: Schema = {f"Fact.{name}": fact_schema(pack, name) for name in names}
    variants = []
    for kind, spec in pack.installation_kinds.items():
        lineage = pack.kind_lineage(kind)  # its own facts and those of the broader kinds it is a case of
        own = [n for n in names if pack.facts[n].installation in lineage]
        if slugs and not own:
            continue
        broader = "".join(f"（属于{pack.installation_kinds[k].name}）" for k in lineage[1:2])
        defs[f"Installation.{kind}"] = {
            "title": spec.name,
            "description": f"{spec.name}{broader}：{spec.examples or ''}".rstrip("："),
            "type": "object",
            "properties": {
                "id": {"type": "string", "description": "The caller's name for it, unique in the finding"},
                "kind": {"const": kind},
                "facts": {
                    "type": "object",
                    "properties": {n: _fact_ref(n) for n in own},
                    "additionalProperties": False,
                },
            },
            "required": ["id", "kind"],
            "additionalProperties": False,
        }
        variants.append({"$ref": f"#/$defs/Installation.{kind}"})
    defs["Installation"] = {
        "description": "One installation judged on its own, by kind (hazardrules facts, GET /v1/facts)",
        "oneOf": variants or [{"not": {}}],
    }
    if not slugs:
        defs["SectorName"] = {
            "description": "Sector slug (metallurgy), Chinese name or alias (冶金) or a GB/T 4754-2017 "
            "industry code (3110)",
            "anyOf": [
                {"$ref": "#/$defs/SectorSlug"},
                {"type": "string", "enum": _sector_names(pack)},
                {"type": "string", "pattern": r"^\s*[A-Ta-t]?\d{2,4}\s*$"},
            ],
        }
        defs["SectorSlug"] = sector_slug_schema(pack)
    else:
        same: list[str] = []
        for one in slugs:
            chosen = pack.sectors[one]
            same += [one, chosen.name, *(a for a in chosen.aliases if _resolves(pack, a) == one)]
        defs["SectorName"] = {
            "description": "、".join(f"{pack.sectors[s].name}（{s}）" for s in slugs),
            "enum": list(dict.fromkeys(same)),
        }
    sector_value: Schema = {
        "description": "The sector, or a list of them for a site run as several sectors (each judged "
        "under its own law)",
        "anyOf": [
            {"$ref": "#/$defs/SectorName"},
            {"type": "array", "items": {"$ref": "#/$defs/SectorName"}, "minItems": 1},
        ],
    }
    facts_description = (
        "Facts about the enterprise; an absent fact is unknown. A fact of an installation kind given "
        "here describes one unnamed installation of that kind."
    )
    if slug is not None:
        facts_description += f" Only the facts the rules for {', '.join(slugs)} can read are listed."
    body: Schema = {
        "title": "Finding" if slug is None else f"Finding ({slug})",
        "type": "object",
        "properties": {
            "id": {"type": ["string", "null"], "description": "The caller's identifier, echoed back"},
            "sector": sector_value,
            "observed_on": {
                "type": ["string", "null"],
                "format": "date",
                "pattern": r"^\d{4}-\d{2}-\d{2}$",
                "description": "Date of the observation (YYYY-MM-DD); selects the standards in force",
            },
            "facts": {
                "type": "object",
                "description": facts_description,
                "properties": {n: _fact_ref(n) for n in names},
                "additionalProperties": False,
            },
            "installations": {"type": "array", "items": {"$ref": "#/$defs/Installation"}},
            "description": {"type": ["string", "null"], "description": "The inspector's free text"},
        },
        "required": ["sector"],
        "additionalProperties": False,
    }
    return _document(pack, "finding", body, defs, slug)


def _resolves(pack: Pack, name: str) -> str | None:
    try:
        return resolve_sector(pack, name)
    except Exception:  # an ambiguous alias resolves to no one sector
        return None


def _sector_names(pack: Pack) -> list[str]:
    names = [spec.name for spec in pack.sectors.values()]
    names += [a for spec in pack.sectors.values() for a in spec.aliases]
    return list(dict.fromkeys(names))


def sector_slug_schema(pack: Pack) -> Schema:
    return {
        "type": "string",
        "enum": list(pack.sectors),
        "x-enum-descriptions": [s.name for s in pack.sectors.values()],
    }


# -- output shapes (from the pydantic models, made precise) -----------------------------------------
def _shared_defs(pack: Pack) -> Schema:
    return {
        "FactName": {
            "type": "string",
            "description": "A fact of the pack's vocabulary (GET /v1/facts)",
            "enum": list(pack.facts),
        },
        "FactValue": {
            "description": "A fact's value: true/false, a number, a value code or a list of value codes",
            "anyOf": [
                {"type": "boolean"},
                {"type": "number"},
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ],
        },
        "FactMap": {
            "type": "object",
            "description": "Facts with their values",
            "propertyNames": {"$ref": "#/$defs/FactName"},
            "additionalProperties": {"$ref": "#/$defs/FactValue"},
        },
        "SectorSlug": sector_slug_schema(pack),
    }


_FACT_NAME = {"$ref": "#/$defs/FactName"}
_FACT_NAMES = {"type": "array", "items": _FACT_NAME}
_NULLABLE_FACT = {"anyOf": [_FACT_NAME, {"type": "null"}]}
# (definition, property) → the precise schema that replaces pydantic's (``Any`` and plain strings).
_PATCHES: dict[tuple[str, str], Schema] = {
    ("TraceNode", "value"): {
        "description": "The sub-condition's value: true, false or null (unknown); for a fact or an "
        "arithmetic node, its value",
        "anyOf": [{"$ref": "#/$defs/FactValue"}, {"type": "null"}],
    },
    ("TraceNode", "fact"): _NULLABLE_FACT,
    ("Derived", "fact"): _FACT_NAME,
    ("Derived", "value"): {"$ref": "#/$defs/FactValue"},
    ("Derived", "because"): {"$ref": "#/$defs/FactMap"},
    ("Hit", "because"): {"$ref": "#/$defs/FactMap", "description": "The facts that made the rule hold"},
    ("Cleared", "because"): {"$ref": "#/$defs/FactMap", "description": "The facts that make it not hold"},
    ("ReferenceHit", "because"): {"$ref": "#/$defs/FactMap"},
    ("Undecided", "missing"): {**_FACT_NAMES, "description": "Facts that would decide the rule"},
    ("Deferred", "facts"): {**_FACT_NAMES, "description": "The finding's facts about this matter"},
    ("Deferred", "missing"): _FACT_NAMES,
    ("Notice", "facts"): _FACT_NAMES,
    ("Verdict", "sector"): {
        "$ref": "#/$defs/SectorSlug",
        "description": "The sector slug the finding was classified under",
    },
    ("Verdict", "sectors"): {
        "type": "array",
        "items": {"$ref": "#/$defs/SectorSlug"},
        "description": "Every sector the finding was classified under, in the finding's order",
    },
    ("Verdict", "missing_facts"): {
        **_FACT_NAMES,
        "description": "Every fact that would decide an undetermined rule",
    },
    ("Verdict", "warnings"): {"type": "array", "items": {"$ref": "#/$defs/Warning"}},
    ("Verdict", "notes"): {"type": "array", "items": {"$ref": "#/$defs/Note"}},
    ("Question", "fact"): _FACT_NAME,
    ("Question", "type"): {"type": "string", "enum": ["bool", "number", "integer", "enum", "set"]},
    ("ScopeAnswer", "fact"): _FACT_NAME,
    ("Checklist", "sector"): {"$ref": "#/$defs/SectorSlug"},
    ("ChecklistItem", "text_status"): {"type": "string", "enum": ["verified", "unverified"]},
    ("Suggestion", "text_status"): {"type": "string", "enum": ["verified", "unverified"]},
    ("Suggestions", "sector"): {"anyOf": [{"$ref": "#/$defs/SectorSlug"}, {"type": "null"}]},
    ("FactInfo", "name"): _FACT_NAME,
    ("KindInfo", "facts"): _FACT_NAMES,
    ("Vocabulary", "sector"): {"anyOf": [{"$ref": "#/$defs/SectorSlug"}, {"type": "null"}]},
}


def _output_schema(pack: Pack, model: type[BaseModel]) -> tuple[Schema, Schema]:
    """The model's serialization schema, made precise: (body, $defs).

    Every property is required (a dump always writes every field); ``Any`` and plain strings that
    are really facts, sectors or codes get their precise schemas.
    """
    raw = model.model_json_schema(mode="serialization")
    defs: Schema = raw.pop("$defs", {})
    defs[raw.get("title", model.__name__)] = raw
    for name, definition in defs.items():
        properties = definition.get("properties", {})
        for prop in properties:
            patch = _PATCHES.get((name, prop))
            if patch is not None:
                properties[prop] = copy.deepcopy(patch)
            properties[prop].pop("title", None)
        if properties:
            definition["required"] = list(properties)
    if "Notice" in defs:
        notice = defs.pop("Notice")
        for where, title in (("warnings", "Warning"), ("notes", "Note")):
            variant = copy.deepcopy(notice)
            variant["title"] = title
            variant["properties"]["code"] = _code_enum(where)
            defs[title] = variant
    defs.update(_shared_defs(pack))
    body = defs.pop(raw.get("title", model.__name__))
    return body, defs


def _code_enum(*where: str) -> Schema:
    found = [c for w in where for c in codes(w)]  # type: ignore[arg-type]
    return {
        "type": "string",
        "description": "A stable code (hazardrules codes, GET /v1/codes)",
        "enum": [c.code for c in found],
        "x-enum-descriptions": [c.meaning for c in found],
    }


def verdict_schema(pack: Pack) -> Schema:
    body, defs = _output_schema(pack, Verdict)
    return _document(pack, "verdict", body, defs)


def checklist_schema(pack: Pack) -> Schema:
    body, defs = _output_schema(pack, Checklist)
    return _document(pack, "checklist", body, defs)


def suggestions_schema(pack: Pack) -> Schema:
    body, defs = _output_schema(pack, Suggestions)
    return _document(pack, "suggestions", body, defs)


def vocabulary_schema(pack: Pack) -> Schema:
    body, defs = _output_schema(pack, Vocabulary)
    return _document(pack, "facts", body, defs)


def _error_defs() -> Schema:
    return {
        "Problem": {
            "type": "object",
            "properties": {
                "code": _code_enum("error", "request"),
                "field": {
                    "type": ["string", "null"],
                    "description": "Where in the finding (facts.contractor.present) or the request",
                },
                "message": {"type": "string"},
            },
            "required": ["code", "field", "message"],
            "additionalProperties": False,
        },
        "Error": {
            "type": "object",
            "title": "Error",
            "properties": {
                "finding_id": {"type": ["string", "null"]},
                "problems": {"type": "array", "items": {"$ref": "#/$defs/Problem"}, "minItems": 1},
            },
            "required": ["finding_id", "problems"],
            "additionalProperties": False,
        },
        "RecordError": {
            "type": "object",
            "title": "RecordError",
            "description": "A record of a batch that could not be classified, where it was read",
            "properties": {
                "line": {"type": "integer", "minimum": 1, "description": "The record's (first) line"},
                "index": {"type": "integer", "minimum": 0, "description": "Its element in a JSON array"},
                "error": {"$ref": "#/$defs/Error"},
            },
            "required": ["line", "error"],
            "additionalProperties": False,
        },
    }


def error_schema(pack: Pack) -> Schema:
    defs = _error_defs()
    return _document(pack, "error", defs.pop("Error"), defs)


def record_schema(pack: Pack) -> Schema:
    body, defs = _output_schema(pack, Verdict)
    defs["Verdict"] = body
    defs.update(_error_defs())
    union = {"oneOf": [{"$ref": "#/$defs/Verdict"}, {"$ref": "#/$defs/RecordError"}]}
    return _document(pack, "record", union, defs)


def pack_schemas() -> dict[str, Schema]:
    """The rule-pack file format: one schema per kind of file (for editors)."""
    files: dict[str, type[BaseModel]] = {
        "pack.yaml": PackManifest,
        "sectors.yaml": SectorsFile,
        "facts/*.yaml": FactsFile,
        "standards/*.yaml": StandardFile,
        "register.yaml": RegisterFile,
    }
    out = {}
    for name, model in files.items():
        schema = model.model_json_schema()
        stem = name.split("/")[0].removesuffix(".yaml")
        out[name] = {"$schema": DIALECT, "$id": f"urn:hazardrules:{__version__}:pack-file:{stem}", **schema}
    return out


def schema(pack: Pack, kind: str, sector: Sectors = None) -> Schema:
    """One document by kind (see :data:`KINDS`; ``openapi`` for the OpenAPI document)."""
    if kind == "openapi":
        return openapi(pack)
    if sector is not None and kind != "finding":
        raise ValueError("a sector narrows only the finding's schema")
    build = {
        "finding": lambda: finding_schema(pack, sector),
        "verdict": lambda: verdict_schema(pack),
        "record": lambda: record_schema(pack),
        "error": lambda: error_schema(pack),
        "checklist": lambda: checklist_schema(pack),
        "suggestions": lambda: suggestions_schema(pack),
        "facts": lambda: vocabulary_schema(pack),
    }
    if kind not in build:
        raise ValueError(f"unknown schema kind {kind!r}; known: {', '.join([*KINDS, 'openapi'])}")
    return build[kind]()


# -- OpenAPI -----------------------------------------------------------------------------------------
def _merge(components: Schema, document: Schema, name: str) -> None:
    """Put ``document`` and its $defs into ``components`` under their names; refs follow."""
    text = json.dumps(document).replace('"#/$defs/', '"#/components/schemas/')
    moved = json.loads(text)
    defs = moved.pop("$defs", {})
    for key in ("$schema", "$id"):
        moved.pop(key, None)
    for def_name, definition in [*defs.items(), (name, moved)]:
        known = components.get(def_name)
        if known is not None and known != definition:
            raise ValueError(f"two different schemas named {def_name!r}")
        components[def_name] = definition


def _json_body(ref: str, description: str = "") -> Schema:
    body: Schema = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}
    if description:
        body["description"] = description
    return body


_ERRORS = {
    "400": "Not JSON, or a query parameter that cannot be used (invalid_argument, malformed_json, …)",
    "404": "No such rule, standard or schema kind (not_found)",
    "408": "The request body did not arrive in time (request_timeout)",
    "413": "The request body is larger than the service accepts (payload_too_large)",
    "415": "The request body is not of the expected type (unsupported_media_type)",
    "422": "A finding that cannot be classified: the same problems as FindingError",
    "501": "The feature needs an optional dependency that is not installed (unavailable)",
    "503": "The classification did not finish within the service's time limit (timeout)",
}


def _responses(ok: Schema, *errors: str) -> Schema:
    out: Schema = {"200": ok}
    for status in errors:
        out[status] = _json_body("Error", _ERRORS[status])
    out["default"] = _json_body("Error", "Any other refusal (method_not_allowed, internal_error, …)")
    return out


def _query(name: str, description: str, schema: Schema | None = None, many: bool = False) -> Schema:
    value = schema or {"type": "string"}
    if many:
        value = {"type": "array", "items": value}
    out: Schema = {"name": name, "in": "query", "required": False, "description": description}
    out["schema"] = value
    if many:
        out["explode"] = True
    return out


_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def openapi(pack: Pack) -> Schema:
    """The OpenAPI 3.1 document of ``hazardrules serve`` for this pack."""
    components: Schema = {}
    _merge(components, finding_schema(pack), "Finding")
    _merge(components, verdict_schema(pack), "Verdict")
    _merge(components, error_schema(pack), "Error")
    _merge(components, checklist_schema(pack), "Checklist")
    _merge(components, suggestions_schema(pack), "Suggestions")
    _merge(components, vocabulary_schema(pack), "Vocabulary")
    components["Installation"]["discriminator"] = {
        "propertyName": "kind",
        "mapping": {
            kind: f"#/components/schemas/Installation.{kind}"
            for kind in pack.installation_kinds
            if f"Installation.{kind}" in components
        },
    }
    components["StreamLine"] = {
        "description": "One line of the NDJSON response of /v1/classify/stream",
        "oneOf": [{"$ref": "#/components/schemas/Verdict"}, {"$ref": "#/components/schemas/RecordError"}],
    }
    components["SuggestRequest"] = {
        "type": "object",
        "properties": {
            "text": {"type": "string", "minLength": 1, "description": "The hazard description (隐患描述)"},
            "sector": {"type": ["string", "null"]},
            "k": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
        },
        "required": ["text"],
        "additionalProperties": False,
    }
    components["RuleSummary"] = {
        "type": "object",
        "description": "rules list --format json: one rule (more properties may follow)",
        "properties": {
            "id": {"type": "string"},
            "standard": {"type": "string"},
            "path": {"type": "string"},
            "label": {"type": "string"},
            "text": {"type": "string"},
            "text_status": {"type": "string", "enum": ["verified", "unverified"]},
            "sectors": {"type": "array", "items": {"$ref": "#/components/schemas/SectorSlug"}},
            "citation_url": {"type": ["string", "null"]},
            "verified_on": {"type": ["string", "null"], "format": "date"},
        },
        "required": ["id", "standard", "path", "label", "text", "text_status", "sectors"],
    }
    components["RuleDetail"] = {
        "description": "rules show ID --format json: the summary plus the logic, facts and examples",
        "allOf": [
            {"$ref": "#/components/schemas/RuleSummary"},
            {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "document_number": {"type": "string"},
                    "condition": {"type": "string"},
                    "logic": {"type": "string", "description": "The condition in plain Chinese"},
                    "facts": {"type": "array", "items": {"$ref": "#/components/schemas/FactName"}},
                    "examples": {"type": "array", "items": {"type": "object"}},
                },
                "required": ["title", "document_number", "condition", "logic", "facts", "examples"],
            },
        ],
    }
    components["Code"] = {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "where": {
                "type": "string",
                "enum": ["warnings", "notes", "gaps", "reference", "error", "request"],
            },
            "meaning": {"type": "string", "description": "In Chinese"},
            "reserved": {"type": "boolean", "description": "Published but not emitted by this version"},
        },
        "required": ["code", "where", "meaning", "reserved"],
    }
    components["Version"] = {
        "type": "object",
        "properties": {
            "hazardrules_version": {"type": "string"},
            "pack": {"$ref": "#/components/schemas/PackInfo"},
        },
        "required": ["hazardrules_version", "pack"],
    }
    components["Health"] = {
        "type": "object",
        "properties": {"status": {"const": "ok"}},
        "required": ["status"],
    }
    classify_options = [
        _query("on", "Apply the standards in force on this day (default: observed_on, else today)", _DATE),
        _query(
            "complete", "Whole-site inspection: every applicable rule counts as touched", {"type": "boolean"}
        ),
        _query("select", "Only these rules (id or prefix), repeatable", many=True),
        _query("ignore", "Skip these rules (id or prefix), repeatable", many=True),
    ]
    ndjson = {"schema": {"type": "string"}}
    paths: Schema = {
        "/v1/classify": {
            "post": {
                "operationId": "classify",
                "summary": "Classify one finding",
                "parameters": classify_options,
                "requestBody": {**_json_body("Finding"), "required": True},
                "responses": _responses(
                    _json_body("Verdict", "The verdict"), "400", "413", "415", "422", "503"
                ),
            }
        },
        "/v1/classify/stream": {
            "post": {
                "operationId": "classifyStream",
                "summary": "Classify a stream of findings (JSON Lines / NDJSON); one output line per record",
                "description": "The response is streamed: each record's line (a Verdict, or a RecordError "
                "with the same codes as the CLI's batch) is written as soon as it is classified. A bad "
                "record never stops the others; the status is 200 once the stream has started.",
                "parameters": classify_options,
                "requestBody": {"required": True, "content": {"application/x-ndjson": ndjson}},
                "responses": _responses(
                    {
                        "description": "One StreamLine (JSON) per input record, in order",
                        "content": {
                            "application/x-ndjson": {
                                "schema": {"type": "string"},
                                "x-item-schema": {"$ref": "#/components/schemas/StreamLine"},
                            }
                        },
                    },
                    "400",
                    "408",
                    "413",
                    "415",
                ),
            }
        },
        "/v1/checklist": {
            "get": {
                "operationId": "checklist",
                "summary": "The inspection questions for a sector, grouped by provision",
                "parameters": [
                    {**_query("sector", "Sector slug, Chinese name or industry code"), "required": True},
                    _query("with", "Special situations (scope short names), e.g. dust", many=True),
                    _query("on", "The standards in force on this day", _DATE),
                ],
                "responses": _responses(_json_body("Checklist", "The checklist"), "400", "422"),
            }
        },
        "/v1/rules": {
            "get": {
                "operationId": "listRules",
                "summary": "The rules of the pack",
                "parameters": [_query("standard", "Only this standard's rules (slug)")],
                "responses": _responses(
                    {
                        "description": "Every rule",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/RuleSummary"},
                                }
                            }
                        },
                    },
                    "404",
                ),
            }
        },
        "/v1/rules/{rule_id}": {
            "get": {
                "operationId": "showRule",
                "summary": "One rule: text, logic, facts, examples",
                "parameters": [
                    {"name": "rule_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": _responses(_json_body("RuleDetail", "The rule"), "404"),
            }
        },
        "/v1/facts": {
            "get": {
                "operationId": "facts",
                "summary": "The fact vocabulary, or the facts the rules for one sector read",
                "parameters": [_query("sector", "Only the facts a finding of this sector can usefully give")],
                "responses": _responses(_json_body("Vocabulary", "The facts"), "422"),
            }
        },
        "/v1/suggest": {
            "post": {
                "operationId": "suggest",
                "summary": "Candidate clauses for a free-text hazard description (never a verdict)",
                "requestBody": {**_json_body("SuggestRequest"), "required": True},
                "responses": _responses(
                    _json_body("Suggestions", "The candidates"), "400", "413", "415", "422", "501"
                ),
            }
        },
        "/v1/codes": {
            "get": {
                "operationId": "codes",
                "summary": "The stable codes of warnings, notes, gaps and errors",
                "responses": {
                    "200": {
                        "description": "Every code",
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Code"}}
                            }
                        },
                    }
                },
            }
        },
        "/v1/schemas/{kind}": {
            "get": {
                "operationId": "schema",
                "summary": "A JSON Schema (2020-12) document generated from the pack",
                "parameters": [
                    {
                        "name": "kind",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(KINDS)},
                    },
                    _query("sector", "finding only: the facts the rules for this sector read"),
                ],
                "responses": _responses(
                    {
                        "description": "The schema",
                        "content": {"application/schema+json": {"schema": {"type": "object"}}},
                    },
                    "400",
                    "404",
                    "422",
                ),
            }
        },
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Liveness",
                "responses": {"200": _json_body("Health", "The service is up")},
            }
        },
        "/version": {
            "get": {
                "operationId": "version",
                "summary": "The library version and the rule pack (name, version, digest)",
                "responses": {"200": _json_body("Version", "What verdicts are computed with")},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {
            "x-id": schema_id(pack, "openapi"),
            "title": "hazardrules",
            "version": __version__,
            "description": "China's major-accident-hazard determination standards (重大事故隐患判定标准) as "
            f"cited rules. Rule pack {pack.name} {pack.version} ({pack.digest}).",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "paths": paths,
        "components": {"schemas": dict(sorted(components.items()))},
    }


def documents(pack: Pack, kinds: list[str] | None = None, sector: Sectors = None) -> dict[str, Schema]:
    """File name → document: the JSON Schemas (``<kind>.schema.json``), ``openapi.json`` and the
    rule-pack file schemas (``pack/<file>.schema.json``) for ``hazardrules schema --out``."""
    chosen = kinds or [*KINDS, "openapi", "pack"]
    out: dict[str, Schema] = {}
    for kind in chosen:
        if kind == "pack":
            for name, document in pack_schemas().items():
                stem = name.replace("/*", "").removesuffix(".yaml")
                out[f"pack/{stem}.schema.json"] = document
        elif kind == "openapi":
            out["openapi.json"] = openapi(pack)
        else:
            narrowed = sector if kind == "finding" else None
            slugs = sector_slugs(pack, narrowed)
            suffix = f".{'+'.join(slugs)}" if slugs else ""
            out[f"{kind}{suffix}.schema.json"] = schema(pack, kind, narrowed)
    return out
