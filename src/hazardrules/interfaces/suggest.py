"""``suggest``: from an inspector's free-text hazard description (隐患描述) to candidate clauses.

Chinese text is segmented with jieba (a private tokenizer, so callers' jieba settings are untouched)
and ranked with BM25 (bm25s) over each rule's text, its facts' labels and questions, and the sector
names; the description is expanded with the pack's synonym groups (``rules/synonyms.yaml``), words
inspectors actually write. A suggestion is never a verdict: it says which facts to confirm so that
:func:`hazardrules.classify` can decide.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable

from pydantic import BaseModel, Field

from ..errors import HazardRulesError
from ..models import Citation, Question
from ..pack.model import CompiledRule, Pack
from ..pack.resources import default_pack
from ..pack.sectors import resolve_sector
from ..verdict.explanation import citation
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
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)?")
_FAILURE_GROUP_HINT = "失效"


class Suggestion(BaseModel):
    rule: str
    citation: Citation
    text: str
    text_status: str
    score: float = Field(description="BM25 score; comparable only within one call")
    matched: list[str] = Field(description="Words of the description (or their synonyms) found in the rule")
    confirm: list[Question] = Field(description="Facts to confirm before classify can decide")
    also_cites: list[str] = Field(
        default_factory=list,
        description="Provisions to cite beside the rule if the description is confirmed (e.g. 工贸 第十四条)",
    )
    in_sector: bool = Field(description="Whether the rule applies to the sector asked for")


class Suggestions(BaseModel):
    text: str
    sector: str | None
    note: str = NOT_A_VERDICT
    truncated: bool = False
    candidates: list[Suggestion]
    elsewhere: Suggestion | None = Field(
        default=None, description="The best match overall, when it belongs to another sector's standard"
    )


def suggest(text: str, *, sector: str | None = None, k: int = 5, pack: Pack | None = None) -> Suggestions:
    """Rank candidate rules for a free-text hazard description.

    ``sector`` (slug, Chinese name or industry code) keeps only rules that apply to it and reports
    the best match elsewhere if it belongs to another sector's standard. Never a verdict.
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
    ranked = index.rank(query)
    wanted = [i for i in ranked if slug is None or slug in index.rules[i[0]].sectors][:k]
    candidates = [index.suggestion(pack, position, score, query, slug) for position, score in wanted]
    elsewhere = None
    if slug is not None and ranked and slug not in index.rules[ranked[0][0]].sectors:
        position, score = ranked[0]
        elsewhere = index.suggestion(pack, position, score, query, slug)
    return Suggestions(
        text=query, sector=slug, truncated=truncated, candidates=candidates, elsewhere=elsewhere
    )


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
        for group in self.synonyms:
            for word in group:
                if _CJK.fullmatch(word):
                    self.tokenizer.add_word(word, freq=2000)
        self.lock = threading.Lock()  # jieba's lazy initialisation is not thread-safe
        self.rules: list[CompiledRule] = list(pack.compiled_rules())
        self.documents = [self.tokens(self.document(pack, rule)) for rule in self.rules]
        self.vocabularies = [set(d) for d in self.documents]
        self.bm25 = bm25s.BM25()
        self.bm25.index(self.documents, show_progress=False)

    @staticmethod
    def document(pack: Pack, rule: CompiledRule) -> str:
        facts = [*(rule.applies.facts if rule.applies else ()), *rule.condition.facts]
        parts = [rule.spec.text, rule.spec.text, rule.spec.label]
        for name in dict.fromkeys(facts):
            spec = pack.facts[name]
            parts += [spec.label, spec.question, *(spec.values or {}).values()]
        parts += [pack.sectors[s].name for s in sorted(rule.sectors)]
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

    def rank(self, query: str) -> list[tuple[int, float]]:
        if not query.strip():
            return []
        tokens, _ = self.expand(query)
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
        return [(i, float(scores[i])) for i in order if scores[i] > 0]

    def suggestion(
        self, pack: Pack, position: int, score: float, query: str, sector: str | None
    ) -> Suggestion:
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
            matched=_dedupe(matched)[:12],
            confirm=[_question(pack, f) for f in dict.fromkeys(facts)],
            also_cites=list(dict.fromkeys(also)),
            in_sector=sector is None or sector in rule.sectors,
        )


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


@functools.lru_cache(maxsize=4)
def _index(pack: Pack) -> _Index:
    return _Index(pack)
