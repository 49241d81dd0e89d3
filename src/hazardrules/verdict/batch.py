"""``classify_table``: a whole register at once, over Arrow, with the answers ``classify()`` gives.

The input has one row per finding: ``sector`` (required), ``id``, ``observed_on`` and one column per
fact, named by the fact (``contractor.present``), typed as the fact is (bool; integer or floating
for numbers; text for a choice; list of text for a set), null where the fact is unknown. A
``facts`` column (JSON text or a map) and an ``installations`` column (JSON text or a list of
structs) are accepted too, as is ``description`` (ignored, as by ``classify``).

Rows are grouped by sector and by the law in force on their day; in each group the columnar engine
(:mod:`hazardrules.engine.columnar`) evaluates every rule over the group's columns, and the
verdict's decision — status, rules that hold, rules open, missing facts, the codes of warnings,
notes and gaps — is assembled with array operations, not a loop over rows. Rows the vector path
does not cover go through :func:`~hazardrules.classify` one by one, so that every row gets exactly
``classify(…, detail="summary")``'s answer: rows with listed installations, a ``facts`` map, facts of
a matter another standard governs (工贸 第二条), values that are wrong (a bad type, a value outside
the fact's range or choices, an unknown fact), an unknown sector or date, a derivation that
contradicts a fact, and rows with no facts (an error, unless ``complete``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .. import _version as _version_module
from ..engine import columnar
from ..engine.columnar import Column, Mask
from ..engine.native import StandardResult
from ..errors import ArgumentError, FindingError, FindingProblem
from ..pack.model import CompiledRule, CompiledStandard, Pack
from ..pack.sectors import resolve_sector
from . import arrow_columns as cols
from .arguments import arguments, reading_switch
from .classify import classify
from .distinct import Distinct, distinct, row_records
from .explanation import explain_missing
from .finding import MAX_SAFE_INTEGER, today
from .industry import sector_notices
from .law import Law, governing_law
from .reads import Reads, unit_reads
from .remembered import Remembered
from .select import selector

BATCH_ROWS = 131_072  # rows evaluated together: bounds the working memory, whatever the table's size
META = ("id", "sector", "observed_on", "description", "facts", "installations", "finding")
Verdicts = str | Sequence[int] | Callable[[pa.Table], Any] | None

# Each distinct finding's summary (plain types: these tables are small).
PLAIN_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("status", pa.string()),
        ("sector", pa.string()),
        ("on", pa.date32()),
        ("standards", pa.list_(pa.string())),
        ("hits", pa.list_(pa.string())),
        ("undetermined", pa.list_(pa.string())),
        ("missing_facts", pa.list_(pa.string())),
        ("warnings", pa.list_(pa.string())),
        ("notes", pa.list_(pa.string())),
        ("gaps", pa.list_(pa.string())),
        ("error", pa.string()),
    ]
)
# The output: the same columns, with the texts that repeat from row to row (status, sector, rule ids,
# fact names, codes) dictionary-encoded, so a row costs a few indices, not its texts written again
# (the benchmark's million single-issue rows: 412 MB of output as plain text, 98 MB so).
_CODED = pa.dictionary(pa.int32(), pa.string())
_REPEATED = [f.name for f in PLAIN_SCHEMA if f.name not in ("id", "error") and f.type != pa.date32()]
OUTPUT_SCHEMA = pa.schema(
    [
        f.with_type(pa.list_(_CODED) if pa.types.is_list(f.type) else _CODED) if f.name in _REPEATED else f
        for f in PLAIN_SCHEMA
    ]
)
# classify_table's ``text``: the output's schema, OUTPUT_SCHEMA or PLAIN_SCHEMA
Text = Literal["dictionary", "plain"]
TEXTS: tuple[Text, ...] = get_args(Text)
SUMMARY_FIELDS = [f.name for f in OUTPUT_SCHEMA if f.name not in ("id", "error")]


def classify_table(
    table: pa.Table | pa.RecordBatch,
    *,
    on: dt.date | str | None = None,
    complete: bool = False,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    pack: Pack | str | os.PathLike[str] | None = None,
    verdicts: Verdicts = None,
    readings: Iterable[str] | str | None = None,
    text: Text = "dictionary",
) -> pa.Table:
    """Classify every row of ``table``; return one row per finding, in the same order.

    Columns: ``id``, ``status`` (null for a row that could not be classified), ``sector``, ``on``,
    ``standards``, ``hits`` (rule ids that hold), ``undetermined`` (rule ids still open),
    ``missing_facts``, ``warnings``, ``notes``, ``gaps`` (codes) and ``error`` (the
    :class:`~hazardrules.FindingError` as JSON, else null) — each row what
    ``classify(row, detail="summary")`` says. ``verdicts`` adds a ``verdict`` column holding the full
    verdict JSON for chosen rows: ``"all"``, ``"major"``, ``"undetermined"``, a list of row positions,
    or a function from the output table to a boolean mask. ``text="plain"`` gives the texts that
    repeat from row to row (status, sector, the lists) as plain text rather than dictionary-encoded
    (``PLAIN_SCHEMA`` rather than ``OUTPUT_SCHEMA``). The other arguments are ``classify``'s.
    """
    if text not in TEXTS:
        raise ArgumentError(f"text: one of {', '.join(map(repr, TEXTS))}; not {text!r}")
    on_day, complete, select_t, ignore_t, chosen_pack = arguments(on, complete, select, ignore, pack)
    off = reading_switch(chosen_pack, readings)
    chosen = selector(chosen_pack, select_t, ignore_t)
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if not isinstance(table, pa.Table):
        raise ArgumentError(
            f"classify_table takes a pyarrow Table or RecordBatch, not {type(table).__name__}"
        )
    if "sector" not in table.column_names:
        raise ArgumentError("the table has no 'sector' column (one row per finding: sector, id, facts…)")
    options = Options(
        chosen_pack,
        on_day,
        complete,
        select_t,
        ignore_t,
        None if chosen.everything else chosen,
        off,
        readings if readings is None or isinstance(readings, str) else tuple(readings),
    )
    parts = [_classify_chunk(chunk, options) for chunk in _chunks(table)]
    out = pa.concat_tables(parts) if parts else OUTPUT_SCHEMA.empty_table()
    out = out.replace_schema_metadata(_metadata(options))
    if text == "plain":
        out = out.cast(PLAIN_SCHEMA.with_metadata(out.schema.metadata))
    if verdicts is not None:
        out = out.append_column("verdict", _verdicts(table, out, verdicts, options))
    return out


def iter_classify(batches: Iterable[pa.RecordBatch | pa.Table], **options: Any) -> Iterator[pa.Table]:
    """``classify_table`` over a stream of batches (e.g. a Parquet file read batch by batch)."""
    for batch in batches:
        yield classify_table(batch, **options)


def _starts(rows: int) -> range:
    return range(0, rows, BATCH_ROWS)


@dataclass(frozen=True, slots=True)
class Options:
    pack: Pack
    on: dt.date | None
    complete: bool
    select: tuple[str, ...] | None
    ignore: tuple[str, ...] | None
    chosen: Callable[[str], bool] | None
    off: frozenset[str] = frozenset()  # documented readings switched off
    readings: Any = None  # classify's readings argument, for the rows it judges


# -- a register judged once per distinct finding ---------------------------------------------------
CHUNK_CELLS = 8_000_000  # cells (values held) grouped at once: bounds memory whatever the table's width
KEYS_UP_TO = 65_536  # distinct findings per chunk whose keys are worked out (for the memory of findings)
LOOP_UP_TO = 8_192  # below this many cells to judge, classify() one by one beats the vector path's set-up
MEMO_SIZE = 32_768  # summaries kept across tables (batches of a file, Spark's batches)
_RECORDS_AT_ONCE = 8_192  # rows read as records at a time for their full verdicts (``verdicts=``)
_MEMO: dict[tuple[Any, ...], tuple[Pack, Remembered]] = {}


def _chunks(table: pa.Table) -> Iterator[pa.Table]:
    """The table in chunks of at most about CHUNK_CELLS values (and at least BATCH_ROWS rows)."""
    size = table.num_rows
    cells = sum(size - table.column(name).null_count for name in table.column_names)
    rows = max(BATCH_ROWS, size * CHUNK_CELLS // max(cells, 1))
    for start in range(0, size, rows):
        yield table.slice(start, rows)


def _classify_chunk(table: pa.Table, options: Options) -> pa.Table:
    """Every row of the chunk, judging each distinct finding once (from memory when an earlier table
    had it) and giving each row its own id, day and error."""
    if table.num_rows == 0:
        return OUTPUT_SCHEMA.empty_table()
    groups = distinct(table, options.pack, options.on, keys_up_to=KEYS_UP_TO)
    unique = _judge_distinct(table, groups, options)
    return _spread(table, groups, unique, options)


def _memory(options: Options) -> Remembered:
    scope = (
        id(options.pack),
        options.on,
        options.complete,
        options.select,
        options.ignore,
        options.off,
        options.readings,
    )
    found = _MEMO.get(scope)
    if found is None or found[0] is not options.pack:
        if len(_MEMO) > 4:
            _MEMO.clear()
        found = _MEMO[scope] = (options.pack, Remembered(MEMO_SIZE))
    return found[1]


_SUMMARY = [name for name in OUTPUT_SCHEMA.names if name != "id"]


def _judge_distinct(table: pa.Table, groups: Distinct, options: Options) -> pa.Table:
    """One row per distinct finding: what ``classify(…, detail="summary")`` says of it (an error
    with no finding id: each row gets its own)."""
    count = len(groups.first)
    memory = _memory(options) if groups.keys is not None else None
    parts: list[tuple[Sequence[int], pa.Table]] = []
    known: Sequence[int] = []
    if memory is not None and groups.keys is not None:
        known, remembered = memory.find(groups.keys)
        if remembered is not None:
            parts.append((known, remembered))
    missing = list(range(count))
    if known:
        missing = np.setdiff1d(np.arange(count), np.asarray(known, dtype=np.intp)).tolist()
    if missing and int(np.maximum(groups.sizes[missing], 4).sum()) <= LOOP_UP_TO * 4:
        # records carry no id: an error names none here, and each row gets its own in _spread
        judged = pa.table(_columns([_routed_row(record, options) for record in groups.records(missing)]))
    elif missing:
        leaders = table.take(pa.array(groups.first[missing]))
        judged = pa.concat_tables(
            [_classify_slice(leaders.slice(s, BATCH_ROWS), options) for s in _starts(leaders.num_rows)]
        ).select(_SUMMARY)
    if missing:
        parts.append((missing, judged))
        if memory is not None and groups.keys is not None:
            memory.add([groups.keys[n] for n in missing], judged)
    if len(parts) == 1 and list(parts[0][0]) == list(range(count)):
        return parts[0][1]
    order = np.concatenate([np.asarray(numbers, dtype=np.int64) for numbers, _ in parts])
    merged = pa.concat_tables([part.select(_SUMMARY) for _, part in parts])
    back = np.empty(count, dtype=np.int64)
    back[order] = np.arange(count)
    return cols.take(merged, pa.array(back))


def _spread(table: pa.Table, groups: Distinct, unique: pa.Table, options: Options) -> pa.Table:
    """Each row's verdict: its distinct finding's, with the row's own id, day, and id in its error."""
    size = table.num_rows
    if "id" in table.column_names and cols.is_text(table.column("id").type):
        ids = cols.combined(table.column("id")).cast(pa.string(), memory_pool=cols.POOL)
    else:
        ids = pa.nulls(size, pa.string())
    columns: dict[str, pa.Array | pa.ChunkedArray] = {"id": ids}
    for name in _REPEATED:
        columns[name] = _repeat(_encoded(cols.combined(unique.column(name))), groups.inverse)
    # each row's own day, except where a ``finding`` cell (which the key holds whole) names the day
    group_on = cols.combined(unique.column("on"))
    judged = np.asarray(cols.validity(group_on), dtype=bool)[groups.inverse]
    days = groups.days
    if "finding" in table.column_names:
        whole = cols.validity(cols.combined(table.column("finding")))
        if whole.any():
            group_days = np.asarray(group_on.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False))
            days = np.where(whole, group_days[groups.inverse], days)
    columns["on"] = pa.array(days.astype(np.int32), pa.int32(), mask=~judged, memory_pool=cols.POOL).cast(
        pa.date32(), memory_pool=cols.POOL
    )
    errors = cols.combined(unique.column("error"))
    failed = np.flatnonzero(cols.validity(errors))
    if not len(failed):
        columns["error"] = pa.nulls(size, pa.string())
        return pa.table([columns[name] for name in OUTPUT_SCHEMA.names], schema=OUTPUT_SCHEMA)
    # An error names the finding's id, and may name its day (no standard on that day): each row of a
    # group whose first row was refused gets its own id, and one on another day is judged again.
    refused = np.zeros(len(groups.first), dtype=bool)
    refused[failed] = True
    rows = np.flatnonzero(refused[groups.inverse])
    group = groups.inverse[rows]
    alike = groups.days[rows] == groups.days[groups.first][group]
    again = {int(row): _again(table, int(row), options) for row in rows[~alike]}
    rows, group = rows[alike], group[alike]
    numbers, of = np.unique(group, return_inverse=True)
    tails = [_error_tail(json.loads(errors[n].as_py())["problems"]) for n in numbers.tolist()]
    tails_of = cols.take(pa.array(tails, pa.string()), of.reshape(-1))
    texts = _error_cells(cols.take(ids, pa.array(rows)), tails_of)
    where = np.full(size, -1, dtype=np.int64)
    where[rows] = np.arange(len(rows))
    columns["error"] = cols.take(texts, pa.array(where, mask=where < 0))
    if again:
        listed = sorted(again)
        where = np.arange(size)
        where[listed] = size + np.arange(len(listed))
        for name, extra in _columns([again[row] for row in listed]).items():
            if name in _REPEATED:
                extra = _encoded(extra)
            whole = pa.chunked_array([*_chunks_of(columns[name]), extra], extra.type)
            columns[name] = cols.take(whole, pa.array(where))
    return pa.table([columns[name] for name in OUTPUT_SCHEMA.names], schema=OUTPUT_SCHEMA)


def _encoded(array: pa.Array) -> pa.Array:
    """A text array dictionary-encoded, or a list of text with its items dictionary-encoded (the
    output's types for the texts that repeat from row to row)."""
    if pa.types.is_list(array.type):
        return pa.ListArray.from_arrays(array.offsets, array.values.dictionary_encode(), mask=array.is_null())
    return array.dictionary_encode()


def _repeat(array: pa.Array, where: npt.NDArray[np.intp]) -> pa.ChunkedArray:
    """``array.take(where)``, in chunks of BATCH_ROWS rows (each chunk's buffers grown on their own,
    not one buffer grown, and copied as it grows, for the whole table); the chunks share the
    dictionary of a dictionary-encoded array."""
    return pa.chunked_array(
        [cols.take(array, pa.array(where[s : s + BATCH_ROWS])) for s in _starts(len(where))], array.type
    )


def _chunks_of(column: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    return column.chunks if isinstance(column, pa.ChunkedArray) else [column]


def _again(table: pa.Table, row: int, options: Options) -> dict[str, Any]:
    """One row judged on its own (its group's first row was refused on another day)."""
    return _routed_row(row_records(table, [row])[0], options)


def _routed_row(record: Mapping[str, Any], options: Options) -> dict[str, Any]:
    """A row's output, as ``classify`` gives it: the summary's fields, or the error naming the row's id."""
    kind, value = _routed_one(record, options)
    return dict(value) if kind == "ok" else {"error": _error_text(record.get("id"), value)}


def _error_text(finding_id: Any, problems: Any) -> str:
    """The ``error`` cell: the FindingError as JSON (``{"finding_id": …, "problems": […]}``, as
    ``json.dumps`` writes it), with the row's id when it is text."""
    return _error_head(finding_id) + _error_tail(problems)


def _error_head(finding_id: Any) -> str:
    text = json.dumps(finding_id, ensure_ascii=False) if isinstance(finding_id, str) else "null"
    return '{"finding_id": ' + text


def _error_tail(problems: Any) -> str:
    return ', "problems": ' + json.dumps(problems, ensure_ascii=False) + "}"


_ESCAPED = r'["\\\x00-\x1f]'  # what json.dumps escapes in text (ensure_ascii=False), as RE2 reads it


def _error_cells(ids: pa.Array, tails: pa.Array) -> pa.Array:
    """Per row, ``_error_head(id) + tail``, written column-wise: a text id that ``json.dumps`` writes
    as it is, between quotes; a missing one as null; the few others by ``json.dumps``."""
    quoted = pc.binary_join_element_wise('{"finding_id": "', ids, '"', tails, "", memory_pool=cols.POOL)
    unnamed = pc.binary_join_element_wise('{"finding_id": null', tails, "", memory_pool=cols.POOL)
    cells = pc.if_else(pc.is_valid(ids), quoted, unnamed, memory_pool=cols.POOL)
    odd = pc.fill_null(pc.match_substring_regex(ids, _ESCAPED), False)
    if pc.any(odd).as_py():
        at = pa.array(np.flatnonzero(odd.to_numpy(zero_copy_only=False)))
        pairs = zip(ids.take(at).to_pylist(), tails.take(at).to_pylist(), strict=True)
        written = pa.array([_error_head(i) + tail for i, tail in pairs], pa.string())
        cells = pc.replace_with_mask(cells, odd, written)
    return cells


def _columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, pa.Array]:
    """The output columns (all but ``id``) of rows given as mappings (a missing field is null)."""
    return {name: pa.array([r.get(name) for r in rows], PLAIN_SCHEMA.field(name).type) for name in _SUMMARY}


def _metadata(options: Options) -> dict[bytes, bytes]:
    info = {
        "pack": {"name": options.pack.name, "version": options.pack.version, "digest": options.pack.digest},
        "complete": options.complete,
        "engine": "columnar",
        "hazardrules_version": _version_module.__version__,
    }
    return {b"hazardrules": json.dumps(info).encode()}


# -- one slice -------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Slice:
    table: pa.Table
    size: int
    route: Mask  # rows answered by classify() one by one
    columns: dict[str, Column]  # fact columns whose values are all valid where known
    known: dict[str, npt.NDArray[np.intp]]  # fact column → the rows where it is known
    group: npt.NDArray[np.int64]  # each row's group (-1: none)
    present: dict[str, set[int]]  # fact column → the groups with a row where it is known
    slugs: list[str]  # the sectors met
    given_sector: npt.NDArray[np.int64]  # per row, the position of its sector value in ``sector_values``
    sector_values: list[Any]  # the sector values met, as given
    sector: npt.NDArray[np.int64]  # per row, its sector's position in ``slugs`` (-1: routed)
    day: npt.NDArray[np.int64]  # days since 1970 per row


def _classify_slice(table: pa.Table, options: Options) -> pa.Table:
    size = table.num_rows
    pack = options.pack
    route = np.zeros(size, dtype=bool)
    columns: dict[str, Column] = {}
    for name in table.column_names:
        if name in META:
            continue
        array = cols.combined(table.column(name))
        valid = cols.validity(array)
        if name not in pack.facts:
            route |= valid  # classify() names the unknown fact
            continue
        column, bad = _fact_column(pack, name, array, valid)
        route |= bad
        if column is not None and column.known.any():
            columns[name] = column
    for name in ("facts", "installations", "finding"):
        if name in table.column_names:
            route |= _non_empty(cols.combined(table.column(name)))
    codes, slugs, given_sector, sector_values = _sectors(pack, table, route)
    days = cols.row_days(table, options.on, route)
    if "id" in table.column_names and not cols.is_text(table.column("id").type):
        route |= cols.validity(cols.combined(table.column("id")))
    matter = np.zeros(size, dtype=bool)
    given = np.zeros(size, dtype=bool)
    for name, column in columns.items():
        given |= column.known
        if pack.facts[name].matter is None:
            continue
        if name.startswith("matter.") and column.kind == "bool":
            matter |= column.known & column.data  # a matter flag given as false is no matter
        else:
            matter |= column.known
    route |= matter
    # Facts of two or more installation kinds on one finding are several unnamed installations,
    # which a narrower and a broader kind may share or not: classify() judges those rows.
    kinds: dict[str, Mask] = {}
    for name, column in columns.items():
        kind = pack.facts[name].installation
        if kind is not None:
            kinds[kind] = kinds.get(kind, np.zeros(size, dtype=bool)) | column.known
    if len(kinds) > 1:
        route |= np.sum(np.stack(list(kinds.values())), axis=0) > 1
    # An installation described answers facts of the enterprise (its kind's implies, any_installation
    # derivations), which classify() works out when it prepares the finding: those rows go there.
    lifting = {k for k, spec in pack.installation_kinds.items() if spec.implies}
    lifting |= {k for d in pack.lifted for f in d.when.facts if (k := pack.facts[f].installation) is not None}
    for kind, present in kinds.items():
        if kind in lifting:
            route |= present
    if not options.complete:
        route |= ~given
    known = {name: np.flatnonzero(column.known) for name, column in columns.items()}
    state = _Slice(
        table,
        size,
        route,
        columns,
        known,
        np.full(size, -1, np.int64),
        {},
        slugs,
        given_sector,
        sector_values,
        codes,
        days,
    )
    out = _Output(size)
    rows = np.flatnonzero(~route)
    if len(rows):
        low = int(days[rows].min())
        span = int(days[rows].max()) - low + 1
        keys = codes[rows] * span + (days[rows] - low)
        unique, inverse = np.unique(keys, return_inverse=True)
        laws: dict[tuple[Any, ...], tuple[dt.date, Law]] = {}
        group_of = np.full(len(unique), -1, dtype=np.int64)
        named: list[tuple[str, dt.date, Law]] = []
        for position, key in enumerate(unique.tolist()):
            sector = slugs[key // span]
            day = cols.date_of(key % span + low)
            found = _law(pack, sector, day)
            if found is None:
                continue
            short = (sector, *found[0])
            if short not in laws:
                laws[short] = (day, found[1])
                named.append((sector, day, found[1]))
            group_of[position] = list(laws).index(short)
        groups = group_of[inverse]
        route[rows[groups < 0]] = True
        state.group[rows] = groups
        for name, where in known.items():
            state.present[name] = set(np.unique(state.group[where]).tolist())
        order = np.argsort(groups, kind="stable")
        bounds = np.searchsorted(groups[order], np.arange(len(named) + 1))
        for number, (sector, day, law) in enumerate(named):
            members = rows[order[bounds[number] : bounds[number + 1]]]
            if len(members):
                _classify_group(state, number, members, sector, day, law, options, out)
    _classify_routed(state, options, out)
    return out.table(table)


def _law(pack: Pack, sector: str, day: dt.date) -> tuple[tuple[Any, ...], Law] | None:
    """The law for the day, and what makes two days' laws the same for a verdict (None: no law)."""
    try:
        law = governing_law(pack, sector, day)
    except FindingError:
        return None
    key = (
        tuple(s.slug for s in law.standards),
        tuple((g.code, g.document.id, tuple(g.provisions)) for g in law.gaps),
        day > today(),
    )
    return key, law


def _non_empty(array: pa.Array) -> Mask:
    valid = cols.validity(array)
    if pa.types.is_list(array.type) or pa.types.is_large_list(array.type) or pa.types.is_map(array.type):
        lengths = pc.fill_null(pc.list_value_length(array), 0).to_numpy(zero_copy_only=False)
        return valid & (np.asarray(lengths) > 0)
    return valid


def _fact_column(pack: Pack, name: str, array: pa.Array, valid: Mask) -> tuple[Column | None, Mask]:
    """The fact's column, and the rows whose value classify() would refuse (they are routed)."""
    spec = pack.facts[name]
    kind = spec.type
    size = len(array)
    if not valid.any():
        return None, np.zeros(size, dtype=bool)
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    atype = array.type
    if kind == "bool":
        if not pa.types.is_boolean(atype):
            return None, valid
        data = cols.bits(array.buffers()[1], array.offset, size) & valid
        return Column("bool", valid, data), np.zeros(size, dtype=bool)
    if kind in ("number", "integer"):
        if pa.types.is_integer(atype) and not pa.types.is_uint64(atype):
            data = np.where(valid, cols.numbers(array, np.int64), 0)
            bad = valid & ((data > MAX_SAFE_INTEGER) | (data < -MAX_SAFE_INTEGER))
        elif pa.types.is_floating(atype) and kind == "number" and not pa.types.is_float16(atype):
            data = np.where(valid, cols.numbers(array, np.float64), 0.0)
            bad = valid & ~np.isfinite(data)
            data = np.where(bad, 0.0, data)
        else:
            return None, valid
        if spec.minimum is not None:
            bad |= valid & (data < spec.minimum)
        if spec.maximum is not None:
            bad |= valid & (data > spec.maximum)
        return Column("number", valid & ~bad, data), bad
    allowed = pa.array(sorted(spec.values or {}), pa.string())
    if kind == "enum":
        if not cols.is_text(atype):
            return None, valid
        array = array.cast(pa.string())
        ok = np.asarray(pc.is_in(array, value_set=allowed).to_numpy(zero_copy_only=False), dtype=bool)
        bad = valid & ~ok
        return Column("enum", valid & ~bad, array), bad
    if not (pa.types.is_list(atype) or pa.types.is_large_list(atype) or pa.types.is_list_view(atype)) or not (
        cols.is_text(atype.value_type)
    ):
        return None, valid
    array = array.cast(pa.list_(pa.string()))
    flat = array.flatten()
    wrong = np.asarray(
        pc.invert(pc.fill_null(pc.is_in(flat, value_set=allowed), False)).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    bad = np.zeros(size, dtype=bool)
    if wrong.any():
        parents = np.asarray(pc.list_parent_indices(array).to_numpy(zero_copy_only=False))
        bad[parents[wrong]] = True
    bad &= valid
    return Column("set", valid & ~bad, array), bad


def _sectors(
    pack: Pack, table: pa.Table, route: Mask
) -> tuple[npt.NDArray[np.int64], list[str], npt.NDArray[np.int64], list[Any]]:
    """Each row's sector as a position in the list of sector slugs met (-1, and routed: unknown), and
    as the position of the value given (the sector notes depend on how it was written)."""
    column = cols.combined(table.column("sector"))
    size = len(column)
    if not cols.is_text(column.type):
        route[:] = True
        return np.full(size, -1, dtype=np.int64), [], np.full(size, -1, dtype=np.int64), []
    encoded = column.cast(pa.string()).dictionary_encode()
    slugs: list[str] = []
    lookup: list[int] = []
    for value in encoded.dictionary.to_pylist():
        try:
            slug = resolve_sector(pack, value)
        except FindingError:
            lookup.append(-1)
            continue
        if slug not in slugs:
            slugs.append(slug)
        lookup.append(slugs.index(slug))
    table_of = np.asarray([*lookup, -1], dtype=np.int64)
    indices = np.asarray(
        encoded.indices.fill_null(len(lookup)).to_numpy(zero_copy_only=False), dtype=np.int64
    )
    codes = table_of[indices]
    route |= codes < 0
    return codes, slugs, indices, encoded.dictionary.to_pylist()


# -- one group: a sector under one law ---------------------------------------------------------------
_PLANS: dict[tuple[int, tuple[str, ...]], tuple[CompiledStandard, columnar.StandardPlan | None]] = {}


def _plan(
    pack: Pack, standard: CompiledStandard, units: tuple[CompiledRule, ...]
) -> columnar.StandardPlan | None:
    key = (id(standard), tuple(u.key for u in units))
    found = _PLANS.get(key)
    if found is None or found[0] is not standard:
        kinds = {name: _kind(spec.type) for name, spec in pack.facts.items()}
        try:
            built: columnar.StandardPlan | None = columnar.plan(standard, units, kinds)
        except columnar.Unsupported:
            built = None
        if len(_PLANS) > 1024:
            _PLANS.clear()
        found = _PLANS[key] = (standard, built)
    return found[1]


def _kind(fact_type: str) -> str:
    return "number" if fact_type == "integer" else fact_type


def _flat(pack: Pack, units: tuple[CompiledRule, ...]) -> bool:
    """Whether facts of an installation kind given on the finding (one unnamed installation per kind)
    may be judged together with the enterprise's: every unit reads only the enterprise's facts and
    those of its own kind (as the shipped pack's units do)."""
    for unit in units:
        for fact in unit.touch:
            kind = pack.facts[fact].installation
            if kind is not None and kind != unit.kind:
                return False
    return True


def _flat_derivations(pack: Pack, standard: CompiledStandard) -> bool:
    """Whether each derivation reads and sets the facts of one installation kind at most."""
    for derivation in standard.derivations:
        facts = {*derivation.when.facts, derivation.spec.derives}
        if len({pack.facts[f].installation for f in facts} - {None}) > 1:
            return False
    return True


def _take(column: Column, rows: npt.NDArray[np.intp], whole: bool) -> Column:
    if whole:
        return column
    if column.kind in ("bool", "number"):
        return Column(column.kind, column.known[rows], column.data[rows])
    return Column(column.kind, column.known[rows], column.data.take(pa.array(rows, pa.int64())))


def _classify_group(
    state: _Slice,
    group: int,
    rows: npt.NDArray[np.intp],
    sector: str,
    day: dt.date,
    law: Law,
    options: Options,
    out: _Output,
) -> None:
    pack = options.pack
    size = len(rows)
    whole = size == state.size
    judgements: list[tuple[CompiledStandard, tuple[CompiledRule, ...]]] = []
    for standard in law.standards:
        units = standard.by_sector.get(sector, ())
        if options.chosen is not None:
            units = tuple(u for u in units if options.chosen(u.id))
        judgements.append((standard, units))
    plans = [_plan(pack, s, u) for s, u in judgements]
    installed = any(pack.facts[f].installation is not None for f in state.columns)
    flat = all(_flat(pack, u) and _flat_derivations(pack, s) for s, u in judgements)
    if any(p is None for p in plans) or (installed and not flat):
        state.route[rows] = True  # the vector path does not cover this law: row by row
        return
    # Documented readings (switched per call, reported per verdict): rows giving a fact one of their
    # derivations reads are answered by classify().
    by_reading = {f for s, _ in judgements for d in s.derivations if d.spec.reading for f in d.when.facts}
    for name in by_reading & set(state.columns):
        reading_rows = state.columns[name].known[rows]
        if reading_rows.any():
            state.route[rows[reading_rows]] = True
    rows = rows[~state.route[rows]]
    size = len(rows)
    whole = size == state.size
    if size == 0:
        return
    reads = [unit_reads(pack, s, sector, u) for s, u in judgements]
    read_facts: frozenset[str] = frozenset().union(*(r.facts for r in reads))
    needed = set(read_facts) | set(pack.sectors[sector].implies)
    for standard, units in judgements:
        for unit in units:
            needed.update(unit.condition.facts)
            needed.update(unit.applies.facts if unit.applies is not None else ())
        for derivation in standard.derivations:
            needed.update(derivation.when.facts)
            needed.add(derivation.spec.derives)
    present = [name for name, groups in state.present.items() if group in groups]
    given = {name: _take(state.columns[name], rows, whole) for name in present if name in needed}
    unread_names = {n for n in present if n not in read_facts and pack.facts[n].matter is None}
    unread = np.zeros(size, dtype=bool)
    if unread_names and judgements:
        local = np.empty(state.size, dtype=np.intp)
        local[rows] = np.arange(size)
        for name in unread_names:
            where = state.known[name]
            unread[local[where[state.group[where] == group]]] = True
    reroute = np.zeros(size, dtype=bool)
    env = dict(given)
    for name, value in pack.sectors[sector].implies.items():
        current = env.get(name)
        kind = _kind(pack.facts[name].type)
        if current is None:
            current = columnar.unknown_column(kind, size)
        reroute |= current.known & ~columnar._equals(current, value)
        env[name] = columnar._assign(current, ~current.known, value)
    results = []
    for found in plans:
        assert found is not None
        result = columnar.evaluate(found, env, size, options.off)
        reroute |= result.conflict
        results.append(result)
    written = (state.given_sector[rows], state.sector_values)
    decided = _decide(
        pack,
        given,
        results,
        judgements,
        reads,
        unread,
        unread_names,
        sector,
        law,
        day,
        options,
        size,
        written,
    )
    keep = ~reroute
    state.route[rows[reroute]] = True
    out.put(rows[keep], decided, keep, state.day[rows[keep]])


@dataclass(slots=True)
class _Decided:
    status: pa.Array
    sector: str
    on: dt.date
    standards: list[str]
    hits: pa.Array
    undetermined: pa.Array
    missing: pa.Array
    warnings: pa.Array
    notes: pa.Array
    gaps: list[str]


def _decide(
    pack: Pack,
    given: dict[str, Column],
    results: list[columnar.BatchResult],
    judgements: list[tuple[CompiledStandard, tuple[CompiledRule, ...]]],
    reads: list[Reads],
    unread: Mask,
    unread_names: set[str],
    sector: str,
    law: Law,
    day: dt.date,
    options: Options,
    size: int,
    written: tuple[npt.NDArray[np.int64], list[Any]],
) -> _Decided:
    """The verdict's decision for every row of the group, as :func:`classify` makes it."""
    complete = options.complete
    units: list[tuple[columnar.BatchResult, columnar.UnitValues]] = [(r, u) for r in results for u in r.units]
    reported: list[Mask] = []
    for _, values in units:
        if complete:
            reported.append(np.ones(size, dtype=bool))
            continue
        touched = values.true.copy()
        for fact in values.plan.unit.touch:
            column = given.get(fact)
            if column is not None:
                touched |= column.known
        reported.append(touched)
    ids = [values.plan.unit.id for _, values in units]
    holding: dict[str, Mask] = {}
    open_: dict[str, Mask] = {}
    examined: dict[str, Mask] = {}
    for rule_id, (_, values), seen in zip(ids, units, reported, strict=True):
        holding[rule_id] = holding.get(rule_id, _false(size)) | values.true
        open_[rule_id] = open_.get(rule_id, _false(size)) | (values.unknown & seen)
        examined[rule_id] = examined.get(rule_id, _false(size)) | seen
    hit_masks = [values.true for _, values in units]
    undecided = [
        values.unknown & seen & ~holding[i] for i, (_, values), seen in zip(ids, units, reported, strict=True)
    ]
    any_hit = _any(hit_masks, size)
    any_open = _any(undecided, size)
    cleared_masks = [
        values.false & seen & ~holding[i] & ~open_[i]
        for i, (_, values), seen in zip(ids, units, reported, strict=True)
    ]
    any_cleared = _any(cleared_masks, size)
    # cleared although the rule applies (not only because its applies.when is false)
    in_scope = _any(
        [
            mask & ~_applies_false(result, values)
            for (result, values), mask in zip(units, cleared_masks, strict=True)
        ],
        size,
    )
    # warnings, in classify's order
    warn_masks: list[tuple[str, Mask]] = []
    if judgements:
        value_unread = _false(size)
        for name, column in given.items():
            if column.kind != "set" or name in unread_names:
                continue
            found = [r.values.get(name, frozenset()) for r in reads]
            if any(v is None for v in found):
                continue
            read: frozenset[str] = frozenset().union(*found)  # type: ignore[arg-type]
            outside = pc.invert(
                pc.is_in(column.data.flatten(), value_set=pa.array(sorted(read), pa.string()))
            )
            value_unread |= columnar._rows_with(column, outside, size) & column.known
        warn_masks += [("fact_not_read", unread), ("value_not_read", value_unread)]
    else:
        value_unread = _false(size)
    gaps: list[str] = list(dict.fromkeys(g.code for g in law.gaps))
    major = any_hit
    undetermined = ~major & (any_open | value_unread | bool(gaps))
    nothing = ~major & ~undetermined & ~any_cleared
    not_major = ~major & ~undetermined & ~nothing
    if judgements:
        warn_masks.append(("nothing_examined", nothing))
    if day > today():
        warn_masks.append(("date_in_future", np.ones(size, dtype=bool)))
    unverified = [v.true for _, v in units if v.plan.unit.spec.text_status != "verified"]
    warn_masks.append(("text_unverified", _any(unverified, size)))
    # notes and warnings about how the sector was written (a GB/T 4754 code, an industry word)
    note_masks: list[tuple[str, Mask]] = []
    positions, written_values = written
    for position in np.unique(positions).tolist():
        rows_of = positions == position
        sector_warnings, sector_notes = sector_notices(pack, written_values[position])
        warn_masks += [(w.code, rows_of) for w in sector_warnings]
        note_masks += [(n.code, rows_of) for n in sector_notes]
    # a documented reading set a fact that a reported rule reads
    by_reading = _false(size)
    for (result, values_), seen in zip(units, reported, strict=True):
        if not result.reading_set:
            continue
        for fact in values_.plan.unit.touch:
            reading_rows = result.reading_set.get(fact)
            if reading_rows is not None:
                by_reading |= reading_rows & seen
    warn_masks.append(("reading_applied", by_reading))
    catch_all = _false(size)
    for rule_id in dict.fromkeys(u.plan.unit.id for _, u in units if u.plan.unit.spec.catch_all):
        catch_all |= ~examined[rule_id]
    status = np.zeros(size, dtype=np.int8)
    status[major] = 1
    status[not_major] = 2
    missing = _missing_entries(units, undecided, size)
    return _Decided(
        status=_STATUSES.take(pa.array(status)),
        sector=sector,
        on=day,
        standards=[s.slug for s, _ in judgements],
        hits=_lists(hit_masks, ids, size),
        undetermined=_lists(undecided, ids, size),
        missing=_lists([m for _, m in missing], [f for f, _ in missing], size),
        warnings=_lists([m for _, m in warn_masks], [c for c, _ in warn_masks], size),
        notes=_lists(
            [*(m for _, m in note_masks), not_major & ~in_scope, not_major & catch_all],
            [*(c for c, _ in note_masks), "outside_scope", "catch_all_not_assessed"],
            size,
        ),
        gaps=gaps,
    )


def _applies_false(result: columnar.BatchResult, values: columnar.UnitValues) -> Mask:
    """Where the unit's applicability condition is false (never, for a unit without one)."""
    unit = values.plan.unit
    if unit.applies is None:
        return _false(result.size)
    if values.pairs is not None and values.plan.applies is not None:
        return values.pairs[0][0][1]
    applies = unit.applies
    return columnar._row_by_row(applies.evaluate, applies.facts, result.env, result.size)[1]


_STATUSES = pa.array(["undetermined", "major", "not_major"], pa.string())


def _false(size: int) -> Mask:
    return np.zeros(size, dtype=bool)


def _any(masks: Sequence[Mask], size: int) -> Mask:
    out = _false(size)
    for mask in masks:
        out |= mask
    return out


def _lists(masks: Sequence[Mask], labels: Sequence[str], size: int) -> pa.Array:
    """Per row, the labels whose mask holds there, each once, in order of first appearance."""
    kept = [(m, label) for m, label in zip(masks, labels, strict=True) if m.any()]
    if not kept:
        return pa.ListArray.from_arrays(
            pa.array(np.zeros(size + 1, dtype=np.int32)), pa.array([], pa.string())
        )
    names = list(dict.fromkeys(label for _, label in kept))
    number = {name: i for i, name in enumerate(names)}
    matrix = np.stack([m for m, _ in kept], axis=1)  # rows × entries, row-major
    rows, entries = np.nonzero(matrix)
    codes = np.asarray([number[label] for _, label in kept], dtype=np.int64)[entries]
    key = rows.astype(np.int64) * len(names) + codes
    _, first = np.unique(key, return_index=True)
    first.sort()
    rows, codes = rows[first], codes[first]
    offsets = np.zeros(size + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=size), out=offsets[1:])
    values = pa.array(names, pa.string()).take(pa.array(codes))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _unknown(pair: columnar.Pair) -> Mask:
    return ~(pair[0] | pair[1])


def _missing_entries(
    units: list[tuple[columnar.BatchResult, columnar.UnitValues]], undecided: list[Mask], size: int
) -> list[tuple[str, Mask]]:
    """(fact, rows) in the order the verdict lists missing facts (see explanation.explain_missing)."""
    entries: list[tuple[str, Mask]] = []
    for (result, values), rows in zip(units, undecided, strict=True):
        if not rows.any():
            continue
        if values.pairs is None:
            entries += _row_missing(result, values.plan.unit, rows)
            continue
        exprs = (
            [values.plan.applies, values.plan.condition] if values.plan.applies else [values.plan.condition]
        )
        own: list[tuple[str, Mask]] = []
        try:
            for expr, pairs in zip(exprs, values.pairs, strict=True):
                assert expr is not None
                root = rows & _unknown(pairs[0])
                if root.any():
                    _leaf_entries(result, expr, pairs, root, own, ())
        except columnar.Unsupported:  # a derivation behind a fact is evaluated row by row
            own = _row_missing(result, values.plan.unit, rows)
        entries += own
    return entries


def _leaf_entries(
    result: columnar.BatchResult,
    expr: columnar.VectorExpr,
    pairs: list[columnar.Pair],
    base: Mask,
    entries: list[tuple[str, Mask]],
    expanding: tuple[str, ...],
) -> None:
    unknown: dict[int, Mask] = {}
    for leaf in expr.leaves:
        mask = base
        for index in leaf.path:
            found = unknown.get(index)
            if found is None:
                found = unknown[index] = _unknown(pairs[index])
            mask = mask & found
        column = result.env.get(leaf.fact)
        if column is not None:
            mask = mask & ~column.known
        if not mask.any():
            continue
        entries.append((leaf.fact, mask))
        if leaf.fact in expanding:
            continue
        by_id = {step.derivation.spec.id: step for step in result.plan.derivations}
        for derivation in result.plan.standard.derived_by.get(leaf.fact, ()):
            if result.off and derivation.spec.reading in result.off:
                continue  # a documented reading switched off cannot decide it
            step = by_id[derivation.spec.id]
            inner = result.derivation_pairs(step)
            if inner is None or step.when is None:
                raise columnar.Unsupported(derivation.spec.id)
            root = mask & _unknown(inner[0])
            if root.any():
                _leaf_entries(result, step.when, inner, root, entries, (*expanding, leaf.fact))


def _row_missing(result: columnar.BatchResult, unit: CompiledRule, rows: Mask) -> list[tuple[str, Mask]]:
    """Missing facts of a rule evaluated row by row: each row's list, as (position, fact) entries."""
    where = np.flatnonzero(rows)
    facts = set(unit.touch) | set(unit.condition.facts) | set(unit.applies.facts if unit.applies else ())
    for derivation in result.plan.standard.derivations:
        facts |= set(derivation.when.facts) | {derivation.spec.derives}
    envs = columnar.row_envs(result.env, sorted(facts), where)
    lists = [
        explain_missing(unit, StandardResult(result.plan.standard, env, {}, [], off=result.off))
        for env in envs
    ]
    entries: list[tuple[str, Mask]] = []
    for position in range(max((len(x) for x in lists), default=0)):
        by_fact: dict[str, Mask] = {}
        for row, found in zip(where.tolist(), lists, strict=True):
            if position < len(found):
                by_fact.setdefault(found[position], _false(result.size))[row] = True
        entries += by_fact.items()
    return entries


# -- rows answered one by one, and the output ---------------------------------------------------------
class _Output:
    def __init__(self, size: int) -> None:
        self.size = size
        self.parts: list[tuple[npt.NDArray[np.intp], dict[str, pa.Array]]] = []

    def put(
        self, rows: npt.NDArray[np.intp], decided: _Decided, keep: Mask, days: npt.NDArray[np.int64]
    ) -> None:
        count = len(rows)
        if not count:
            return
        everything = bool(keep.all())
        selection = pa.array(np.flatnonzero(keep))

        def kept(array: pa.Array) -> pa.Array:
            return array if everything else array.take(selection)

        def constant_list(values: list[str]) -> pa.Array:
            offsets = pa.array(np.arange(count + 1, dtype=np.int32) * len(values))
            items = pa.array(values, pa.string()).take(pa.array(np.tile(np.arange(len(values)), count)))
            return pa.ListArray.from_arrays(offsets, items)

        self.parts.append(
            (
                rows,
                {
                    "status": kept(decided.status),
                    "sector": pa.repeat(pa.scalar(decided.sector, pa.string()), count),
                    "on": pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32()),
                    "standards": constant_list(decided.standards),
                    "hits": kept(decided.hits),
                    "undetermined": kept(decided.undetermined),
                    "missing_facts": kept(decided.missing),
                    "warnings": kept(decided.warnings),
                    "notes": kept(decided.notes),
                    "gaps": constant_list(decided.gaps),
                    "error": pa.nulls(count, pa.string()),
                },
            )
        )

    def put_rows(self, rows: list[int], records: list[dict[str, Any]]) -> None:
        if not rows:
            return
        self.parts.append((np.asarray(rows, dtype=np.intp), _columns(records)))

    def table(self, source: pa.Table) -> pa.Table:
        order = np.concatenate([rows for rows, _ in self.parts]) if self.parts else np.zeros(0, np.intp)
        back = np.empty(self.size, dtype=np.int64)
        back[order] = np.arange(len(order))
        if "id" in source.column_names and cols.is_text(source.column("id").type):
            ids = cols.combined(source.column("id")).cast(pa.string())
        else:
            ids = pa.nulls(self.size, pa.string())
        columns: dict[str, pa.Array] = {"id": ids}
        in_order = bool(np.array_equal(order, np.arange(self.size)))
        for name in OUTPUT_SCHEMA.names:
            if name == "id":
                continue
            merged = pa.concat_arrays([part[name] for _, part in self.parts]) if self.parts else pa.array([])
            columns[name] = merged if in_order else merged.take(pa.array(back))
        return pa.table(columns, schema=PLAIN_SCHEMA)


def row_finding(table: pa.Table, row: int) -> Any:
    """The finding a row describes, as ``classify`` takes it (null cells are absent facts). Read
    by ``to_pylist``, not :func:`row_records`: the batch path does not call it, and the differential
    tests take it as the reading to compare the batch path's with."""
    return record_finding(table.slice(row, 1).to_pylist()[0])


def record_finding(record: Mapping[str, Any]) -> Any:
    """The finding of one row given as a mapping of column name to value (null: absent)."""
    if record.get("finding") is not None:
        return _json_cell("finding", record["finding"])
    finding: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    for name, value in record.items():
        if value is None:
            continue
        if name == "finding":
            continue
        if name in ("id", "sector", "observed_on", "description"):
            finding[name] = value
        elif name == "installations":
            finding[name] = _json_cell(name, value) if isinstance(value, str) else value
        elif name == "facts":
            extra = _json_cell(name, value) if isinstance(value, str) else dict(value)
            if not isinstance(extra, dict):
                raise FindingError([FindingProblem("invalid", "the facts column is not an object", "facts")])
            twice = sorted(set(extra) & set(facts))
            if twice:
                message = f"fact(s) {twice} are given both in a column and in the facts map"
                raise FindingError([FindingProblem("duplicate_key", message, "facts")])
            facts.update(extra)
        else:
            if name in finding.get("facts", {}):
                continue
            facts[name] = value
    finding["facts"] = facts
    return finding


def _json_cell(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FindingError([FindingProblem("malformed_json", f"{name}: {exc}", name)]) from None


def _classify_routed(state: _Slice, options: Options, out: _Output) -> None:
    """The rows the vector path does not cover, through ``classify`` — once per distinct finding:
    a summary depends on the finding but not on its id or its free-text description."""
    rows = np.flatnonzero(state.route).tolist()
    records: list[dict[str, Any]] = []
    given = row_records(state.table, rows) if rows else []
    seen: dict[str, tuple[str, Any]] = {}
    for record in given:
        finding_id = record.get("id")
        key = _memo_key(record)
        found = seen.get(key) if key is not None else None
        if found is None:
            found = _routed_one(record, options)
            if key is not None:
                seen[key] = found
        kind, value = found
        if kind == "error":
            records.append({"error": _error_text(finding_id, value)})
        else:
            records.append(value)
    out.put_rows(rows, records)


def _memo_key(record: Mapping[str, Any]) -> str | None:
    """What a row's summary depends on (None: do not share it with another row)."""
    finding_id = record.get("id")
    if finding_id is not None and not isinstance(finding_id, str):
        return None
    kept = {
        k: v
        for k, v in record.items()
        if v is not None and k != "id" and not (k == "description" and isinstance(v, str))
    }
    try:
        return json.dumps(kept, sort_keys=True, default=_jsonable)
    except (TypeError, ValueError):
        return None


def _routed_one(record: Mapping[str, Any], options: Options) -> tuple[str, Any]:
    finding_id = None
    try:
        finding = record_finding(record)
        finding_id = finding.get("id") if isinstance(finding, Mapping) else None
        summary = classify(
            finding,
            on=options.on,
            complete=options.complete,
            select=options.select,
            ignore=options.ignore,
            pack=options.pack,
            readings=options.readings,
            detail="summary",
        )
    except FindingError as exc:
        if exc.finding_id is None and isinstance(finding_id, str):
            exc = FindingError(exc.problems, finding_id)
        return "error", exc.to_dict()["problems"]
    return "ok", summary.model_dump(include=set(SUMMARY_FIELDS))


def _verdicts(source: pa.Table, out: pa.Table, verdicts: Verdicts, options: Options) -> pa.Array:
    size = out.num_rows
    if verdicts == "all":
        chosen = np.ones(size, dtype=bool)
    elif isinstance(verdicts, str):
        if verdicts not in ("major", "not_major", "undetermined"):
            raise ArgumentError(f"verdicts: 'all', a status, row positions or a function; not {verdicts!r}")
        chosen = np.asarray(
            pc.fill_null(pc.equal(out.column("status"), verdicts), False).to_numpy(), dtype=bool
        )
    elif callable(verdicts):
        chosen = np.asarray(verdicts(out), dtype=bool)
    elif verdicts is not None:
        chosen = np.zeros(size, dtype=bool)
        chosen[np.asarray(list(verdicts), dtype=np.intp)] = True
    texts: list[str | None] = [None] * size
    chosen_rows = np.flatnonzero(chosen).tolist()
    for start in range(0, len(chosen_rows), _RECORDS_AT_ONCE):  # (a part's records, not the table's)
        rows = chosen_rows[start : start + _RECORDS_AT_ONCE]
        _full_verdicts(source, rows, texts, options)
    return pa.array(texts, pa.string())


def _full_verdicts(source: pa.Table, rows: list[int], texts: list[str | None], options: Options) -> None:
    """The full verdict JSON of ``rows``, each in its place in ``texts`` (none for a refused row)."""
    for row, record in zip(rows, row_records(source, rows), strict=True):
        try:
            verdict = classify(
                record_finding(record),
                on=options.on,
                complete=options.complete,
                select=options.select,
                ignore=options.ignore,
                pack=options.pack,
                readings=options.readings,
            )
        except FindingError:
            continue
        texts[row] = verdict.model_dump_json()


# -- building a table from findings ------------------------------------------------------------------
_ARROW_TYPES = {
    "bool": pa.bool_(),
    "integer": pa.int64(),
    "enum": pa.string(),
    "set": pa.list_(pa.string()),
}


def findings_table(findings: Iterable[Any], pack: Pack | None = None) -> pa.Table:
    """A table of findings (JSON-shaped mappings) in the shape :func:`classify_table` reads: one
    column per fact met, typed as the fact is. A finding that does not fit that shape (installations,
    a value of the wrong type, an unknown field or fact, anything but a mapping) is kept whole, as
    JSON text in the ``finding`` column, and ``classify_table`` hands it to ``classify``."""
    chosen = arguments(None, False, None, None, pack).pack
    ids: list[str | None] = []
    sectors: list[str | None] = []
    days: list[str | None] = []
    whole: list[str | None] = []
    facts: dict[str, dict[int, Any]] = {}
    count = 0
    for finding in findings:
        row = count
        count += 1
        fitted = _fitted(chosen, finding)
        if fitted is None:
            ids.append(
                finding.get("id")
                if isinstance(finding, Mapping) and isinstance(finding.get("id"), str)
                else None
            )
            sectors.append(None)
            days.append(None)
            whole.append(json.dumps(finding, ensure_ascii=False, default=_jsonable))
            continue
        ids.append(fitted.get("id"))
        sectors.append(fitted.get("sector"))
        day = fitted.get("observed_on")
        days.append(day.isoformat() if isinstance(day, dt.date) else day)
        whole.append(None)
        for name, value in fitted.get("facts", {}).items():
            facts.setdefault(name, {})[row] = sorted(value) if isinstance(value, frozenset | set) else value
    columns: dict[str, pa.Array] = {
        "id": pa.array(ids, pa.string()),
        "sector": pa.array(sectors, pa.string()),
        "observed_on": pa.array(days, pa.string()),
    }
    for name in sorted(facts):
        values = facts[name]
        kind = chosen.facts[name].type
        cells = [values.get(i) for i in range(count)]
        if kind == "number":
            floating = any(isinstance(v, float) for v in values.values())
            columns[name] = pa.array(cells, pa.float64() if floating else pa.int64())
        else:
            columns[name] = pa.array(cells, _ARROW_TYPES[kind])
    if any(w is not None for w in whole):
        columns["finding"] = pa.array(whole, pa.string())
    return pa.table(columns)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    return str(value)


_FIELDS = {"id", "sector", "observed_on", "facts", "description"}


def _fitted(pack: Pack, finding: Any) -> dict[str, Any] | None:
    """The finding if every value fits its typed column; None if it must be kept whole."""
    if not isinstance(finding, Mapping) or not set(finding) <= _FIELDS:
        return None
    if not isinstance(finding.get("sector"), str):
        return None
    if finding.get("id") is not None and not isinstance(finding["id"], str):
        return None
    day = finding.get("observed_on")
    if day is not None and not isinstance(day, str | dt.date):
        return None
    given = finding.get("facts", {})
    if not isinstance(given, Mapping):
        return None
    for name, value in given.items():
        spec = pack.facts.get(name) if isinstance(name, str) else None
        if spec is None or value is None or not _fits(spec.type, value):
            return None
    return dict(finding)


def _fits(kind: str, value: Any) -> bool:
    if kind == "bool":
        return value is True or value is False
    if kind == "integer":
        return type(value) is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if kind == "number":
        return (type(value) is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER) or type(value) is float
    if kind == "enum":
        return type(value) is str
    return isinstance(value, list | tuple | frozenset | set) and all(type(v) is str for v in value)
