"""``hazardrules lint``: validate a rule pack, run every rule's examples and compare every text
with the official source, reporting all problems in one run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import FindingError, Problem
from ..pack.format import Evidence
from ..pack.loader import read_pack
from ..pack.model import CompiledRule, CompiledStandard, Pack
from ..pack.resources import shipped_rules_dir
from ..pack.sources import Source, load_source, pack_sources_dir, text_matches
from ..verdict.classify import classify
from .describe import example_of

REQUIRED_EXAMPLES = ("holds", "does_not_hold", "undetermined")


@dataclass
class LintReport:
    """Everything ``lint`` found. ``ok`` is true when there is no error (warnings are allowed)."""

    root: str
    sources: str | None
    problems: list[Problem] = field(default_factory=list)
    rules: int = 0
    examples: int = 0
    texts_checked: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def lint(path: str | Path | None = None, *, sources: str | Path | None = None) -> LintReport:
    """Check the pack at ``path`` (default: the shipped pack).

    ``sources`` is the directory of official texts; by default the pack's own ``sources/``
    folder. Checking no text at all is an error: a lint that compared nothing proves nothing.
    """
    root = Path(path) if path is not None else shipped_rules_dir()
    source_dir = Path(sources) if sources is not None else pack_sources_dir(root)
    report = LintReport(str(root), str(source_dir) if source_dir else None)
    pack, problems = read_pack(root)
    report.problems.extend(problems)
    if pack is None:
        return report
    report.rules = len(pack.rule_index)
    _check_vocabulary(pack, report)
    _check_aggregation(pack, report)
    _check_citations_of_sources(Path(pack.root), report)
    for standard in pack.standards.values():
        for rule in standard.rules:
            _check_examples(pack, standard, rule, report)
        _check_provenance(standard, report)
    if source_dir is None:
        report.problems.append(
            Problem(
                str(root),
                None,
                "no official texts to compare the rule texts with: the pack has no sources/ folder "
                "(pass --sources DIR)",
            )
        )
    elif not source_dir.is_dir():
        report.problems.append(Problem(str(source_dir), None, "sources directory does not exist"))
    else:
        for standard in pack.standards.values():
            number = standard.meta.document_number
            source = load_source(source_dir, standard.slug, number, names=standard.names)
            _check_texts(standard, source, report)
        if report.texts_checked == 0 and pack.standards:
            report.problems.append(
                Problem(
                    str(source_dir), None, "no rule text was checked: no official text matches a standard"
                )
            )
    return report


def _check_examples(pack: Pack, standard: CompiledStandard, rule: CompiledRule, report: LintReport) -> None:
    """Run each example through ``classify`` (the rule alone, every question open) and compare."""
    seen: set[str] = set()
    for number, example in enumerate(rule.spec.examples, start=1):
        report.examples += 1
        seen.add(example.expect)
        where = f"example {number} ({example.expect})"
        finding = example_of(pack, rule, example)["finding"]
        if finding["sector"] not in rule.sectors:
            report.problems.append(
                Problem(
                    rule.file, rule.id, f"{where}: the rule does not apply to sector {finding['sector']!r}"
                )
            )
            continue
        try:
            verdict = classify(finding, complete=True, select=[rule.id], pack=pack)
        except FindingError as exc:
            report.problems.append(Problem(rule.file, rule.id, f"{where}: {exc}"))
            continue
        if rule.id in {h.rule for h in verdict.hits}:
            outcome = "holds"
        elif rule.id in {u.rule for u in verdict.undetermined}:
            outcome = "undetermined"
        elif rule.id in {c.rule for c in verdict.cleared}:
            outcome = "does_not_hold"
        else:
            outcome = "not applied (the standard does not govern the example's sector on its date)"
        if outcome != example.expect:
            report.problems.append(
                Problem(
                    rule.file, rule.id, f"{where}: the rule comes out '{outcome}', not '{example.expect}'"
                )
            )
    for needed in REQUIRED_EXAMPLES:
        if needed not in seen:
            report.problems.append(Problem(rule.file, rule.id, f"needs an example that comes out '{needed}'"))


def _check_vocabulary(pack: Pack, report: LintReport) -> None:
    """Warn about facts nothing reads and questions that are not questions."""
    read: set[str] = set()
    for standard in pack.standards.values():
        for rule in standard.rules:
            read.update(rule.condition.facts)
            read.update(rule.applies.facts if rule.applies else ())
            for citing in rule.also_cites:
                read.update(citing.when.facts)
        for derivation in standard.derivations:
            read.update(derivation.when.facts)
            read.add(derivation.spec.derives)
        for route in standard.routes.values():
            read.update(route.when.facts)
    for name, spec in pack.facts.items():
        if name not in read and spec.matter is None:
            report.problems.append(
                Problem(pack.fact_files[name], name, "no rule or derivation reads this fact", "warning")
            )
        if "？" not in spec.question and "?" not in spec.question:
            report.problems.append(
                Problem(pack.fact_files[name], name, "the question has no question mark", "warning")
            )


# Wording that tells an inspector to answer for several installations at once ("the nearest", "the
# worst", "answer yes if any storehouse…", "one finding per system"). Each installation answers for
# itself, so such wording in a question or note about an installation is stale, and misleads: a
# verdict built from an aggregated answer can be wrong (two dust systems, each with one measure).
AGGREGATION = re.compile(
    r"最近的|最不利|最差的|最小的一处|最低的|有任何一|整个现场|全厂|覆盖全部|就全部|就所有|所有此类|"
    r"每(?:套|个|台|处|间|座)[^。；，]{0,4}一条检查发现|有多(?:台|套|座|处|间|条)的|是否都已|"
    r"每一(?:座|台|套|个|处|间|条)[^。；，]*都|任一(?:工（库）房|罐区|场所)"
)
# In a question, "任一台／处…" can only mean several installations (the question is about one); in a
# note it may be one installation's own parts (三处紧急停车开关，任一处缺失即成立), so notes are not
# held to it.
AGGREGATION_IN_QUESTIONS = re.compile(
    AGGREGATION.pattern + r"|任一(?:台|套|座|个|处|间|条|栋|对|设备)|有多(?:台|套)"
)


def _check_aggregation(pack: Pack, report: LintReport) -> None:
    """No question or note about an installation asks for an answer over several installations."""

    def check(file: str, item: str, what: str, text: str | None) -> None:
        found = (AGGREGATION_IN_QUESTIONS if what == "question" else AGGREGATION).search(text or "")
        if found:
            report.problems.append(
                Problem(
                    file,
                    item,
                    f"the {what} tells the inspector to answer for several installations at once "
                    f"({found.group(0)!r}): each installation answers for itself",
                )
            )

    for name, spec in pack.facts.items():
        if spec.installation is not None:
            check(pack.fact_files[name], name, "question", spec.question)
            check(pack.fact_files[name], name, "note", spec.notes)
    for kind, kind_spec in pack.installation_kinds.items():
        file = next((pack.fact_files[f] for f, s in pack.facts.items() if s.installation == kind), pack.root)
        check(file, f"installation kind {kind}", "description", kind_spec.examples)
        check(file, f"installation kind {kind}", "note", kind_spec.notes)
    for standard in pack.standards.values():
        for rule in standard.rules:
            if any(kind is not None for kind in rule.kinds):
                for note in rule.spec.notes:
                    check(rule.file, rule.id, "note", note.text)
                for number, example in enumerate(rule.spec.examples, start=1):
                    check(rule.file, rule.id, f"note of example {number}", example.note)


# What an auditor reads names the project's own official texts (rules/sources, 官方文本汇编), never
# the collection beside the project's development checkout, which no user or auditor has.
ELSEWHERE = re.compile(r"\.\./shared|shared/sources|共享来源")


def _check_citations_of_sources(root: Path, report: LintReport) -> None:
    """No rule-pack file (the official texts' copies aside) cites a collection outside the pack."""
    for path in sorted(root.rglob("*.yaml")):
        if "sources" in path.relative_to(root).parts[:-1]:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")  # the loader reports bad bytes
        for number, line in enumerate(text.splitlines(), start=1):
            found = ELSEWHERE.search(line)
            if found:
                message = (
                    f"cites {found.group(0)!r}, which no user or auditor has: name the pack's own official "
                    "texts (rules/sources, 官方文本汇编)"
                )
                report.problems.append(Problem(str(path), f"line {number}", message))


GOVERNMENT_KINDS = ("official_page", "government_page")


def _check_provenance(standard: CompiledStandard, report: LintReport) -> None:
    """A verified text says where it was checked, and no copy is passed off as an official page."""
    file = standard.file
    items = [(r.id, r.text_status, r.evidence, r.verified_on) for r in standard.parsed_rules]
    items += [(pid, p.text_status, p.evidence, p.verified_on) for pid, p in standard.provisions.items()]
    for item_id, status, evidence, verified_on in items:
        if status == "verified" and (not evidence or verified_on is None):
            report.problems.append(
                Problem(
                    file,
                    item_id,
                    "a verified text needs evidence and verified_on (where and when its wording was checked)",
                )
            )
        for entry in evidence:
            problem = _evidence_problem(entry)
            if problem:
                report.problems.append(Problem(file, item_id, problem))


def _evidence_problem(entry: Evidence) -> str | None:
    if entry.url is None:
        if entry.how in GOVERNMENT_KINDS:
            return f"evidence marked {entry.how} needs the page's url"
        return None
    parts = urlsplit(entry.url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"evidence url {entry.url!r} is not a web address"
    government = host == "gov.cn" or host.endswith(".gov.cn")
    if entry.how in GOVERNMENT_KINDS and not government:
        return f"evidence {entry.url} is marked {entry.how} but is not on a government site (.gov.cn)"
    if entry.how not in GOVERNMENT_KINDS and government:
        return f"evidence {entry.url} is on a government site: mark it official_page or government_page"
    return None


def _check_texts(standard: CompiledStandard, source: Source | None, report: LintReport) -> None:
    file = standard.file
    meta = standard.meta
    if source is None:
        report.problems.append(
            Problem(
                file, meta.slug, f"no official source {meta.slug}.yaml to check the texts against", "warning"
            )
        )
        for rule in standard.parsed_rules:
            if rule.text_status == "verified":
                report.problems.append(
                    Problem(
                        file, rule.id, "text_status is verified but there is no official source to check it"
                    )
                )
        return
    for attribute in ("title", "document_number"):
        ours, theirs = getattr(meta, attribute), getattr(source, attribute)
        if theirs is not None and ours != theirs:
            report.problems.append(
                Problem(
                    file, meta.slug, f"standard.{attribute} {ours!r} differs from the source's {theirs!r}"
                )
            )
    _check_publication(standard, source, report)
    for label in source.unplaced:
        message = (
            f"{label} has no number in the official source: name it under 'unnumbered' "
            "(source_label, segment, label) so that its provisions have paths"
        )
        report.problems.append(Problem(file, meta.slug, message))
    for article in standard.unnumbered:
        if article.source_label not in source.labels:
            message = f"unnumbered: no provision labelled {article.source_label!r} in the official source"
            report.problems.append(Problem(file, meta.slug, message))
    encoded = {r.id.split(":", 1)[1] for r in standard.parsed_rules}
    encoded |= {p.path for p in standard.provisions.values()}
    listed = {u.path for u in standard.unencoded}
    for item in source.situations():
        if item.path not in encoded and item.path not in listed:
            what = (
                "an open tail of the text (list it under unencoded)"
                if item.tail
                else (
                    "neither a rule, a cited provision nor listed under unencoded (say why it is not encoded)"
                )
            )
            message = f"{item.label} ({item.path}) of the official source is {what}"
            report.problems.append(Problem(file, f"{meta.slug}:{item.path}", message))
    for unencoded in standard.unencoded:
        if unencoded.path not in source.items:
            message = f"unencoded: path {unencoded.path} does not exist in the official source {source.slug}"
            report.problems.append(Problem(file, f"{meta.slug}:{unencoded.path}", message))
    items = [(r.id, r.id.split(":", 1)[1], r.text, r.text_status, r.deviation) for r in standard.parsed_rules]
    items += [(pid, p.path, p.text, p.text_status, p.deviation) for pid, p in standard.provisions.items()]
    for item_id, path, text, status, deviation in items:
        report.texts_checked += 1
        official = source.items.get(path)
        if official is None:
            report.problems.append(
                Problem(file, item_id, f"path {path} does not exist in the official source {source.slug}")
            )
            continue
        if deviation is not None:
            if (
                not text_matches(deviation.source_text, official.text)
                and deviation.source_text != official.text
            ):
                report.problems.append(
                    Problem(
                        file,
                        item_id,
                        f"deviation.source_text is not the source's text: source has {official.text!r}",
                    )
                )
            elif text_matches(text, official.text):
                report.problems.append(
                    Problem(file, item_id, "a deviation is recorded but the text equals the source")
                )
            else:
                report.problems.append(
                    Problem(
                        file,
                        item_id,
                        f"text differs from the official texts (sources/) by a documented correction "
                        f"({deviation.url}): report it so the texts are fixed",
                        "warning",
                    )
                )
            continue
        if not text_matches(text, official.text):
            report.problems.append(
                Problem(
                    file,
                    item_id,
                    f"text differs from the official source {source.slug} {official.label}:\n"
                    f"      rule:   {text}\n      source: {official.text}",
                )
            )
        if official.status != "verified" and status == "verified":
            report.problems.append(
                Problem(
                    file,
                    item_id,
                    f"the source marks this text '{official.status}': set text_status: unverified",
                )
            )
        if official.status == "verified" and status != "verified":
            report.problems.append(
                Problem(file, item_id, "the source has verified this text: set text_status: verified")
            )


def _check_publication(standard: CompiledStandard, source: Source, report: LintReport) -> None:
    """The citation link is the source's official publication, claiming no more than it does."""
    ours, theirs = standard.meta.official_publication, source.publication
    if theirs is None:
        return
    if ours is None:
        if theirs.url:
            report.problems.append(
                Problem(
                    standard.file,
                    standard.slug,
                    f"standard.official_publication missing (source: {theirs.url})",
                )
            )
        return
    if ours.url != theirs.url:
        report.problems.append(
            Problem(
                standard.file,
                standard.slug,
                f"official_publication.url {ours.url!r} differs from the source's {theirs.url!r}",
            )
        )
    if ours.seen and not theirs.seen:
        report.problems.append(
            Problem(
                standard.file,
                standard.slug,
                "official_publication.seen is true but the source has not seen it",
            )
        )
