"""Views of rules shared by the CLI (``rules list/show``) and the documentation: plain data for
programs, and the Chinese wording an auditor reads (status words, fact values, evidence kinds)."""

from __future__ import annotations

from typing import Any

from ..lang.chinese import to_chinese
from ..pack.format import Evidence, Example, OfficialPublication
from ..pack.model import CompiledRule, Pack

EXPECT = {"holds": "成立（重大事故隐患）", "does_not_hold": "不成立", "undetermined": "无法判定（缺少事实）"}
TYPE = {"bool": "是／否", "number": "数值", "integer": "整数", "enum": "单选", "set": "多选"}
EVIDENCE_KIND = {
    "official_page": "发布机关网页",
    "government_page": "政府网站转载",
    "transcription": "第三方转录",
    "mirror": "非官方网站转载（镜像）",
}
TEXT_STATUS = {"verified": "已核实", "unverified": "未核实（条文尚未与官方文本核对）"}


def rule_summary(pack: Pack, rule: CompiledRule) -> dict[str, Any]:
    """The object ``rules list --format json`` prints for each rule.

    ``citation_url`` is where the issuer published the standard; ``evidence`` is where the wording
    was checked and what kind of copy each place is (never presented as the source).
    """
    spec = rule.spec
    publication = pack.standards[rule.standard].meta.official_publication
    return {
        "id": spec.id,
        "standard": rule.standard,
        "path": rule.path,
        "label": spec.label,
        "text": spec.text,
        "text_status": spec.text_status,
        "sectors": sorted(rule.sectors),
        "citation_url": publication.url if publication is not None else None,
        "evidence": [entry.model_dump(exclude_none=True) for entry in spec.evidence],
        "verified_on": spec.verified_on.isoformat() if spec.verified_on else None,
    }


def rule_detail(pack: Pack, rule: CompiledRule) -> dict[str, Any]:
    """The object ``rules show ID --format json`` prints: the summary plus logic and examples."""
    spec = rule.spec
    standard = pack.standards[rule.standard].meta
    ordered = [s for s in standard.sectors if s in rule.sectors] or sorted(rule.sectors)
    detail = rule_summary(pack, rule)
    detail.update(
        {
            "title": standard.title,
            "document_number": standard.document_number,
            "official_publication": (
                standard.official_publication.model_dump() if standard.official_publication else None
            ),
            "applies": {"sectors": ordered, "when": spec.applies.when},
            "condition": spec.condition,
            "logic": to_chinese(rule.condition.ast, pack.facts),
            "applies_logic": to_chinese(rule.applies.ast, pack.facts) if rule.applies else None,
            "facts": list(
                dict.fromkeys([*(rule.applies.facts if rule.applies else ()), *rule.condition.facts])
            ),
            "also_cites": [c.model_dump() for c in spec.also_cites],
            "kinds": [k for k in rule.kinds if k is not None],
            "catch_all": spec.catch_all,
            "examples": [example_of(pack, rule, example) for example in spec.examples],
            "notes": [note.model_dump(exclude_none=True) for note in spec.notes],
            "deviation": spec.deviation.model_dump() if spec.deviation else None,
        }
    )
    return detail


def example_of(pack: Pack, rule: CompiledRule, example: Example) -> dict[str, Any]:
    """A worked example as the finding to classify (dated in the standard's period) and its outcome."""
    meta = pack.standards[rule.standard].meta
    ordered = [s for s in meta.sectors if s in rule.sectors] or sorted(rule.sectors)
    day = example.observed_on or meta.effective or meta.published
    finding: dict[str, Any] = {"sector": example.sector or ordered[0], "facts": dict(example.facts)}
    if example.installations:
        finding["installations"] = [i.model_dump() for i in example.installations]
    if day is not None:
        finding["observed_on"] = day.isoformat()
    out: dict[str, Any] = {"finding": finding, "expect": example.expect}
    if example.note:
        out["note"] = example.note
    return out


def fact_value(pack: Pack, name: str, value: Any) -> str:
    """``「标签」：值`` with the value in Chinese (是／否, an option's label with its code, a number with
    its unit)."""
    spec = pack.facts[name]
    if isinstance(value, bool):
        shown = "是" if value else "否"
    elif isinstance(value, list):
        shown = "、".join(_coded(spec.values, str(v)) for v in value) or "（无）"
    elif isinstance(value, str):
        shown = _coded(spec.values, value)
    else:
        shown = f"{value}{spec.unit or ''}"
    return f"「{spec.label}」：{shown}"


def _coded(values: dict[str, str] | None, code: str) -> str:
    """An option's label with its code, as a finding gives it: 未设置（absent）."""
    label = (values or {}).get(code)
    return f"{label}（{code}）" if label is not None else code


def fact_kind(pack: Pack, name: str) -> str:
    """``单选：code 标签／code 标签`` — the answer a fact takes, with each value code and its label."""
    spec = pack.facts[name]
    kind = TYPE[spec.type] + (f"（{spec.unit}）" if spec.unit else "")
    if spec.values:
        kind += "：" + "／".join(f"{label}（{code}）" for code, label in spec.values.items())
    return kind


def evidence_line(entry: Evidence) -> str:
    where = entry.url or entry.ref or ""
    note = f"（{entry.note}）" if entry.note else ""
    return f"{EVIDENCE_KIND[entry.how]}：{where}{note}"


def publication_line(publication: OfficialPublication | None) -> str:
    if publication is None or publication.url is None:
        return "官方发布：（发布页面未查到）"
    checked = "条文已据此页核对" if publication.seen else "本项目未据此页核对条文，核对来源见上"
    return f"官方发布：{publication.url}（{publication.kind}；{checked}）"


def rule_text(pack: Pack, rule: CompiledRule) -> str:
    """``rules show ID``: the rule in Chinese, as an auditor reads it."""
    spec = rule.spec
    standard = pack.standards[rule.standard].meta
    ordered = [s for s in standard.sectors if s in rule.sectors] or sorted(rule.sectors)
    checked = f"（{spec.verified_on.isoformat()}）" if spec.verified_on else ""
    lines = [
        f"{spec.id}  《{standard.title}》{spec.label}（{standard.document_number}）",
        "",
        f"  {spec.text}",
        "",
        f"条文核对：{TEXT_STATUS[spec.text_status]}{checked}",
    ]
    if spec.evidence:
        lines.append("核对来源：")
        lines += [f"  - {evidence_line(entry)}" for entry in spec.evidence]
    if spec.deviation:
        lines.append(f"更正：与官方文本汇编不同，依据 {spec.deviation.url}（{spec.deviation.reason}）")
    lines.append(publication_line(standard.official_publication))
    lines.append("适用行业：" + "、".join(f"{pack.sectors[s].name}（{s}）" for s in ordered))
    if rule.applies is not None:
        lines.append(f"适用条件：{to_chinese(rule.applies.ast, pack.facts)}")
    lines.append(f"判定逻辑：{to_chinese(rule.condition.ast, pack.facts)}")
    for citing in rule.also_cites:
        lines.append(f"同时引用：{citing.provision.label}，当{to_chinese(citing.when.ast, pack.facts)}")
    lines += ["", "涉及的事实："]
    for name in dict.fromkeys([*(rule.applies.facts if rule.applies else ()), *rule.condition.facts]):
        spec_fact = pack.facts[name]
        lines.append(f"  {name}「{spec_fact.label}」［{fact_kind(pack, name)}］")
        lines.append(f"    问题：{spec_fact.question}")
    lines += ["", "示例："]
    for number, example in enumerate(spec.examples, 1):
        sector = pack.sectors[example.sector or ordered[0]].name
        given = "；".join(fact_value(pack, k, v) for k, v in example.facts.items()) or "（未给出事实）"
        remark = f"——{example.note}" if example.note else ""
        lines.append(f"  {number}. {EXPECT[example.expect]}｜{sector}｜{given}{remark}")
    if spec.notes:
        lines += ["", "说明："]
        for note in spec.notes:
            extra = (f"（依据：{note.basis}）" if note.basis else "") + (f" {note.url}" if note.url else "")
            lines.append(f"  - {note.text.strip()}{extra}")
    return "\n".join(lines)
