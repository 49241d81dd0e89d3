"""Sphinx extension: generate the auditor pages from the rule pack at build time.

Writes MyST Markdown into ``docs/rules/`` (not committed) on ``builder-inited``, so the pages can
never drift from ``rules/``: one page per standard (every provision of the official source in order,
encoded or not), coverage, the fact vocabulary with a reverse index, sectors and checklists.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

import hazardrules
from hazardrules.interfaces.checklist import checklist, scope_facts
from hazardrules.pack.model import CompiledRule, CompiledStandard, Pack
from hazardrules.lang.chinese import to_chinese
from hazardrules.pack.sources import LEAD, find_sources_dir, load_source, read_provisions, walk

OUT = "rules"
EXPECT = {"holds": "成立（重大事故隐患）", "does_not_hold": "不成立", "undetermined": "无法判定（缺少事实）"}
ROLE = {"scope": "适用范围", "deferral": "另行规定（转致）", "cross_cutting": "通用条款", "definition": "定义", "other": "其他"}
TYPE = {"bool": "是／否", "number": "数值", "integer": "整数", "enum": "单选", "set": "多选"}


def anchor(rule_id: str) -> str:
    return rule_id.replace(":", "-").replace(".", "-")


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def status_text(status: str) -> str:
    return "已核实" if status == "verified" else "**未核实**（条文尚未与官方文本核对）"


def fact_value(pack: Pack, name: str, value: Any) -> str:
    spec = pack.facts[name]
    if isinstance(value, bool):
        shown = "是" if value else "否"
    elif isinstance(value, list):
        shown = "、".join((spec.values or {}).get(v, v) for v in value) or "（无）"
    elif isinstance(value, str):
        shown = (spec.values or {}).get(value, value)
    else:
        shown = f"{value}{spec.unit or ''}"
    return f"{spec.label}：{shown}"


# -- sources ---------------------------------------------------------------------------------------
def load_tree(sources: Path, slug: str) -> list[dict[str, Any]]:
    data = read_provisions(sources, slug) or {}
    return data.get("provisions") or []


def flatten(items: list[dict[str, Any]], names: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Each provision with its depth and address, as lint computes them (hazardrules.pack.sources)."""
    for node in walk(items, names):
        yield node.depth, node.path, node.item


# -- pages -----------------------------------------------------------------------------------------
def standard_page(pack: Pack, standard: CompiledStandard, sources: Path, read_by: dict[str, list[str]]) -> str:
    meta = standard.meta
    sector_names = "、".join(f"{pack.sectors[s].name}（`{s}`）" for s in meta.sectors)
    lines = [
        f"(std-{meta.slug})=",
        f"# {meta.title}",
        "",
        "| 项目 | 内容 |",
        "| --- | --- |",
        f"| 标准代号 | `{meta.slug}` |",
        f"| 文号 | {meta.document_number} |",
        f"| 发布机关 | {meta.issuer} |",
        f"| 公布日期 | {meta.published or '—'} |",
        f"| 施行日期 | {meta.effective or '自公布之日起（未另定施行日期）'} |",
        f"| 失效日期 | {meta.ends or '—（现行）'} |",
        f"| 适用行业 | {sector_names} |",
        f"| 替代 | {'；'.join(meta.supersedes) or '—'} |",
        f"| 被替代 | {meta.superseded_by or '—'} |",
    ]
    for deferral in meta.defers:
        target = "、".join(
            f"{{ref}}`{s} <std-{s}>`" if s in pack.standards else f"{s}（尚未收录）" for s in deferral.standards
        ) or "（尚无对应标准代号）"
        basis = standard.provisions[deferral.basis].label
        lines.append(f"| 另行规定：{deferral.label} | {basis}：适用{deferral.governed_by}；{target} |")
    if meta.source_url:
        lines.append(f"| 官方来源 | <{meta.source_url}> |")
    if meta.notes:
        lines += ["", "```{note}", meta.notes.strip(), "```"]
    if standard.unencoded:
        lines += ["", "```{warning}", f"本标准在规则包中只是部分编码：{len(standard.unencoded)}个条款未收录（原因见下文各条款）。"
                  "适用这些条款的行业，判定结果不会是“不构成重大事故隐患”，而是“无法判定”，并列出未收录的条款。", "```"]
    unverified = [r for r in standard.rules if r.spec.text_status != "verified"]
    if unverified:
        lines += ["", "```{important}", f"{len(unverified)}条判定规则的条文未经核实（来源标注为回忆稿或单一转录稿之外的文字），"
                  "引用前请与官方文本核对：" + "、".join(r.spec.label for r in unverified) + "。", "```"]
    lines += ["", "## 条款", ""]
    rules = {r.path: r for r in standard.rules}
    unencoded = {u.path: u for u in standard.unencoded}
    nodes = list(flatten(load_tree(sources, meta.slug), standard.names))
    for position, (depth, path, item) in enumerate(nodes):
        label = item.get("label", "")
        text = item.get("text") or "（官方文本缺失）"
        if item.get("partial_text"):
            text = f"（官方文本缺失；所见开头：“{item['partial_text']}……”）"
        status = item.get("status", "missing")
        if position + 1 < len(nodes) and path is not None and nodes[position + 1][1] == path:
            # an article whose single unnumbered situation (next) takes its path: the article's sentence
            lines += [f"## {label}", "", f"> {text}", ""]
        elif path in rules:
            lines += rule_section(pack, standard, rules[path], read_by)
        elif path and f"{meta.slug}:{path}" in standard.provisions:
            provision = standard.provisions[f"{meta.slug}:{path}"]
            lines += [f"({anchor(meta.slug + ':' + path)})=", f"### {provision.label}", "",
                      f"> {provision.text}", "",
                      f"- 性质：{ROLE[provision.role]}（被引用的条款，本身不是判定规则）",
                      f"- 条文核对：{status_text(provision.text_status)}"]
            lines += notes_list(provision.notes)
            lines.append("")
        elif item.get("children"):
            heading = "##" if depth == 0 else "###"
            lines += [f"{heading} {label}", "", f"> {text}" if item.get("text") else "", ""]
        elif path in unencoded:
            missing = unencoded[path]
            sectors = "、".join(pack.sectors[s].name for s in (missing.sectors if missing.sectors is not None else meta.sectors))
            lines += [f"({anchor(meta.slug + ':' + path)})=", f"### {missing.label}", "", f"> {text}", "",
                      f"- **未编码**（`{meta.slug}:{path}`；来源状态：{status}）：{missing.reason}",
                      f"- 适用行业：{sectors or '（不影响任何行业的判定）'}——这些行业的判定结果不会是“不构成”。", ""]
        elif path is not None and path.split(".")[-1] == LEAD:
            lines += [f"### {label}（导语）", "", f"> {text}", "", "- 导语，不是判定情形。", ""]
        else:
            where = f"`{meta.slug}:{path}`" if path else "（无编号）"
            lines += [f"### {label}", "", f"> {text}", "",
                      f"- **未编码**：本条款尚无判定规则（{where}；来源状态：{status}）。", ""]
    return "\n".join(lines) + "\n"


def rule_section(pack: Pack, standard: CompiledStandard, rule: CompiledRule, read_by: dict[str, list[str]]) -> list[str]:
    spec = rule.spec
    meta = standard.meta
    ordered = [s for s in meta.sectors if s in rule.sectors] or sorted(rule.sectors)
    lines = [f"({anchor(spec.id)})=", f"### {spec.label}", "", f"> {spec.text}", ""]
    lines.append(f"- 规则编号：`{spec.id}`")
    checked = f"（{spec.source_url}，{spec.verified_on}）" if spec.source_url else ""
    lines.append(f"- 条文核对：{status_text(spec.text_status)}{checked}")
    if spec.deviation:
        lines.append(f"- 与共享来源文本不同：依据 <{spec.deviation.url}> 更正（{spec.deviation.reason}）")
    lines.append("- 适用行业：" + "、".join(f"{pack.sectors[s].name}" for s in ordered))
    if rule.applies is not None:
        lines.append(f"- 适用条件：{to_chinese(rule.applies.ast, pack.facts)}")
    lines.append(f"- 判定逻辑：{to_chinese(rule.condition.ast, pack.facts)}")
    for citing in rule.also_cites:
        lines.append(f"- 同时引用：{citing.provision.label}，当{to_chinese(citing.when.ast, pack.facts)}")
    lines += ["", "<details><summary>条件表达式</summary>", "", "```text"]
    if spec.applies.when:
        lines.append(f"applies.when: {spec.applies.when}")
    lines += [f"condition: {spec.condition}", "```", "", "</details>", ""]
    facts = list(dict.fromkeys([*(rule.applies.facts if rule.applies else ()), *rule.condition.facts]))
    lines += ["**涉及的事实**", "", "| 事实 | 类型 | 检查问题 |", "| --- | --- | --- |"]
    for name in facts:
        fs = pack.facts[name]
        kind = TYPE[fs.type] + (f"（{fs.unit}）" if fs.unit else "")
        if fs.values:
            kind += "：" + "／".join(fs.values.values())
        lines.append(f"| [`{name}`](facts.md#{anchor(name)}) {cell(fs.label)} | {cell(kind)} | {cell(fs.question)} |")
    derived = [d for f in facts for d in standard.derived_by.get(f, ())]
    if derived:
        lines += ["", "**推导（解释与定义）**", ""]
        for d in derived:
            lines.append(f"- `{d.spec.id}`：当{to_chinese(d.when.ast, pack.facts)}时，"
                         f"「{pack.facts[d.spec.derives].label}」为{fact_value(pack, d.spec.derives, d.spec.value).split('：')[-1]}"
                         f"（依据：{d.spec.basis}）")
    lines += ["", "**示例**", "", "| # | 行业 | 事实 | 结果 |", "| --- | --- | --- | --- |"]
    for number, example in enumerate(spec.examples, 1):
        sector = pack.sectors[example.sector or ordered[0]].name
        given = "；".join(fact_value(pack, k, v) for k, v in example.facts.items()) or "（未给出事实）"
        outcome = EXPECT[example.expect] + (f"：{example.note}" if example.note else "")
        lines.append(f"| {number} | {sector} | {cell(given)} | {cell(outcome)} |")
    lines += [""]
    if spec.notes:
        lines += ["**说明与解释**", ""]
        lines += notes_list(spec.notes)
    lines.append("")
    return lines


def notes_list(notes: Any) -> list[str]:
    out = []
    for note in notes:
        extra = "".join([f"（依据：{note.basis}）" if note.basis else "", f" <{note.url}>" if note.url else ""])
        out.append(f"- {note.text.strip()}{extra}")
    return out


def coverage_page(pack: Pack, sources: Path) -> str:
    lines = ["# 编码覆盖情况", "",
             "每部标准：官方来源中的条款（末级条款）、已编码的判定规则、被引用的非规则条款、尚未编码的条款，",
             "以及规则条文的核对状态。规则数与 `hazardrules rules list --standard <代号>` 一致。", "",
             "| 标准 | 来源末级条款 | 判定规则 | 引用条款 | 未编码 | 条文已核实 | 条文未核实 |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    partial: list[CompiledStandard] = []
    for file in sorted(sources.glob("*.yaml")):
        slug = file.stem
        if slug in ("register", "README"):
            continue
        standard = pack.standards.get(slug)
        source = load_source(sources, slug, standard.names if standard else None)
        if source is None:
            continue
        leaves = [i.path for i in source.situations()]
        if standard is not None:
            rules = {r.path for r in standard.rules}
            cited = {pid.split(":", 1)[1] for pid in standard.provisions}
            missing = len([p for p in leaves if p not in rules and p not in cited])
            verified = sum(1 for r in standard.rules if r.spec.text_status == "verified")
            name = f"{{ref}}`{source.title or slug} <std-{slug}>`"
            lines.append(f"| {name} | {len(leaves)} | {len(rules)} | {len(cited)} | {missing} | {verified} | {len(rules) - verified} |")
            if standard.unencoded:
                partial.append(standard)
        else:
            lines.append(f"| {source.title or slug}（`{slug}`，尚未收录） | {len(leaves)} | 0 | 0 | {len(leaves)} | 0 | 0 |")
    if partial:
        lines += ["", "## 部分编码的标准：未收录的条款", "",
                  "下列条款未收录于规则包。适用这些条款的行业，判定结果不会是“不构成重大事故隐患”（而是“无法判定”，并在 `gaps` 中列出这些条款）。", "",
                  "| 标准 | 条款 | 编号 | 适用行业 | 原因 |", "| --- | --- | --- | --- | --- |"]
        for standard in partial:
            for missing in standard.unencoded:
                sectors = missing.sectors if missing.sectors is not None else standard.meta.sectors
                names = "、".join(pack.sectors[s].name for s in sectors) or "（无）"
                lines.append(f"| {{ref}}`{standard.slug} <std-{standard.slug}>` | {cell(missing.label)} | "
                             f"`{standard.slug}:{missing.path}` | {cell(names)} | {cell(missing.reason)} |")
    return "\n".join(lines) + "\n"


def facts_page(pack: Pack, read_by: dict[str, list[str]]) -> str:
    lines = ["# 事实词汇表", "", "检查中可观察、可回答的事实。每个事实列出类型、单位、标签、检查问题，以及读取它的规则（反向索引）。", ""]
    groups: dict[str, list[str]] = defaultdict(list)
    for name in sorted(pack.facts):
        groups[name.split(".")[0]].append(name)
    for group, names in groups.items():
        lines += [f"## `{group}`", ""]
        for name in names:
            spec = pack.facts[name]
            lines += [f"({anchor(name)})=", f"### `{name}`", "", f"- 标签：{spec.label}", f"- 检查问题：{spec.question}",
                      f"- 类型：{TYPE[spec.type]}" + (f"（单位：{spec.unit}）" if spec.unit else "")]
            if spec.values:
                lines.append("- 取值：" + "；".join(f"`{k}` {v}" for k, v in spec.values.items()))
            if spec.matter:
                lines.append(f"- 涉及事项：`{spec.matter}`（用于另行规定的转致）")
            if spec.short:
                lines.append(f"- 检查清单选项：`--with {spec.short}`")
            users = read_by.get(name, [])
            lines.append("- 读取它的规则：" + ("、".join(f"[`{r}`]({r.split(':')[0]}.md#{anchor(r)})" for r in users) or "（无）"))
            if spec.notes:
                lines.append(f"- 说明：{spec.notes.strip()}")
            lines.append("")
    return "\n".join(lines) + "\n"


def sectors_page(pack: Pack) -> str:
    lines = ["# 行业", "", "行业决定适用哪些标准；调用方可以传行业代号、中文名称或 GB/T 4754-2017 行业代码。", "",
             "| 代号 | 名称 | 标准 | 行业代码 | 不包括 | 依据 |", "| --- | --- | --- | --- | --- | --- |"]
    for slug, spec in pack.sectors.items():
        standards = "、".join(f"{{ref}}`{s.slug} <std-{s.slug}>`" for s in pack.standards_for(slug)) or "—"
        lines.append(f"| `{slug}` | {spec.name} | {standards} | {'、'.join(spec.industry_codes) or '—'} | "
                     f"{'、'.join(spec.excludes) or '—'} | {cell(spec.basis or '—')} |")
    notes = [(slug, spec.notes) for slug, spec in pack.sectors.items() if spec.notes]
    if notes:
        lines += [""] + [f"- `{slug}`：{cell(note.strip())}" for slug, note in notes]
    return "\n".join(lines) + "\n"


def checklist_page(pack: Pack, sector: str, on: dt.date) -> str:
    spec = pack.sectors[sector]
    shorts = scope_facts(pack)
    base = checklist(sector, on=on, pack=pack)
    lines = [f"# 检查清单：{spec.name}", "", f"按 {on.isoformat()} 施行的标准生成，等同于 `hazardrules checklist --sector {sector}`。", ""]
    if base.gaps:
        lines += ["```{warning}", "以下内容未收录于规则包，本清单没有相应问题，须对照官方文本另行检查：", ""]
        lines += [f"- {gap.message}" for gap in base.gaps]
        lines += ["```", ""]
    lines += checklist_items(base.items)
    seen = {item.rule for item in base.items}
    for question in base.other_scopes:
        short = next(k for k, v in shorts.items() if v == question.fact)
        extra = [i for i in checklist(sector, with_=[short], on=on, pack=pack).items if i.rule not in seen]
        lines += [f"## 如果{question.label}（`--with {short}`）", "", f"先确认：{question.question}", ""]
        lines += checklist_items(extra)
    return "\n".join(lines) + "\n"


def checklist_items(items: list[Any]) -> list[str]:
    lines: list[str] = []
    for item in items:
        mark = "" if item.text_status == "verified" else "（条文未核实）"
        lines += [f"### {item.citation.label}{mark}", "", f"> {item.text}", "",
                  f"规则：[`{item.rule}`](../{item.citation.standard}.md#{anchor(item.rule)})", ""]
        for question in item.questions:
            lines.append(f"- [ ] {question.question}")
            if question.alternatives:
                lines.append("  - 也可以回答以下问题，由其推定：" + "；".join(a.question for a in question.alternatives))
        lines.append("")
    return lines


def index_page(pack: Pack) -> str:
    lines = ["# 规则包", "", f"规则包 `{pack.name}` 版本 {pack.version}，摘要 `{pack.digest}`。", "",
             "裁决（verdict）中的规则编号 `gm-2023:3.1` 对应页面 `rules/gm-2023.html#gm-2023-3-1`：", "",
             "```{toctree}", ":maxdepth: 1", ""]
    lines += [slug for slug in pack.standards]
    lines += ["coverage", "facts", "sectors", "checklists/index", "```", "", "## 全部规则", "",
              "| 规则 | 条款 | 条文 |", "| --- | --- | --- |"]
    for rule in pack.compiled_rules():
        lines.append(f"| [`{rule.id}`]({rule.standard}.md#{anchor(rule.id)}) | {rule.spec.label} | {cell(rule.spec.text)} |")
    return "\n".join(lines) + "\n"


def generate(app: Sphinx) -> None:
    docs = Path(app.srcdir)
    sources = find_sources_dir(docs)
    if sources is None:
        raise ExtensionError("the official texts (shared/sources) are needed to build the rule pages")
    pack = hazardrules.load_pack()
    out = docs / OUT
    if out.exists():
        shutil.rmtree(out)
    (out / "checklists").mkdir(parents=True)
    read_by: dict[str, list[str]] = defaultdict(list)
    for rule in pack.compiled_rules():
        for name in dict.fromkeys([*(rule.applies.facts if rule.applies else ()), *rule.condition.facts]):
            read_by[name].append(rule.id)
    pages = {"index.md": index_page(pack), "coverage.md": coverage_page(pack, sources),
             "facts.md": facts_page(pack, read_by), "sectors.md": sectors_page(pack)}
    for slug, standard in pack.standards.items():
        pages[f"{slug}.md"] = standard_page(pack, standard, sources, read_by)
    on = dt.date.today()
    sectors = [s for s in pack.sectors if pack.standards_for(s)]
    pages["checklists/index.md"] = "\n".join(
        ["# 检查清单", "", "```{toctree}", ":maxdepth: 1", "", *sectors, "```", ""])
    for sector in sectors:
        pages[f"checklists/{sector}.md"] = checklist_page(pack, sector, on)
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
    schemas = docs / "_schemas"
    schemas.mkdir(exist_ok=True)
    (schemas / "finding.json").write_text(json.dumps(hazardrules.Finding.model_json_schema(), ensure_ascii=False, indent=2), encoding="utf-8")
    (schemas / "verdict.json").write_text(json.dumps(hazardrules.Verdict.model_json_schema(), ensure_ascii=False, indent=2), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", generate)
    return {"version": "1", "parallel_read_safe": True}
