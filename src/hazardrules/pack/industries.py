"""GB/T 4754-2017 industry codes and industry words → the pack's sectors.

Data: ``industries.yaml`` (the 工贸 classification 应急厅〔2019〕17号 and documented readings, codes
governed by other standards, common industry words and the code table) and the ``industry_codes`` of
``sectors.yaml``. A code resolves through the 小类 (4-digit leaves) under it: when they all belong to
one sector it is that sector; when they belong to several, or to another standard, or to none, the
caller is told which and why. A more specific code wins over a broader one (C384 电池制造, read as
轻工, inside C38, which the classification lists under 机械).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from ..errors import FindingError, FindingProblem
from .format import IndustriesFile, IndustryElsewhere
from .model import Pack

Status = Literal["verified", "unverified", "pack"]
CODE = re.compile(r"^([A-Ta-t])?(\d{2,4})?$")
MAX_PARTS = 5  # groups of sub-codes named in an ambiguity message
_SUFFIXES = ("企业", "公司", "行业", "单位", "工厂", "厂")


@dataclass(frozen=True, slots=True)
class Mapping:
    """Why a code belongs to a sector: a mapping of industries.yaml (verified or a reading) or a
    sector's own industry_codes in sectors.yaml (``pack``)."""

    sector: str
    status: Status
    basis: str | None
    notes: str | None
    prefix: str


@dataclass(frozen=True, slots=True)
class Elsewhere:
    """Codes whose enterprises fall under the standards of other sectors, by activity or licence."""

    sectors: tuple[str, ...]
    notes: str | None
    prefix: str


Outcome = tuple[Mapping, ...] | Elsewhere | None  # mapped (one per sector), governed elsewhere, or none


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a caller's sector value became a sector slug."""

    slug: str
    given: str
    how: Literal["slug", "name", "alias", "code", "word"]
    codes: tuple[str, ...] = ()  # the GB/T 4754-2017 codes used (code or word)
    label: str = ""  # the codes with their names, e.g. 3392 有色金属铸造
    status: Status | None = None  # of the weakest mapping used
    basis: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def unverified(self) -> bool:
        return self.status == "unverified"


@dataclass(slots=True)
class Industries:
    """The compiled industry data of one pack."""

    names: dict[str, str]  # digits (2–4) → name
    sections: dict[str, tuple[str, tuple[str, ...]]]  # letter → (name, its 大类)
    section_of: dict[str, str]  # 大类 → letter
    leaves: tuple[str, ...]  # every 小类, in order
    mappings: tuple[tuple[str, Mapping, frozenset[str]], ...]  # (include prefix, mapping, its excludes)
    elsewhere: tuple[tuple[str, IndustryElsewhere], ...]
    words: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]]  # word → (codes, sectors, decides)
    by_name: dict[str, tuple[str, ...]]  # a GB/T name → its codes
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def known(self, digits: str) -> bool:
        return not self.names or digits in self.names

    def leaves_under(self, digits: str) -> tuple[str, ...]:
        if not self.leaves:
            return (digits,)
        return tuple(leaf for leaf in self.leaves if leaf.startswith(digits))

    def label(self, digits: str) -> str:
        name = self.names.get(digits)
        return f"{digits} {name}" if name else digits

    def outcome(self, leaf: str) -> Outcome:
        found = self.outcomes.get(leaf, _MISSING)
        if found is _MISSING:
            found = self.outcomes[leaf] = self._outcome(leaf)
        return found  # type: ignore[return-value]

    def _outcome(self, leaf: str) -> Outcome:
        best = 0
        chosen: dict[str, Mapping] = {}
        for prefix, mapping, excludes in self.mappings:
            if not leaf.startswith(prefix) or any(leaf.startswith(x) for x in excludes):
                continue
            if len(prefix) > best:
                best, chosen = len(prefix), {}
            if len(prefix) == best:
                chosen.setdefault(mapping.sector, mapping)
        if chosen:
            return tuple(chosen.values())
        pointers = [(p, e) for p, e in self.elsewhere if leaf.startswith(p)]
        if pointers:
            prefix, pointer = max(pointers, key=lambda pair: len(pair[0]))
            return Elsewhere(tuple(pointer.sectors), pointer.notes, prefix)
        return None


_MISSING = object()
_COMPILED: dict[int, tuple[Pack, Industries]] = {}


def industries(pack: Pack) -> Industries:
    """The pack's industry data, compiled on first use."""
    found = _COMPILED.get(id(pack))
    if found is None or found[0] is not pack:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        found = _COMPILED[id(pack)] = (pack, compile_industries(pack.industries, pack))
    return found[1]


def parse_table(table: str) -> tuple[dict[str, str], dict[str, tuple[str, tuple[str, ...]]]]:
    """``<code> <name>`` lines → (digits → name, letter → (name, its 大类)); ValueError when malformed."""
    names: dict[str, str] = {}
    sections: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for number, line in enumerate(table.splitlines(), 1):
        if not line.strip():
            continue
        code, _, name = line.strip().partition(" ")
        if not name:
            raise ValueError(f"table line {number}: '<code> <name>' expected, got {line.strip()!r}")
        if re.fullmatch(r"[A-T]", code):
            current = code
            sections[code] = (name, [])
        elif re.fullmatch(r"\d{2,4}", code) and current is not None:
            if code in names and names[code] != name:
                raise ValueError(f"table line {number}: code {code} listed twice with different names")
            if len(code) > 2 and code[:-1] not in names:
                raise ValueError(f"table line {number}: code {code} comes before its parent {code[:-1]}")
            if len(code) > 2 and code[:2] not in sections[current][1]:
                raise ValueError(f"table line {number}: code {code} is not under 门类 {current}")
            names[code] = name
            if len(code) == 2:
                sections[current][1].append(code)
        else:
            raise ValueError(f"table line {number}: {code!r} is not a 门类 letter or a 2–4 digit code")
    return names, {k: (v[0], tuple(v[1])) for k, v in sections.items()}


def compile_industries(data: IndustriesFile | None, pack: Pack) -> Industries:
    names: dict[str, str] = {}
    sections: dict[str, tuple[str, tuple[str, ...]]] = {}
    if data is not None:
        names, sections = parse_table(data.table)
    mappings: list[tuple[str, Mapping, frozenset[str]]] = []
    elsewhere: list[tuple[str, IndustryElsewhere]] = []
    words: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {}
    if data is not None:  # first: for one sector and one code, industries.yaml's basis is the one cited
        for entry in data.mappings:
            for prefix in entry.include:
                mapping = Mapping(entry.sector, entry.status, entry.basis, entry.notes, prefix)
                mappings.append((prefix, mapping, frozenset(entry.exclude)))
    for slug, spec in pack.sectors.items():
        for prefix in spec.industry_codes:
            mapping = Mapping(slug, "pack", spec.basis, spec.notes, prefix)
            mappings.append((prefix, mapping, frozenset(spec.excludes)))
    if data is not None:
        elsewhere = [(prefix, e) for e in data.elsewhere for prefix in e.codes]
        words = {w: (tuple(s.codes), tuple(s.sectors), s.decides) for w, s in data.words.items()}
    by_name: dict[str, list[str]] = {}
    for digits, name in names.items():
        by_name.setdefault(name, []).append(digits)
    for letter, (name, _) in sections.items():
        by_name.setdefault(name, []).append(letter)
    section_of = {division: letter for letter, (_, divisions) in sections.items() for division in divisions}
    leaves = tuple(d for d in names if len(d) == 4)
    return Industries(
        names,
        sections,
        section_of,
        leaves,
        tuple(mappings),
        tuple(elsewhere),
        words,
        {k: tuple(v) for k, v in by_name.items()},
    )


# -- resolution ----------------------------------------------------------------------------------
def _error(code: str, message: str) -> FindingError:
    return FindingError([FindingProblem(code, message, "sector")])


def resolve_code(pack: Pack, text: str, given: str) -> Resolution | None:
    """A GB/T 4754-2017 code (``3392``, ``C3392``, ``C33``, ``C``) → its sector; None if ``text`` is
    not written as a code; :class:`FindingError` when it names no single sector (saying why)."""
    match = CODE.match(text)
    if match is None or not (match[1] or match[2]):
        return None
    data = industries(pack)
    letter = match[1].upper() if match[1] else None
    digits = match[2]
    if digits is None:
        assert letter is not None
        if letter not in data.sections:
            raise _error("unknown_sector", f"{given!r} is not a 门类 of GB/T 4754-2017")
        codes = data.sections[letter][1]
        label = f"{letter} {data.sections[letter][0]}"
        return _resolve_codes(pack, data, codes, label, given, "code")
    if not data.known(digits):
        raise _error(
            "unknown_sector",
            f"industry code {given!r} is not a code of GB/T 4754-2017 (大类 2 digits, 中类 3, 小类 4)",
        )
    if letter is not None and data.section_of and data.section_of.get(digits[:2]) != letter:
        actual = data.section_of.get(digits[:2], "?")
        raise _error(
            "unknown_sector",
            f"industry code {given!r}: {data.label(digits)} belongs to 门类 {actual}, not {letter}",
        )
    return _resolve_codes(pack, data, (digits,), data.label(digits), given, "code")


def resolve_word(pack: Pack, text: str, given: str) -> Resolution | None:
    """An industry word (家具制造, 铸造, 餐饮, or a GB/T 4754-2017 name) → its sector; None if unknown."""
    data = industries(pack)
    for candidate in _candidates(text):
        word = data.words.get(candidate)
        if word is not None:
            codes, sectors, decides = word
            if sectors:
                choices = ", ".join(f"{s} ({pack.sectors[s].name})" for s in sectors)
                raise _error(
                    "ambiguous_sector",
                    f"sector {given!r} may be any of {choices}, judged by different provisions: {decides}",
                )
            label = "、".join(data.label(c) for c in codes)
            return _resolve_codes(pack, data, codes, label, given, "word")
        named = data.by_name.get(candidate)
        if named:
            digits = tuple(c for c in named if c.isdigit())
            if not digits:  # a 门类 name
                return resolve_code(pack, named[0], given)
            return _resolve_codes(pack, data, digits, f"{'、'.join(digits)} {candidate}", given, "word")
    return None


def _candidates(text: str) -> list[str]:
    out = [text]
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            out.append(text[: -len(suffix)])
    if text.endswith("业") and len(text) > 2:
        out.append(text[:-1])
    return out


def _resolve_codes(
    pack: Pack,
    data: Industries,
    codes: Iterable[str],
    label: str,
    given: str,
    how: Literal["code", "word"],
) -> Resolution:
    codes = tuple(codes)
    groups: dict[object, list[str]] = {}
    outcomes: dict[object, Outcome] = {}
    for code in codes:
        for leaf in data.leaves_under(code):
            outcome = data.outcome(leaf)
            key = _key(outcome)
            groups.setdefault(key, []).append(leaf)
            outcomes.setdefault(key, outcome)
    what = f"industry code {given!r} ({label})" if how == "code" else f"sector {given!r} ({label})"
    if len(groups) > 1:
        parts = [_describe(pack, data, outcomes[k], leaves) for k, leaves in groups.items()]
        if len(parts) > MAX_PARTS:
            parts = [*parts[:MAX_PARTS], f"… ({len(parts) - MAX_PARTS} more)"]
        raise _error(
            "ambiguous_sector",
            f"{what} covers industries of different sectors: {'; '.join(parts)}. "
            "Give the 中类 or 小类 code, or the sector slug",
        )
    key, leaves = next(iter(groups.items()))
    outcome = outcomes[key]
    if isinstance(outcome, tuple):
        if len(outcome) > 1:
            choices = ", ".join(f"{m.sector} ({pack.sectors[m.sector].name})" for m in outcome)
            raise _error(
                "ambiguous_sector",
                f"{what} belongs to several sectors judged by different provisions: {choices}; give one, "
                "or a list of those the site runs",
            )
        used = _mappings_used(data, leaves)
        statuses = {m.status for m in used}
        status: Status = (
            "unverified" if "unverified" in statuses else "verified" if "verified" in statuses else "pack"
        )
        return Resolution(
            slug=outcome[0].sector,
            given=given,
            how=how,
            codes=codes,
            label=label,
            status=status,
            basis=tuple(dict.fromkeys(m.basis for m in used if m.basis)),
            notes=tuple(dict.fromkeys(m.notes for m in used if m.notes and m.status != "pack")),
        )
    if isinstance(outcome, Elsewhere):
        raise _error("unknown_sector", f"no sector of this pack covers {what}: {_elsewhere(pack, outcome)}")
    raise _error(
        "unknown_sector",
        f"no sector of this pack covers {what}: it is outside the 工贸 classification "
        f"({_classification(pack)}) and no determination standard of the register is known for it"
        f"{_section(data, codes)}",
    )


def _key(outcome: Outcome) -> object:
    if isinstance(outcome, tuple):
        return ("sectors", frozenset(m.sector for m in outcome))
    if isinstance(outcome, Elsewhere):
        return ("elsewhere", outcome.sectors)
    return None


def _mappings_used(data: Industries, leaves: list[str]) -> list[Mapping]:
    out: dict[Mapping, None] = {}
    for leaf in leaves:
        found = data.outcome(leaf)
        if isinstance(found, tuple):
            out.update(dict.fromkeys(found))
    return list(out)


def _describe(pack: Pack, data: Industries, outcome: Outcome, leaves: list[str]) -> str:
    shown = "、".join(data.label(leaf) for leaf in leaves[:3]) + (
        f" … ({len(leaves)} 小类)" if len(leaves) > 3 else ""
    )
    if isinstance(outcome, tuple):
        sectors = "/".join(f"{m.sector} ({pack.sectors[m.sector].name})" for m in outcome)
        unverified = " [unverified reading]" if any(m.status == "unverified" for m in outcome) else ""
        return f"{sectors}{unverified}: {shown}"
    if isinstance(outcome, Elsewhere):
        return f"other standards ({', '.join(outcome.sectors)}): {shown}"
    return f"no sector: {shown}"


def _elsewhere(pack: Pack, outcome: Elsewhere) -> str:
    documents: dict[str, str] = {}
    today = dt.date.today()
    for sector in outcome.sectors:
        for document in pack.documents_for(sector):
            if document.ends is not None and document.ends <= today:
                continue  # no longer in force
            state = {"encoded": "encoded", "partial": "partly encoded", "not_encoded": "not encoded"}[
                pack.encoding(document.id)
            ]
            documents.setdefault(document.id, f"《{document.title}》 ({document.id}, {state} in this pack)")
    named = "; ".join(documents.values()) or "a standard not in the register"
    sectors = ", ".join(f"{s} ({pack.sectors[s].name})" for s in outcome.sectors)
    notes = f" ({outcome.notes.strip()})" if outcome.notes else ""
    return (
        f"enterprises of this kind fall under {named}, not under the 工贸 classification; "
        f"if the enterprise is within that standard's scope, give its sector: {sectors}{notes}"
    )


def _classification(pack: Pack) -> str:
    data = pack.industries
    return data.classification.document_number if data is not None else "应急厅〔2019〕17号"


def _section(data: Industries, codes: tuple[str, ...]) -> str:
    letters = {data.section_of.get(c[:2]) for c in codes} - {None}
    if len(letters) != 1:
        return ""
    letter = letters.pop()
    assert letter is not None
    return f" (门类 {letter} {data.sections[letter][0]})"
