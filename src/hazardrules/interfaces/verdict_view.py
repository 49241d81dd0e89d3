"""Verdicts for people: the columns of ``classify --format table`` and the Chinese text of
``classify --format text``.

Both show what an inspector needs to act on a verdict without the JSON: its status, the rules that
hold (naming the installation each holds for), the provisions cited beside them, how many rules
were examined and cleared, what is still needed (facts, or a standard the pack could not apply),
and every warning with its stable code and Chinese message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..models import CitedProvision, InstallationRef, Notice, Verdict
from ..pack.model import Pack
from ..verdict.codes import CODES
from .describe import fact_value
from .table import Column, escape

STATUS_WORDS = {"major": "重大隐患", "not_major": "不构成", "undetermined": "无法判定"}
STATUS_SENTENCE = {
    "major": "构成重大事故隐患",
    "not_major": "不构成重大事故隐患",
    "undetermined": "无法判定",
}
ERROR_WORD = "error（错误）"
NONE = "-"


def status_cell(verdict: Verdict) -> str:
    """``major（重大隐患）``: the stable code, then the Chinese word."""
    return f"{verdict.status}（{STATUS_WORDS[verdict.status]}）"


def _provision(citation_standard: str, label: str) -> str:
    return f"{citation_standard} {label}"


def held(verdict: Verdict) -> str:
    """Each rule that holds, once, with the installations it holds for, grouped by standard:
    ``gm-2023 第四条第（二）项、第四条第（四）项［1号转炉］``."""
    by_standard: dict[str, dict[str, list[str]]] = {}
    for hit in verdict.hits:
        ids = by_standard.setdefault(hit.citation.standard, {}).setdefault(hit.citation.label, [])
        if hit.installation is not None and hit.installation.id is not None:
            ids.append(hit.installation.id)
    return (
        "；".join(
            f"{standard} "
            + "、".join(label + (f"［{'、'.join(ids)}］" if ids else "") for label, ids in labels.items())
            for standard, labels in by_standard.items()
        )
        or NONE
    )


def _cited(verdict: Verdict) -> list[CitedProvision]:
    found: dict[str, CitedProvision] = {}
    for hit in verdict.hits:
        for provision in [*hit.also_cites, *([hit.via] if hit.via else [])]:
            found.setdefault(provision.id, provision)
    return list(found.values())


def also_cited(verdict: Verdict) -> str:
    """The provisions cited beside the hits (工贸 第十四条; the deferring 第二条), each once."""
    return "，".join(_provision(p.citation.standard, p.citation.label) for p in _cited(verdict)) or NONE


def cleared_count(verdict: Verdict) -> str:
    """How many rules were examined and found not to hold (a rule cleared for several
    installations counts once)."""
    return str(len({c.rule for c in verdict.cleared}))


def needed(verdict: Verdict) -> str:
    """The facts still needed, then any standard that governs but could not be applied."""
    parts = []
    missing = verdict.missing_facts
    if missing:
        parts.append(f"{len(missing)} 项：" + ", ".join(missing[:4]) + (" …" if len(missing) > 4 else ""))
    for gap in verdict.gaps:
        parts.append(f"另行判定：{gap.document.document_number or gap.document.title}")
    return "；".join(parts) or NONE


def _notice(notice: Notice) -> str:
    return f"{notice.code}：{notice.message}"


def warnings(verdict: Verdict) -> str:
    """Every warning as ``code：中文说明``."""
    return "；".join(_notice(n) for n in verdict.warnings) or NONE


# The table of `classify --format table`: one line per column, in order. The last column (the
# warnings, whose messages are long) is neither cut nor padded.
COLUMNS: list[Column[Verdict]] = [
    Column("检查发现", 20, lambda v: v.finding_id or NONE),
    Column("结论", 24, status_cell),
    Column("成立的条款（装置）", 56, held),
    Column("同时引用", 20, also_cited),
    Column("已排除", 6, cleared_count),
    Column("仍需", 44, needed),
    Column("警告（代码：说明）", None, warnings),
]


def error_cells(result: dict[str, Any]) -> list[str]:
    """A record that could not be classified: where it is, ``error``, then its first problem."""
    error = result["error"]
    where = f"第 {result['line']} 行" + (f"［{result['index']}］" if "index" in result else "")
    finding = error.get("finding_id") or where
    problem = error["problems"][0]
    return [finding, ERROR_WORD, f"{problem['code']}：{problem['message']}"] + [""] * (len(COLUMNS) - 3)


# -- text ------------------------------------------------------------------------------------------
def _installation(ref: InstallationRef | None) -> str:
    if ref is None:
        return ""
    return f"［{ref.kind_name} {ref.id}］" if ref.id is not None else f"［{ref.kind_name}］"


def _facts(pack: Pack, facts: dict[str, Any]) -> str:
    return (
        "；".join(
            fact_value(pack, name, value) if name in pack.facts else f"{name}：{value}"
            for name, value in facts.items()
        )
        or "（无）"
    )


def _section(title: str, lines: Iterable[str]) -> list[str]:
    body = list(lines)
    return [title, *body] if body else []


def render_text(verdict: Verdict, pack: Pack) -> str:
    """One verdict as Chinese text: every part an inspector acts on, warnings always shown."""
    head = f"检查发现 {verdict.finding_id}" if verdict.finding_id else "检查发现（未编号）"
    sectors = "、".join(
        f"{pack.sectors[s].name}（{s}）" if s in pack.sectors else s
        for s in (verdict.sectors or [verdict.sector])
    )
    lines = [
        f"{head}　行业：{sectors}　判定日期：{verdict.on.isoformat()}",
        f"结论：{verdict.status}（{STATUS_SENTENCE[verdict.status]}）",
    ]
    lines += [f"适用标准：《{s.title}》（{s.document_number}）" for s in verdict.standards]
    hits = []
    for hit in verdict.hits:
        mark = "" if hit.text_status == "verified" else "【条文未经核实】"
        where = _provision(hit.citation.standard, hit.citation.label) + _installation(hit.installation)
        hits.append(f"  {where}：{hit.text}{mark}")
        hits.append(f"    依据的事实：{_facts(pack, hit.because)}")
        for provision in hit.also_cites:
            hits.append(
                f"    同时引用：{_provision(provision.citation.standard, provision.citation.label)}"
                f"：{provision.text}"
            )
        if hit.via is not None:
            via = _provision(hit.via.citation.standard, hit.via.citation.label)
            hits.append(f"    经由：{via}：{hit.via.text}")
    lines += _section("成立的条款：", hits)
    open_rules = [
        f"  {_provision(u.citation.standard, u.citation.label)}{_installation(u.installation)}"
        f"：尚缺 {', '.join(u.missing) or '（无可问的事实）'}"
        for u in verdict.undetermined
    ]
    lines += _section("无法判定的条款：", open_rules)
    questions = [
        f"  - {name}：{pack.facts[name].question}" if name in pack.facts else f"  - {name}"
        for name in verdict.missing_facts
    ]
    lines += _section("仍需回答的问题：", questions)
    lines += _section("未能适用的标准（缺口）：", (f"  {gap.code}：{gap.message}" for gap in verdict.gaps))
    cleared = [
        f"  {_provision(c.standard, c.label)}{_installation(c.installation)}：{_facts(pack, c.because)}"
        for c in verdict.cleared
    ]
    lines.append(f"已排除的条款：{cleared_count(verdict)} 条")
    lines += cleared
    references = (f"  {r.code}：{r.message}" for r in verdict.reference)
    lines += _section("仅供参考（已不再施行的标准）：", references)
    lines.append("警告：" + ("无" if not verdict.warnings else ""))
    lines += [f"  {_notice(n)}" for n in verdict.warnings]
    lines += _section("说明：", (f"  {_notice(n)}" for n in verdict.notes))
    return _join(lines)


def _join(lines: list[str]) -> str:
    """The lines, each escaped on its own: a caller's id cannot start a line or drive the terminal."""
    return "".join(escape(line) + "\n" for line in lines)


def render_error_text(result: dict[str, Any]) -> str:
    """A record that could not be classified, as Chinese text with each problem's code."""
    error = result["error"]
    where = f"第 {result['line']} 行" + (f"第 {result['index']} 个元素" if "index" in result else "")
    head = f"检查发现 {error['finding_id']}（{where}）" if error.get("finding_id") else where
    lines = [f"{head}", f"结论：{ERROR_WORD}，未判定"]
    for problem in error["problems"]:
        meaning = f"（{CODES[problem['code']].meaning}）" if problem["code"] in CODES else ""
        lines.append(f"  {problem['code']}{meaning}：{problem['message']}")
    return _join(lines)
