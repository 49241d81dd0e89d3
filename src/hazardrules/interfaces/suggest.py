"""``suggest``: from an inspector's free-text hazard description (隐患描述) to candidate clauses.

Chinese text is segmented with jieba (a private tokenizer, so callers' jieba settings are untouched)
and ranked with BM25 (bm25s) over each rule's text and its facts' labels, questions and values; the
description is expanded with the pack's synonym groups (``rules/synonyms.yaml``), words inspectors
actually write. A suggestion is never a verdict: it says which facts to confirm so that
:func:`hazardrules.classify` can decide.

What a caller gets beside the ranking:

- **One obligation, one candidate.** Rules of different standards with the same condition (特种作业人员
  未持证上岗 in 工贸 and 化工) are one candidate, shown under the standard that applies to the sector
  asked for (else the one covering the most sectors, in force today), the others in ``same_in``.
- **The sector first.** With a sector, candidates are the rules that apply to it; ``elsewhere`` names a
  rule of *another standard* (one that does not apply to the sector) only when it scores better than
  every in-sector candidate.
- **A calibrated confidence** (0–1) per candidate: the estimated probability that it is the clause an
  authority would cite, from how much of the description it covers and its BM25 score (a logistic
  model fitted on the evaluation set, ``benchmarks/suggest_eval.py --calibrate``). Below
  :data:`NO_MATCH` for the best candidate, ``no_match`` is true: no encoded provision matches.
- **The register.** Words of a standard the pack knows but has not encoded (电力, 民航, 学校 …) are
  reported in ``unencoded``, so a text that belongs there is not answered with unrelated clauses.
- **Distinctions** (``rules/synonyms.yaml`` ``distinct``): 叉车司机、起重机司机无证 is 特种设备作业, not
  特种作业 (工贸 第三条（二）): those rules are demoted and ``notes`` says why.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, Field

from ..errors import HazardRulesError
from ..lang import nodes as n
from ..models import Citation, Question
from ..pack.format import Distinction
from ..pack.model import CompiledRule, Pack
from ..pack.resources import default_pack
from ..pack.sectors import resolve_sector
from ..verdict.explanation import citation
from ..verdict.law import in_force
from .checklist import _question

MAX_CHARS = 2000
NOT_A_VERDICT = (
    "这些是候选条款，不是判定结论：请确认所列事实后用 classify 判定。"
    " (Candidates, not a verdict: confirm the listed facts, then classify.)"
)
# Function words that carry no meaning for matching a clause.
_STOP = frozenset(
    (
        *("的", "了", "和", "与", "及", "或", "或者", "并", "并且", "等", "在", "对", "未", "无", "不"),
        *("没有", "是", "为", "其", "中", "内", "上", "下", "有", "被", "将", "把", "已", "该", "这"),
        *("那", "个", "及其", "以及", "进行", "存在", "设置", "应当"),
    )
)
# Words too general to say which standard a text belongs to.
_GENERIC = frozenset(
    [
        "安全",
        "生产",
        "管理",
        "企业",
        "单位",
        "工程",
        "重大",
        "事故",
        "隐患",
        "标准",
        "判定",
        "规定",
        "建设",
        "设施",
        "设备",
        "行业",
        "作业",
        "人员",
        "经营",
        "领域",
        "相关",
        "其他",
        "检查",
        "要求",
        "制度",
        "问题",
        "情况",
        "发现",
        "存在",
        "未按",
        "按照",
        "规范",
        "技术",
        "系统",
        "服务",
        "活动",
        "制造",
        "专业",
        "辅助",
    ]
)
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)?")
_FAILURE_GROUP_HINT = "失效"

# The confidence model (benchmarks/suggest_eval.py --calibrate fits it on the evaluation set):
# logit = INTERCEPT + COVERAGE * (share of the description's words found in the rule, 0–1)
#                   + LOG_SCORE * ln(1 + BM25 score) + RELATIVE * (score ÷ the best score).
INTERCEPT, COVERAGE, LOG_SCORE, RELATIVE = -10.81, 1.28, 1.80, 1.20
NO_MATCH = 0.2  # below this for the best candidate: no encoded provision matches (right ~1 time in 14)
DEMOTED = 0.25  # score factor for rules a distinction says the text is not about


class Suggestion(BaseModel):
    rule: str
    citation: Citation
    text: str
    text_status: str
    score: float = Field(description="BM25 score; comparable only within one call")
    confidence: float = Field(
        ge=0,
        le=1,
        description="Estimated probability (0–1) that this is the clause an authority would cite: a "
        "logistic model of coverage and score fitted on the evaluation set (see the module docs)",
    )
    matched: list[str] = Field(description="Words of the description (or their synonyms) found in the rule")
    confirm: list[Question] = Field(description="Facts to confirm before classify can decide")
    also_cites: list[str] = Field(
        default_factory=list,
        description="Provisions to cite beside the rule if the description is confirmed (e.g. 工贸 第十四条)",
    )
    in_sector: bool = Field(description="Whether the rule applies to the sector asked for")
    same_in: list[str] = Field(
        default_factory=list,
        description="Rules of other standards with the same condition (the same obligation there)",
    )


class UnencodedMatch(BaseModel):
    """A standard of the register, not encoded in the pack, whose words the description uses."""

    id: str
    title: str
    document_number: str | None
    sectors: list[str]
    matched: list[str] = Field(description="The description's words that belong to it")


class Suggestions(BaseModel):
    """Candidate clauses for a hazard description: ranked, with confidence, never a verdict."""

    text: str
    sector: str | None
    note: str = NOT_A_VERDICT
    truncated: bool = False
    candidates: list[Suggestion]
    no_match: bool = Field(
        default=False,
        description=f"True when no encoded provision matches: the best candidate's confidence is below "
        f"{NO_MATCH} (or there is none). Candidates, if any, are then only loosely related",
    )
    message: str | None = Field(default=None, description="What the result means, in Chinese")
    unencoded: list[UnencodedMatch] = Field(
        default_factory=list,
        description="Known standards not encoded in the pack whose words the description uses",
    )
    elsewhere: Suggestion | None = Field(
        default=None,
        description="With a sector: a rule of another standard (one that does not apply to the sector) "
        "that fits better than every candidate",
    )
    notes: list[str] = Field(default_factory=list, description="Distinctions that moved rules down (Chinese)")


def suggest(text: str, *, sector: str | None = None, k: int = 5, pack: Pack | None = None) -> Suggestions:
    """Rank candidate rules for a free-text hazard description.

    ``sector`` (slug, Chinese name, industry code or word) keeps the rules that apply to it, and names
    a rule of another standard in ``elsewhere`` only when it fits better. Each candidate has a
    calibrated ``confidence``; ``no_match`` says when nothing encoded fits, and ``unencoded`` names
    known standards not in the pack that the text seems to belong to. Never a verdict.
    """
    if not isinstance(text, str):
        raise HazardRulesError(f"suggest needs text, not {type(text).__name__}")
    if k < 1:
        raise HazardRulesError("k must be at least 1")
    pack = pack or default_pack()
    slug = resolve_sector(pack, sector) if sector else None
    truncated = len(text) > MAX_CHARS
    query = text[:MAX_CHARS]
    index = _index(pack)
    ranked, notes = index.rank(query)
    groups = index.group(ranked, slug)
    in_sector = [g for g in groups if slug is None or slug in index.rules[g.position].sectors]
    best = groups[0].score if groups else 0.0
    candidates = [index.suggestion(pack, g, query, slug, best) for g in in_sector[:k]]
    elsewhere = None
    if slug is not None and groups:
        own = {s.slug for s in pack.standards_for(slug)}
        top = groups[0]
        rule = index.rules[top.position]
        better = not in_sector or top.score > in_sector[0].score
        if rule.standard not in own and better:
            elsewhere = index.suggestion(pack, top, query, slug, best)
    confident = max((c.confidence for c in candidates), default=0.0)
    unencoded = index.unencoded(pack, query)
    no_match = confident < NO_MATCH
    message = _message(no_match, unencoded, confident)
    return Suggestions(
        text=query,
        sector=slug,
        truncated=truncated,
        candidates=candidates,
        no_match=no_match,
        message=message,
        unencoded=unencoded,
        elsewhere=elsewhere,
        notes=notes,
    )


def _message(no_match: bool, unencoded: list[UnencodedMatch], confidence: float) -> str | None:
    named = "、".join(f"《{u.title}》" for u in unencoded)
    if no_match and unencoded:
        return (
            f"描述似乎属于{named}的范围，该标准未收录于本规则包：没有与之相符的已编码条款"
            f"（最佳候选置信度 {confidence:.2f}），请按该标准另行判定。"
        )
    if no_match:
        return f"没有与描述相符的已编码条款（最佳候选置信度 {confidence:.2f}），所列候选只是字面相近。"
    if unencoded:
        return (
            f"描述中有属于{named}（未收录于本规则包）的用语：如果隐患属于该标准的范围，请按该标准另行判定。"
        )
    return None


@dataclass(frozen=True, slots=True)
class _Group:
    position: int  # the representative rule
    score: float
    same_in: tuple[int, ...]


class _Index:
    def __init__(self, pack: Pack) -> None:
        try:
            import bm25s
            import jieba
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
            raise HazardRulesError(f"suggest needs {exc.name}: pip install 'hazardrules[suggest]'") from None
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.synonyms = [tuple(group) for group in pack.synonyms]
        self.distinctions: tuple[Distinction, ...] = pack.distinctions
        words = {w for group in self.synonyms for w in group}
        words |= {w for d in self.distinctions for w in (*d.words, *d.unless)}
        for word in sorted(words):
            if _CJK.fullmatch(word):
                self.tokenizer.add_word(word, freq=2000)
        self.lock = threading.Lock()  # jieba's lazy initialisation is not thread-safe
        today = dt.date.today()
        # The law in force today: a superseded version's rules are not candidates (classify judges a
        # dated finding under the versions in force on its day).
        self.rules: list[CompiledRule] = [
            r for r in pack.compiled_rules() if pack.standards[r.standard].in_force(today)
        ]
        self.position = {rule.id: i for i, rule in enumerate(self.rules)}
        self.documents = [self.tokens(self.document(pack, rule)) for rule in self.rules]
        self.vocabularies = [set(d) for d in self.documents]
        self.bm25 = bm25s.BM25()
        self.bm25.index(self.documents, show_progress=False)
        current = {slug: s.in_force(today) for slug, s in pack.standards.items()}
        self.twins = _twins(self.rules)
        # A rule's standing among its twins: in force today, then the breadth of its sectors.
        self.standing = {
            i: (current[rule.standard], len(rule.sectors), -i) for i, rule in enumerate(self.rules)
        }
        self.registers = self.register_words(pack)

    @staticmethod
    def document(pack: Pack, rule: CompiledRule) -> str:
        facts = [*(rule.applies.facts if rule.applies else ()), *rule.condition.facts]
        parts = [rule.spec.text, rule.spec.text, rule.spec.label]
        for name in dict.fromkeys(facts):
            spec = pack.facts[name]
            parts += [spec.label, spec.question, *(spec.values or {}).values()]
        return "\n".join(parts)

    def words(self, text: str) -> list[str]:
        with self.lock:
            words = list(self.tokenizer.cut_for_search(text.lower()))
        return [w for w in words if w.strip() and w not in _STOP and _WORD.match(w)]

    def tokens(self, text: str) -> list[str]:
        """jieba words plus character bigrams (robust to segmentation differences)."""
        out = self.words(text)
        for run in _CJK.findall(text):
            out += [run[i : i + 2] for i in range(len(run) - 1)]
        return out

    def content(self, text: str) -> list[str]:
        """The description's meaningful words (two characters or more), each once."""
        return list(dict.fromkeys(w for w in self.words(text) if len(w) > 1))

    def expand(self, query: str) -> tuple[list[str], dict[str, str]]:
        """Query tokens plus the words of every synonym group the query mentions."""
        tokens = self.tokens(query)
        via: dict[str, str] = {}
        lowered = query.lower()
        for group in self.synonyms:
            hit = next((w for w in group if w.lower() in lowered), None)
            if hit is None:
                continue
            for word in group:
                if word.lower() not in lowered:
                    via.setdefault(word, hit)
                    tokens += [t for t in self.tokens(word) if len(t) > 1]
        return tokens, via

    def rank(self, query: str) -> tuple[list[tuple[int, float]], list[str]]:
        """Every rule with a positive score, best first; and the distinctions that applied."""
        if not query.strip():
            return [], []
        tokens, _ = self.expand(query)
        if not tokens:
            return [], []
        scores = [float(s) for s in self.bm25.get_scores(tokens)]
        notes = []
        for distinction in self.distinctions:
            if any(w in query for w in distinction.words) and not any(w in query for w in distinction.unless):
                notes.append(distinction.note.strip())
                for rule_id in distinction.rules:
                    if rule_id in self.position:
                        scores[self.position[rule_id]] *= DEMOTED
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [(i, scores[i]) for i in order if scores[i] > 0], notes

    def group(self, ranked: list[tuple[int, float]], sector: str | None) -> list[_Group]:
        """Rules with the same condition as one candidate, at the best score of any of them."""
        out: list[_Group] = []
        seen: set[int] = set()
        for position, score in ranked:
            if position in seen:
                continue
            members = [position, *self.twins.get(position, ())]
            seen.update(members)

            def rank(i: int) -> tuple[bool, bool, int, int]:
                fits = sector is None or sector in self.rules[i].sectors
                current, breadth, order = self.standing[i]
                return (fits, current, breadth, order)

            chosen = max(members, key=rank)
            out.append(_Group(chosen, score, tuple(m for m in members if m != chosen)))
        return out

    def coverage(self, query: str, position: int) -> float:
        words = self.content(query)
        if not words:
            return 0.0
        vocabulary = self.vocabularies[position]
        _, via = self.expand(query)
        found = {w for w in words if w in vocabulary}
        for synonym, original in via.items():
            if synonym.lower() in vocabulary:
                found.update(w for w in words if w in original or original in w)
        return len(found) / len(words)

    def confidence(self, query: str, position: int, score: float, best: float) -> float:
        logit = (
            INTERCEPT
            + COVERAGE * self.coverage(query, position)
            + LOG_SCORE * math.log1p(score)
            + RELATIVE * (score / best if best > 0 else 0.0)
        )
        return round(1 / (1 + math.exp(-logit)), 3)

    def suggestion(
        self, pack: Pack, group: _Group, query: str, sector: str | None, best: float
    ) -> Suggestion:
        position, score = group.position, group.score
        rule = self.rules[position]
        standard = pack.standards[rule.standard]
        _, via = self.expand(query)
        vocabulary = self.vocabularies[position]
        own = self.words(query)
        matched = [w for w in own if w in vocabulary and len(w) > 1]
        matched += [f"{w}（同义：{via[w]}）" for w in via if w.lower() in vocabulary]
        facts = [*(rule.applies.facts if rule.applies else ()), *rule.condition.facts]
        failure = any(
            _FAILURE_GROUP_HINT in group and any(w in query for w in group) for group in self.synonyms
        )
        also = [c.provision_id for c in rule.also_cites] if failure else []
        return Suggestion(
            rule=rule.id,
            citation=citation(standard, rule.path, rule.spec.label),
            text=rule.spec.text,
            text_status=rule.spec.text_status,
            score=round(score, 4),
            confidence=self.confidence(query, position, score, best),
            matched=_dedupe(matched)[:12],
            confirm=[_question(pack, f) for f in dict.fromkeys(facts)],
            also_cites=list(dict.fromkeys(also)),
            in_sector=sector is None or sector in rule.sectors,
            same_in=[self.rules[i].id for i in group.same_in],
        )

    # -- the register ----------------------------------------------------------------------------
    def register_words(self, pack: Pack) -> list[tuple[str, frozenset[str]]]:
        """Each register document not encoded in the pack (and in force, or of unknown status), with
        its distinctive words: its sectors' names and aliases less every word an encoded rule uses,
        and its ``keywords`` (register.yaml)."""
        today = dt.date.today()
        encoded = frozenset().union(*self.vocabularies) if self.vocabularies else frozenset()
        out = []
        for document in pack.register.values():
            if pack.encoding(document.id) != "not_encoded":
                continue
            if document.status_confirmed and not in_force(document, today):
                continue
            texts = [
                t for slug in document.sectors for t in (pack.sectors[slug].name, *pack.sectors[slug].aliases)
            ]
            words = {w for t in texts for w in (t, *self.words(t)) if len(w) > 1 and w not in _GENERIC}
            # its sectors' words that no encoded rule uses, and the register's own keywords for it
            out.append((document.id, frozenset(words - encoded) | frozenset(document.keywords)))
        return out

    def unencoded(self, pack: Pack, query: str) -> list[UnencodedMatch]:
        words = [w for w in self.content(query) if w not in _GENERIC]
        out = []
        for document_id, vocabulary in self.registers:
            found = [w for w in words if w in vocabulary]
            found += [k for k in pack.register[document_id].keywords if k in query and k not in found]
            if found:
                document = pack.register[document_id]
                out.append(
                    UnencodedMatch(
                        id=document.id,
                        title=document.title,
                        document_number=document.document_number,
                        sectors=list(document.sectors),
                        matched=found,
                    )
                )
        return out


def _twins(rules: list[CompiledRule]) -> dict[int, tuple[int, ...]]:
    """Rules that state the same obligation: the same condition, or one rule's whole condition being
    an alternative of another's (特种作业人员未持证上岗 in 工贸, 化工 and, beside another alternative,
    烟花爆竹); with the same applicability."""
    parent = list(range(len(rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    whole: dict[tuple[str, str | None], list[int]] = {}
    for i, rule in enumerate(rules):
        whole.setdefault((str(rule.condition.ast), rule.applies.text if rule.applies else None), []).append(i)
    for i, rule in enumerate(rules):
        ast = rule.condition.ast
        parts = [str(op) for op in ast.operands] if isinstance(ast, n.Or) else [str(ast)]
        applies = rule.applies.text if rule.applies else None
        for part in parts:
            for j in whole.get((part, applies), ()):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(rules)):
        groups.setdefault(root(i), []).append(i)
    return {i: tuple(j for j in members if j != i) for members in groups.values() for i in members}


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


@functools.lru_cache(maxsize=4)
def _index(pack: Pack) -> _Index:
    return _Index(pack)
