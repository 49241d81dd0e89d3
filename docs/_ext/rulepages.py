"""Sphinx extension: generate the auditor pages from the rule pack at build time.

Writes MyST Markdown into ``docs/rules/`` (not committed) on ``builder-inited``, so the pages can
never drift from ``rules/``: one page per standard (every provision of the official text in order,
encoded or not), the register of the law (「标准清单与收录状态」, every document of
``rules/register.yaml`` with its dates, successor, sectors and encoding status, linked from each
standard's page), coverage, the fact vocabulary with a reverse index and the installation kinds,
sectors and checklists. The official texts are the pack's own copy (``rules/sources/``), so a clone
builds on its own. Developer pages: the codes of warnings and notes, the dev notes, and the worked
examples' verdicts (classified at build time).

Every numbered provision gets its own anchor (``gm-2023-3-2``) and a ``clause-entry`` so the site
search finds the clause itself (see ``zhsearch.py``). Everything on these pages is Chinese; English
developer notes (``dev_note``) go to a developer page (``_generated/dev-notes.md``) instead.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

import hazardrules
from hazardrules.interfaces.checklist import Question, checklist, scope_facts
from hazardrules.interfaces.cli import example_finding
from hazardrules.interfaces.schema import documents
from hazardrules.interfaces.describe import (
    EVIDENCE_KIND,
    EXPECT,
    TEXT_STATUS,
    fact_kind,
    fact_value,
)
from hazardrules.interfaces.register import ENCODING_WORDS, StandardStatus, standards
from hazardrules.interfaces.verdict_view import render_text
from hazardrules.lang.chinese import to_chinese
from hazardrules.pack.format import Evidence, Note, OfficialPublication
from hazardrules.pack.industries import industries
from hazardrules.pack.model import CompiledRule, CompiledStandard, Pack
from hazardrules.pack.resources import shipped_rules_dir
from hazardrules.pack.sources import LEAD, load_source, pack_sources_dir, source_document, walk
from hazardrules.verdict.codes import codes

OUT = "rules"
ROLE = {"scope": "适用范围", "deferral": "另行规定（转致）", "cross_cutting": "通用条款", "definition": "定义", "other": "其他"}
SOURCE_STATUS = {"verified": "已核实", "memory": "凭记忆整理，未经核实", "missing": "官方文本缺失"}


def anchor(item_id: str) -> str:
    return item_id.replace(":", "-").replace(".", "-")


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def status_text(status: str) -> str:
    return TEXT_STATUS["verified"] if status == "verified" else f"**{TEXT_STATUS['unverified']}**"


def link(url: str, text: str | None = None) -> str:
    return f"[{text}]({url})" if text else f"<{url}>"


def evidence_lines(evidence: list[Evidence], indent: str = "  ") -> list[str]:
    """Where the wording was checked, by kind. A mirror is named, never linked: it is not a source."""
    lines = []
    for entry in evidence:
        note = f"（{entry.note}）" if entry.note else ""
        if entry.url is None:
            where = entry.ref or ""
        elif entry.how == "mirror":
            where = f"`{entry.url}`"
        else:
            where = link(entry.url)
        lines.append(f"{indent}- {EVIDENCE_KIND[entry.how]}：{where}{note}")
    return lines


def publication_text(publication: OfficialPublication | None) -> str:
    if publication is None or publication.url is None:
        return "（发布机关的发布页面尚未查到）"
    checked = "条文已据此页核对" if publication.seen else "本项目未打开此页核对条文，核对来源见各条款"
    return f"{link(publication.url, publication.kind)}（{checked}）"


def clause_entry(item_id: str, kind: str, name: str) -> list[str]:
    """A search-index entry for the clause at ``anchor(item_id)`` (see zhsearch.py)."""
    return ["```{clause-entry} " + item_id, f":kind: {kind}", "", name.replace("\n", " "), "```", ""]


# -- sources ---------------------------------------------------------------------------------------
def load_tree(sources: Path, slug: str, document_number: str | None = None) -> list[dict[str, Any]]:
    data = source_document(sources, slug, document_number) or {}
    return data.get("provisions") or []


def flatten(
    items: list[dict[str, Any]], names: dict[str, str] | None = None
) -> Iterator[tuple[int, str | None, dict[str, Any]]]:
    """Each provision with its depth and address, as lint computes them (hazardrules.pack.sources)."""
    for node in walk(items, names):
        yield node.depth, node.path, node.item


# -- pages -----------------------------------------------------------------------------------------
def standard_page(pack: Pack, standard: CompiledStandard, sources: Path) -> str:
    meta = standard.meta
    sector_names = "、".join(f"{pack.sectors[s].name}（`{s}`）" for s in meta.sectors)
    rows = [
        ("标准代号", f"`{meta.slug}`"),
        ("文号", meta.document_number),
        ("发布机关", meta.issuer),
        ("官方发布", publication_text(meta.official_publication)),
        ("公布日期", str(meta.published or "—")),
        ("施行日期", str(meta.effective or "自公布之日起（未另定施行日期）")),
        ("失效日期", str(meta.ends or "—（现行）")),
        ("适用行业", sector_names),
        ("替代", "；".join(meta.supersedes) or "—"),
        ("被替代", meta.superseded_by or "—"),
        ("标准清单", register_link(pack, meta.slug)),
    ]
    rows += related_rows(pack, meta.slug)
    for deferral in meta.defers:
        target = "、".join(
            f"{{ref}}`{s} <std-{s}>`" if s in pack.standards else f"{s}（尚未收录）" for s in deferral.standards
        ) or "（尚无对应标准代号）"
        basis = standard.provisions[deferral.basis].label
        rows.append((f"另行规定：{deferral.label}", f"{basis}：适用{deferral.governed_by}；{target}"))
    lines = [f"(std-{meta.slug})=", f"# {meta.title}", "", "```{list-table}", ":header-rows: 1",
             ":class: meta-table", "", "* - 项目", "  - 内容"]
    for key, value in rows:
        lines += [f"* - {key}", f"  - {value}"]
    lines += ["```", ""]
    if meta.notes:
        lines += ["```{note}", meta.notes.strip(), "```", ""]
    if standard.unencoded:
        lines += ["```{warning}", f"本标准在规则包中只是部分编码：{len(standard.unencoded)}个条款未收录（原因见下文各条款）。"
                  "适用这些条款的行业，判定结果不会是“不构成重大事故隐患”，而是“无法判定”，并列出未收录的条款。", "```", ""]
    unverified = [r for r in standard.rules if r.spec.text_status != "verified"]
    if unverified:
        lines += ["```{important}", f"{len(unverified)}条判定规则的条文未经核实（来源标注为回忆稿或单一转录稿之外的文字），"
                  "引用前请与官方文本核对：" + "、".join(r.spec.label for r in unverified) + "。", "```", ""]
    lines += ["## 条款", ""]
    rules = {r.path: r for r in standard.rules}
    unencoded = {u.path: u for u in standard.unencoded}
    nodes = list(flatten(load_tree(sources, meta.slug, meta.document_number), standard.names))
    for position, (depth, path, item) in enumerate(nodes):
        label = item.get("label", "")
        text = item.get("text") or "（官方文本缺失）"
        if item.get("partial_text"):
            text = f"（官方文本缺失；所见开头：“{item['partial_text']}……”）"
        status = str(item.get("status", "missing"))
        item_id = f"{meta.slug}:{path}" if path else None
        if position + 1 < len(nodes) and path is not None and nodes[position + 1][1] == path:
            # an article whose single unnumbered situation (next) takes its path: the article's sentence
            lines += [f"## {label}", "", f"> {text}", ""]
        elif path in rules:
            lines += rule_section(pack, standard, rules[path])
        elif item_id and item_id in standard.provisions:
            provision = standard.provisions[item_id]
            lines += [f"({anchor(item_id)})=", f"### {provision.label}", "", f"> {provision.text}", ""]
            lines += clause_entry(item_id, "provision", f"{provision.label}　{provision.text}")
            lines += [f"- 性质：{ROLE[provision.role]}（被引用的条款，本身不是判定规则）",
                      f"- 条文核对：{status_text(provision.text_status)}"]
            lines += evidence_lines(provision.evidence)
            lines += notes_list(provision.notes)
            lines.append("")
        elif item.get("children"):
            heading = "##" if depth == 0 else "###"
            lines += ([f"({anchor(item_id)})="] if item_id else []) + [f"{heading} {label}", ""]
            if item.get("text"):
                lines += [f"> {text}", ""]
                if item_id:
                    lines += clause_entry(item_id, "provision", f"{label}　{text}")
        elif path is not None and item_id and path in unencoded:
            missing = unencoded[path]
            chosen = missing.sectors if missing.sectors is not None else meta.sectors
            sectors = "、".join(pack.sectors[s].name for s in chosen)
            title = f"{missing.label} {item['heading']}" if item.get("heading") else missing.label
            lines += [f"({anchor(item_id)})=", f"### {title}", "", f"> {text}", ""]
            lines += clause_entry(item_id, "provision", f"{label}　{text}")
            lines += [f"- **未编码**（`{item_id}`；官方文本汇编中的状态：{SOURCE_STATUS.get(status, status)}）：{missing.reason}",
                      f"- 适用行业：{sectors or '（不影响任何行业的判定）'}——这些行业的判定结果不会是“不构成”。", ""]
        elif path is not None and path.split(".")[-1] == LEAD:
            lines += [f"### {label}（导语）", "", f"> {text}", "", "- 导语，不是判定情形。", ""]
        else:
            where = f"`{item_id}`" if item_id else "（无编号）"
            title = f"{label} {item['heading']}" if item.get("heading") else label
            why = "：本条款尚无判定规则"
            lines += ([f"({anchor(item_id)})="] if item_id else []) + [f"### {title}", "", f"> {text}", ""]
            if item_id:
                lines += clause_entry(item_id, "provision", f"{label}　{text}")
            lines += [f"- **未编码**{why}（{where}；官方文本汇编中的状态：{SOURCE_STATUS.get(status, status)}）。", ""]
    return "\n".join(lines) + "\n"


def document_link(pack: Pack, slug: str) -> str:
    document = pack.register.get(slug)
    name = f"《{document.title}》（{document.document_number or slug}）" if document else slug
    return f"{{ref}}`{name} <std-{slug}>`" if slug in pack.standards else f"{name}（未收录于规则包）"


def related_rows(pack: Pack, slug: str) -> list[tuple[str, str]]:
    """Rows linking a standard to its earlier and later versions and to its supplements."""
    rows: list[tuple[str, str]] = []
    document = pack.register.get(slug)
    if document is not None:
        for other in document.predecessors:
            ended = pack.register[other].ends if other in pack.register else None
            rows.append(("前一版本", document_link(pack, other) + (f"，施行至{ended - dt.timedelta(days=1)}" if ended else "")))
        if document.successor:
            rows.append(("后一版本", f"{document_link(pack, document.successor)}，自{document.ends}起施行"))
    meta = pack.standards[slug].meta
    for other in meta.supplements:
        rows.append(("补充的标准（一并适用）", document_link(pack, other)))
    for other, standard in pack.standards.items():
        if slug in standard.meta.supplements:
            start = standard.meta.effective or standard.meta.published
            rows.append(("补充文件（一并适用）", f"{document_link(pack, other)}，自{start}起"))
    return rows


def rule_section(pack: Pack, standard: CompiledStandard, rule: CompiledRule) -> list[str]:
    spec = rule.spec
    meta = standard.meta
    ordered = [s for s in meta.sectors if s in rule.sectors] or sorted(rule.sectors)
    lines = [f"({anchor(spec.id)})=", f"### {spec.label}", "", f"> {spec.text}", ""]
    lines += clause_entry(spec.id, "rule", f"{spec.label}　{spec.text}")
    lines.append(f"- 规则编号：`{spec.id}`")
    cited = f"《{meta.title}》{spec.label}（{meta.document_number}）"
    publication = meta.official_publication
    lines.append(f"- 出处：{link(publication.url, cited) if publication and publication.url else cited}")
    checked = f"（{spec.verified_on}）" if spec.verified_on else ""
    lines.append(f"- 条文核对：{status_text(spec.text_status)}{checked}")
    lines += evidence_lines(spec.evidence)
    if spec.deviation:
        lines.append(f"- 与官方文本汇编不同：依据 <{spec.deviation.url}> 更正（{spec.deviation.reason}）")
    lines.append("- 适用行业：" + "、".join(f"{pack.sectors[s].name}" for s in ordered))
    if rule.applies is not None:
        lines.append(f"- 适用条件：{to_chinese(rule.applies.ast, pack.facts)}")
    kinds = [pack.installation_kinds[k].name for k in rule.kinds if k is not None]
    if kinds:
        lines.append("- 判定对象：逐个" + "、".join(f"“{k}”" for k in kinds) + "分别判断")
    lines.append(f"- 判定逻辑：{to_chinese(rule.condition.ast, pack.facts)}")
    for citing in rule.also_cites:
        always = citing.when.text.strip() == "true"
        when = "" if always else f"，当{to_chinese(citing.when.ast, pack.facts)}"
        lines.append(f"- 同时引用：{citing.provision.label}{when}")
    lines += ["", "<details><summary>条件表达式（规则语言原文）</summary>", "", "```text"]
    if spec.applies.when:
        lines.append(f"applies.when: {spec.applies.when}")
    lines += [f"condition: {spec.condition}", "```", "", "</details>", ""]
    facts = list(dict.fromkeys([*(rule.applies.facts if rule.applies else ()), *rule.condition.facts]))
    lines += ["**涉及的事实**", "", "| 事实 | 类型与取值 | 检查问题 |", "| --- | --- | --- |"]
    for name in facts:
        fs = pack.facts[name]
        lines.append(f"| [{cell(fs.label)}](facts.md#{anchor(name)})<br>`{name}` | {cell(fact_kind(pack, name))} | {cell(fs.question)} |")
    derived = list(dict.fromkeys(d for f in facts for d in standard.derived_by.get(f, ())))
    derived += [d for d in pack.lifted if d.spec.derives in facts]
    if derived:
        lines += ["", "**推导（解释与定义）**", ""]
        for d in derived:
            value = fact_value(pack, d.spec.derives, d.spec.value)
            reading = standard.readings.get(d.spec.reading) if d.spec.reading else None
            mark = ""
            if reading is not None:
                kind = "政府部门执法实践" if reading.official else "第三方资料"
                mark = f"【解读，非条文、非官方解释：{reading.title}（{reading.publisher}，{kind}）；可以关闭】"
            lines.append(f"- `{d.spec.id}`{mark}：当{to_chinese(d.when.ast, pack.facts)}时，{value}（依据：{d.spec.basis.strip()}）")
            if d.spec.notes:
                lines.append(f"  - 说明：{d.spec.notes.strip()}")
    implied = [(k, kind) for k, kind in pack.installation_kinds.items() if any(f in facts for f in kind.implies)]
    for k, kind in implied:
        said = "；".join(fact_value(pack, f, v) for f, v in kind.implies.items())
        lines.append(f"- 检查发现描述了{kind.name}（`{k}`）时，即{said}")
    lines += ["", "**示例**", "", "| # | 行业 | 事实 | 结果 |", "| --- | --- | --- | --- |"]
    for number, example in enumerate(spec.examples, 1):
        sector = pack.sectors[example.sector or ordered[0]].name
        parts = [fact_value(pack, k, v) for k, v in example.facts.items()]
        for inst in example.installations:  # each installation with its own facts
            kind = pack.installation_kinds[inst.kind].name
            parts.append(f"{inst.id}（{kind}）：" + "，".join(fact_value(pack, k, v) for k, v in inst.facts.items()))
        given = "；".join(parts) or "（未给出事实）"
        outcome = EXPECT[example.expect] + (f"：{example.note}" if example.note else "")
        lines.append(f"| {number} | {sector} | {cell(given)} | {cell(outcome)} |")
    lines += [""]
    if spec.notes:
        lines += ["**说明与解释**", ""]
        lines += notes_list(spec.notes)
    lines.append("")
    return lines


def notes_list(notes: list[Note]) -> list[str]:
    out = []
    for note in notes:
        extra = "".join([f"（依据：{note.basis}）" if note.basis else "", f" <{note.url}>" if note.url else ""])
        out.append(f"- {note.text.strip()}{extra}")
    return out


def register_link(pack: Pack, slug: str) -> str:
    """The row of a standard's page that links its entry in 「标准清单与收录状态」."""
    if slug not in pack.register:
        return "（未列入标准清单）"
    return f"[本标准在标准清单中的状态](register.md#{anchor('register-' + slug)})"


def in_force_word(entry: StandardStatus, on: dt.date) -> str:
    """施行中 / 尚未施行 / 已不再施行 / 现行状态未经确认, on ``on``."""
    if not entry.status_confirmed:
        return "现行状态未经确认"
    if entry.in_force:
        return "施行中"
    start = entry.effective or entry.published
    if start is not None and on < start:
        return f"尚未施行（{start.isoformat()} 起施行）"
    return f"已不再施行（{entry.ends.isoformat()} 起）" if entry.ends else "不在施行"


def document_name(entry: StandardStatus) -> str:
    number = f"（{entry.document_number}）" if entry.document_number else ""
    return f"《{entry.title}》{number}"


def last_day(entry: StandardStatus) -> str:
    return (entry.ends - dt.timedelta(days=1)).isoformat() if entry.ends else "—（未定）"


def register_page(pack: Pack, on: dt.date) -> str:
    """「标准清单与收录状态」: every document of rules/register.yaml, encoded or not, on ``on``."""
    entries = standards(on, pack=pack)
    by_id = {e.id: e for e in entries}
    lines = ["(register)=", "# 标准清单与收录状态", "",
             "本规则包所知的全国性重大事故隐患判定标准和文件，无论是否已编码收录。本页在构建时由规则包的标准清单"
             "（`rules/register.yaml`）生成，与 `hazardrules standards` 的输出一致。"
             f"施行状态按本站构建之日（{on.isoformat()}）判断；其他日期请用 `hazardrules standards --on 日期`。", "",
             "判定时，某行业当日施行的标准如果未收录（或现行状态未经确认），裁决为“无法判定”并指明该标准及原因（`gaps`），"
             "不会给出“不构成重大事故隐患”；已不再施行的标准不会作为现行标准引用，只作为参考（`reference`）。", "",
             "## 总表", ""]
    summary = [["标准", "施行期间", "当日状态", "收录状态", "适用行业"]]
    for entry in entries:
        start = entry.effective or entry.published
        ends = f"{last_day(entry)}" if entry.ends else "今"
        summary.append([f"[{document_name(entry)}](#{anchor('register-' + entry.id)})<br>{entry.kind}",
                        f"{start.isoformat() if start else '不详'}<br>至 {ends}", in_force_word(entry, on),
                        ENCODING_WORDS[entry.encoding], "、".join(entry.sector_names) or "—"])
    lines += list_table(summary, "register-table")
    lines += ["", "## 各行业当日适用的标准", "",
              "| 行业 | 当日施行的标准 | 收录状态 |", "| --- | --- | --- |"]
    for sector, spec in pack.sectors.items():
        mine = [e for e in entries if sector in e.sectors]
        if not mine:
            continue
        current = [e for e in mine if e.in_force] or [e for e in mine if not e.status_confirmed]
        if current:
            names = "；".join(document_name(e) + ("（现行状态未经确认）" if not e.status_confirmed else "") for e in current)
            states = "；".join(ENCODING_WORDS[e.encoding] for e in current)
        else:
            names, states = "（没有经确认施行的判定标准）", "—"
        lines.append(f"| {spec.name}（`{sector}`） | {cell(names)} | {states} |")
    lines += ["", "## 各标准", ""]
    for entry in entries:
        lines += [f"({anchor('register-' + entry.id)})=", f"### {document_name(entry)}", ""]
        rows = [("标准代号", f"`{entry.id}`"), ("文号", entry.document_number or "（不详）"),
                ("发布机关", entry.issuer or "（不详）"), ("类别", entry.kind),
                ("公布日期", entry.published.isoformat() if entry.published else "（不详）"),
                ("施行日期", entry.effective.isoformat() if entry.effective else "自公布之日起（或不详）"),
                ("施行至", last_day(entry) + (f"（{entry.ends_basis}）" if entry.ends_basis else "")),
                (f"{on.isoformat()} 的状态", in_force_word(entry, on))]
        for label, ids in (("前身", entry.predecessors), ("被取代为", [entry.successor] if entry.successor else [])):
            if ids:
                rows.append((label, "；".join(
                    f"[{cell(document_name(by_id[i]))}](#{anchor('register-' + i)})" if i in by_id else i for i in ids)))
        rows.append(("适用行业", "、".join(f"{n}（`{s}`）" for s, n in zip(entry.sectors, entry.sector_names, strict=True)) or "—"))
        rows.append(("官方发布", link(entry.official_publication) if entry.official_publication else "（发布页面尚未查到）"))
        encoded = ENCODING_WORDS[entry.encoding]
        if entry.id in pack.standards:
            encoded += f"：{{ref}}`判定规则 <std-{entry.id}>`"
        if entry.not_encoded_reason:
            encoded += f"（{entry.not_encoded_reason}）"
        rows.append(("收录状态", encoded))
        if entry.unencoded_provisions:
            rows.append(("未收录的条款", "、".join(f"`{p}`" for p in entry.unencoded_provisions)))
        if entry.notes:
            rows.append(("说明", entry.notes.strip()))
        lines += list_table([["项目", "内容"], *([key, value] for key, value in rows)], "meta-table")
    return "\n".join(lines) + "\n"


def list_table(rows: list[list[str]], css: str) -> list[str]:
    """A MyST list-table (header row first) with a CSS class, cells on one line each."""
    lines = ["```{list-table}", ":header-rows: 1", f":class: {css}", ""]
    for row in rows:
        lines.append(f"* - {cell(row[0])}")
        lines += [f"  - {cell(value)}" for value in row[1:]]
    return [*lines, "```", ""]


def coverage_page(pack: Pack, sources: Path) -> str:
    """Every document of the register: its provisions in the official text, what the pack encodes."""
    lines = ["# 编码覆盖情况", "",
             "标准清单（{doc}`register`）中的每部标准：官方文本中的条款（末级条款）、已编码的判定规则、被引用的非规则条款、",
             "尚未编码的条款，以及规则条文的核对状态。规则数与 `hazardrules rules list --standard <代号>` 一致。",
             "未收录的标准列出原因；其适用行业的裁决不会给出“不构成重大事故隐患”。", "",
             "| 标准 | 官方文本末级条款 | 判定规则 | 引用条款 | 未编码 | 条文已核实 | 条文未核实 | 收录状态 |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    partial: list[CompiledStandard] = []
    for entry in standards(pack=pack):
        slug = entry.id
        standard = pack.standards.get(slug)
        # The official text: its own file, or a companion inside another (a supplement in fm-2022.yaml).
        number = entry.document_number or (standard.meta.document_number if standard else None)
        source = load_source(sources, slug, number, names=standard.names if standard else None)
        leaves = [i.path for i in source.situations()] if source is not None else []
        state = f"[{ENCODING_WORDS[entry.encoding]}](register.md#{anchor('register-' + slug)})"
        if standard is not None:
            rules = {r.path for r in standard.rules}
            cited = {pid.split(":", 1)[1] for pid in standard.provisions}
            missing = len([p for p in leaves if p not in rules and p not in cited])
            verified = sum(1 for r in standard.rules if r.spec.text_status == "verified")
            name = f"{{ref}}`{entry.title} <std-{slug}>`"
            lines.append(f"| {name} | {len(leaves)} | {len(rules)} | {len(cited)} | {missing} | {verified} | "
                         f"{len(rules) - verified} | {state} |")
            if standard.unencoded:
                partial.append(standard)
        else:
            count = str(len(leaves)) if source is not None else "—（官方文本未收集）"
            reason = f"（{entry.not_encoded_reason}）" if entry.not_encoded_reason else ""
            lines.append(f"| {cell(document_name(entry))}（`{slug}`） | {count} | 0 | 0 | {len(leaves) or '—'} | 0 | 0 | "
                         f"{state}{cell(reason)} |")
    if partial:
        lines += ["", "## 部分编码的标准：未收录的条款", "",
                  "下列条款未收录于规则包。适用这些条款的行业，判定结果不会是“不构成重大事故隐患”（而是“无法判定”，并在 `gaps` 中列出这些条款）。", "",
                  "| 标准 | 条款 | 编号 | 适用行业 | 原因 |", "| --- | --- | --- | --- | --- |"]
        for standard in partial:
            for missing_item in standard.unencoded:
                sectors = missing_item.sectors if missing_item.sectors is not None else standard.meta.sectors
                names = "、".join(pack.sectors[s].name for s in sectors) or "（无）"
                lines.append(f"| {{ref}}`{standard.slug} <std-{standard.slug}>` | {cell(missing_item.label)} | "
                             f"`{standard.slug}:{missing_item.path}` | {cell(names)} | {cell(missing_item.reason)} |")
    return "\n".join(lines) + "\n"


def facts_page(pack: Pack, read_by: dict[str, list[str]]) -> str:
    lines = ["# 事实词汇表", "", "检查中可观察、可回答的事实。每个事实列出类型、单位、标签、检查问题，以及读取它的规则（反向索引）。", ""]
    lines += installation_kinds(pack)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in sorted(pack.facts):
        groups[name.split(".")[0]].append(name)
    for group, names in groups.items():
        lines += [f"## `{group}`", ""]
        for name in names:
            spec = pack.facts[name]
            lines += [f"({anchor(name)})=", f"### {spec.label}", "", f"- 事实名称：`{name}`",
                      f"- 检查问题：{spec.question}", f"- 类型与取值：{fact_kind(pack, name)}"]
            if spec.minimum is not None or spec.maximum is not None:
                low = "" if spec.minimum is None else f"不小于 {spec.minimum:g}"
                high = "" if spec.maximum is None else f"不大于 {spec.maximum:g}"
                lines.append("- 取值范围：" + "，".join(x for x in (low, high) if x) + (spec.unit or ""))
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


def installation_kinds(pack: Pack) -> list[str]:
    """The kinds of installation a finding may list, each with the facts it answers for itself."""
    if not pack.installation_kinds:
        return []
    lines = ["(installation-kinds)=", "## 装置（设施）类型", "",
             "标准逐个判定的装置（设施）。检查发现可以列出多个装置，每个装置有自己的编号、类型和事实，各自回答本装置的问题；"
             "某条规则只要对其中一个装置成立即构成重大事故隐患（裁决写明是哪一个），对每一个装置都不成立才排除。", "",
             "| 类型代号 | 名称 | 一个装置指 | 本装置的事实 |", "| --- | --- | --- | --- |"]
    for kind, spec in pack.installation_kinds.items():
        own = [name for name, fact in pack.facts.items() if fact.installation == kind]
        facts = "、".join(f"[`{name}`](#{anchor(name)})" for name in own) or "—"
        lines.append(f"| `{kind}` | {spec.name} | {cell((spec.examples or '—').strip())} | {facts} |")
    return [*lines, ""]


def codes_page() -> str:
    """Developer page: every stable code of warnings, notes, gaps, references and errors."""
    where = {"warnings": "`warnings`", "notes": "`notes`", "gaps": "`gaps`", "reference": "`reference`",
             "error": "`FindingError.problems[].code`"}
    lines = ["(codes)=", "# 警告、说明与错误的代码", "",
             "Every code a verdict's `warnings`, `notes`, `gaps` and `reference` or a `FindingError` carries,",
             "generated from `src/hazardrules/verdict/codes.py` (`hazardrules codes` prints the same table).",
             "Programs match on `code`; people read `message`, always Chinese. A published code keeps its meaning.",
             "", "| code | where | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{c.code}` | {where[c.where]} | {cell(c.meaning)} |" for c in codes()]
    return "\n".join(lines) + "\n"


# Worked examples the documentation shows: each bundled finding, classified by the library at build
# time (never typed by hand), as JSON and as `classify --format text` prints it.
DOC_EXAMPLES = ["fireworks-storehouses"]


def example_pages(pack: Pack) -> dict[str, str]:
    out = {}
    for name in DOC_EXAMPLES:
        verdict = hazardrules.classify(json.loads(example_finding(name)), pack=pack)
        out[f"{name}.verdict.json"] = verdict.model_dump_json(indent=2) + "\n"
        out[f"{name}.text"] = render_text(verdict, pack)
    return out


def sectors_page(pack: Pack) -> str:
    lines = ["# 行业", "", "行业决定适用哪些标准；调用方可以传行业代号、中文名称或 GB/T 4754-2017 行业代码。", "",
             "| 代号 | 名称 | 标准 | 行业代码 | 不包括 | 依据 |", "| --- | --- | --- | --- | --- | --- |"]
    for slug, spec in pack.sectors.items():
        standards = "、".join(f"{{ref}}`{s.slug} <std-{s.slug}>`" for s in pack.standards_for(slug)) or "—"
        lines.append(f"| `{slug}` | {spec.name} | {standards} | {'、'.join(spec.industry_codes) or '—'} | "
                     f"{'、'.join(spec.excludes) or '—'} | {cell(spec.basis or '—')} |")
    notes = [(slug, spec) for slug, spec in pack.sectors.items() if spec.notes]
    if notes:
        lines += ["", "## 说明", ""] + [f"- {spec.name}（`{slug}`）：{cell((spec.notes or '').strip())}" for slug, spec in notes]
    lines += industries_section(pack)
    return "\n".join(lines) + "\n"


STATUS_WORDS = {"verified": "已核实（分类标准原文）", "unverified": "未经核实（本规则包的解读）"}


def industries_section(pack: Pack) -> list[str]:
    """The industry codes and words of industries.yaml: what each 工贸 sector covers and on what basis."""
    data = pack.industries
    if data is None:
        return []
    names = industries(pack).names
    meta = data.classification
    lines = ["", "## 行业代码与行业用语", "", f"依据《{meta.title}》（{meta.document_number}）。{(meta.notes or '').strip()}", "",
             "调用方给出 GB/T 4754-2017 行业代码（门类至小类，如 `3392`、`C33`）或行业用语（如“家具制造”“铸造”）时，按下表确定行业；"
             "来自“未经核实”一行的，判定结果带有警告 `sector_unverified_mapping`，并在说明中附上依据。"
             "同一代码下的小类分属不同行业时（如 30、38），判定会要求给出更具体的代码。", "",
             "| 行业 | 行业代码 | 不包括 | 状态 | 依据 |", "| --- | --- | --- | --- | --- |"]
    for mapping in data.mappings:
        codes = "、".join(f"{c} {names.get(c, '')}" for c in mapping.include)
        excluded = "、".join(mapping.exclude) or ("（除外清单原文未见）" if not mapping.exclusions_seen else "—")
        note = f"（{mapping.notes.strip()}）" if mapping.notes else ""
        lines.append(f"| {pack.sectors[mapping.sector].name}（`{mapping.sector}`） | {cell(codes)} | {cell(excluded)} | "
                     f"{STATUS_WORDS[mapping.status]} | {cell(mapping.basis.strip() + note)} |")
    lines += ["", "### 其他标准管辖的行业代码", "",
              "下列代码的企业不属于工贸行业分类，而可能属于其他判定标准的适用范围（按企业的活动或许可确定，行业代码本身不能决定）："
              "给出这些代码时，错误信息会指出相应标准及其收录状态，请直接给出行业代号。", "",
              "| 行业代码 | 可能适用的行业 | 说明 |", "| --- | --- | --- |"]
    for pointer in data.elsewhere:
        codes = "、".join(f"{c} {names.get(c, '')}" for c in pointer.codes)
        sectors = "、".join(f"{pack.sectors[s].name}（`{s}`）" for s in pointer.sectors)
        lines.append(f"| {cell(codes)} | {sectors} | {cell((pointer.notes or '—').strip())} |")
    lines += ["", "### 行业用语", "", "GB/T 4754-2017 各类别的名称也可以直接使用（如“木质家具制造”）。", "",
              "| 用语 | 行业代码或需选择的行业 |", "| --- | --- |"]
    for word, entry in data.words.items():
        if entry.codes:
            meaning = "、".join(f"{c} {names.get(c, '')}" for c in entry.codes)
        else:
            meaning = "需选择：" + "、".join(pack.sectors[s].name for s in entry.sectors) + f"。{(entry.decides or '').strip()}"
        lines.append(f"| {word} | {cell(meaning)} |")
    return lines


def answer_boxes(question: Question) -> str:
    """The answer options an inspector ticks on paper, as the CLI's checklist prints them."""
    if question.type == "bool":
        options = ["是", "否"]
    elif question.type in ("number", "integer"):
        return f"＿＿＿＿＿＿{question.unit or ''}"
    else:
        options = list((question.values or {}).values())
    # Each box stays on one line with its option (CSS .answer-option), options wrap between them.
    boxes = " ".join(f'<span class="answer-option">☐ {option}</span>' for option in options)
    return boxes + ("（可多选）" if question.type == "set" else "")


def checklist_page(pack: Pack, sector: str, on: dt.date) -> str:
    spec = pack.sectors[sector]
    shorts = scope_facts(pack)
    base = checklist(sector, on=on, pack=pack)
    lines = [f"# 检查清单：{spec.name}", "", f"按 {on.isoformat()} 施行的标准生成，等同于 `hazardrules checklist --sector {sector}`。", ""]
    for standard in base.standards:
        lines.append(f"- 适用标准：《{standard.title}》（{standard.document_number}）")
    lines += ["", "```{list-table}", ":class: sheet-header", "", "* - 企业名称", "  - ", "* - 检查日期", "  - ",
              "* - 检查人员", "  - ", "```", ""]
    if base.gaps:
        lines += ["```{warning}", "以下内容未收录于规则包，本清单没有相应问题，须对照官方文本另行检查：", ""]
        lines += [f"- {gap.message}" for gap in base.gaps]
        lines += ["```", ""]
    lines += checklist_items(base.items)
    seen = {item.rule for item in base.items}
    for question in base.other_scopes:
        short = next(k for k, v in shorts.items() if v == question.fact)
        extra = [i for i in checklist(sector, with_=[short], on=on, pack=pack).items if i.rule not in seen]
        lines += [f"## 如果{question.label}（`--with {short}`）", "", f"先确认：{question.question}　{answer_boxes(question)}", ""]
        lines += checklist_items(extra)
    return "\n".join(lines) + "\n"


def checklist_items(items: list[Any]) -> list[str]:
    lines: list[str] = []
    for item in items:
        mark = "（条文未核实）" if item.text_status != "verified" else ""
        lines += [":::{container} checklist-item", f"### {item.citation.label}{mark}", "", f"> {item.text}", "",
                  f"规则：[`{item.rule}`](../{item.citation.standard}.md#{anchor(item.rule)})", "",
                  "```{list-table}", ":header-rows: 1", ":class: checklist", ":widths: 3 2", "",
                  "* - 检查问题", "  - 回答"]
        for question in item.questions:
            lines += [f"* - {question.question}", f"  - {answer_boxes(question)}"]
            for alternative in question.alternatives:
                lines += [f"* - 或者回答（由此推定上一问）：{alternative.question}", f"  - {answer_boxes(alternative)}"]
        lines += ["```", ":::", ""]
    return lines


def index_page(pack: Pack) -> str:
    lines = ["# 规则包", "", f"规则包 `{pack.name}` 版本 {pack.version}，摘要 `{pack.digest}`。", "",
             "裁决（verdict）中的规则编号 `gm-2023:3.1` 对应页面 `rules/gm-2023.html#gm-2023-3-1`：", "",
             "```{toctree}", ":maxdepth: 1", ""]
    lines += list(pack.standards)
    lines += AUDITOR_PAGES
    lines += ["```", "", "## 全部规则", "", "| 规则 | 条款 | 条文 |", "| --- | --- | --- |"]
    for rule in pack.compiled_rules():
        lines.append(f"| [`{rule.id}`]({rule.standard}.md#{anchor(rule.id)}) | {rule.spec.label} | {cell(rule.spec.text)} |")
    return "\n".join(lines) + "\n"


# The generated pages listed after the standards in rules/index; add a page here and to ``generate``.
AUDITOR_PAGES = ["register", "coverage", "facts", "sectors", "checklists/index"]


def dev_notes_page(pack: Pack) -> str:
    """Developer page: the English ``dev_note`` lines of the pack, which auditor pages never show."""
    lines = ["# 规则包开发备注", "",
             "English notes for people who maintain the rule pack (`dev_note` fields). Auditor pages",
             "show only the Chinese notes.", ""]
    found = False
    for name, fact in pack.facts.items():
        if fact.dev_note:
            lines.append(f"- fact `{name}`: {fact.dev_note.strip()}")
            found = True
    for slug, sector in pack.sectors.items():
        if sector.dev_note:
            lines.append(f"- sector `{slug}`: {sector.dev_note.strip()}")
            found = True
    for standard in pack.standards.values():
        if standard.meta.dev_note:
            lines.append(f"- standard `{standard.slug}`: {standard.meta.dev_note.strip()}")
            found = True
        for rule in standard.rules:
            for note in rule.spec.notes:
                if note.dev_note:
                    lines.append(f"- rule `{rule.id}`: {note.dev_note.strip()}")
                    found = True
        for derivation in standard.derivations:
            if derivation.spec.dev_note and derivation.scope == standard.slug:
                lines.append(f"- derivation `{derivation.spec.id}`: {derivation.spec.dev_note.strip()}")
                found = True
    if not found:
        lines.append("There are no developer notes in this pack.")
    return "\n".join(lines) + "\n"


CODE_GROUPS = {
    "warnings": ("Warnings (`verdict.warnings[].code`)", "The finding may not say what the caller meant, or the verdict has a limit to heed."),
    "notes": ("Notes (`verdict.notes[].code`)", "Context for reading the verdict."),
    "gaps": ("Gaps (`verdict.gaps[].code`)", "Law that governs the finding but was not applied: never a `not_major` with one."),
    "reference": ("References (`verdict.reference[].code`)", "Evaluations under superseded standards, never part of the verdict."),
    "error": ("Finding and record errors (`problems[].code`)", "Why a finding could not be classified: `FindingError.problems`, the error objects of a batch and of `POST /v1/classify/stream`, and the HTTP service's 400/422 bodies."),
    "request": ("HTTP request errors (`problems[].code`)", "Why the HTTP service refused a request, in the same body as a finding error."),
}


def codes_page() -> str:
    """The developer page of the stable codes, generated from ``verdict/codes.py``."""
    lines = [
        "# 稳定代码（codes）",
        "",
        "Programs match on `code`; people read `message` (Chinese). A code, once published, keeps its",
        "meaning. The same codes appear in Python (`Notice.code`, `FindingProblem.code`), on the command",
        "line (`hazardrules codes`, the error objects of `classify`) and over HTTP (`GET /v1/codes`, every",
        "error body), and the JSON Schemas list them as enums (`hazardrules schema`). A *reserved* code is",
        "published for a situation this version does not detect yet: it is never emitted.",
        "",
    ]
    for where, (title, intro) in CODE_GROUPS.items():
        lines += [f"## {title}", "", intro, "", "| code | meaning (中文) | |", "| --- | --- | --- |"]
        for code in codes(where):  # type: ignore[arg-type]
            lines.append(f"| `{code.code}` | {cell(code.meaning)} | {'reserved' if code.reserved else ''} |")
        lines.append("")
    return "\n".join(lines)


def generate(app: Sphinx) -> None:
    docs = Path(app.srcdir)
    sources = pack_sources_dir(shipped_rules_dir())
    if sources is None:
        raise ExtensionError("the rule pack has no sources/ folder: the official texts are needed for the rule pages")
    pack = hazardrules.load_pack()
    out = docs / OUT
    if out.exists():
        shutil.rmtree(out)
    (out / "checklists").mkdir(parents=True)
    read_by: dict[str, list[str]] = defaultdict(list)
    for rule in pack.compiled_rules():
        for name in dict.fromkeys([*(rule.applies.facts if rule.applies else ()), *rule.condition.facts]):
            read_by[name].append(rule.id)
    on = dt.date.today()
    pages = {"index.md": index_page(pack), "register.md": register_page(pack, on),
             "coverage.md": coverage_page(pack, sources), "facts.md": facts_page(pack, read_by),
             "sectors.md": sectors_page(pack)}
    for slug, standard in pack.standards.items():
        pages[f"{slug}.md"] = standard_page(pack, standard, sources)
    sectors = [s for s in pack.sectors if pack.standards_for(s)]
    pages["checklists/index.md"] = "\n".join(
        ["# 检查清单", "", "每个行业一页，可直接打印（A4）作为现场检查记录。", "", "```{toctree}", ":maxdepth: 1", "", *sectors, "```", ""])
    for sector in sectors:
        pages[f"checklists/{sector}.md"] = checklist_page(pack, sector, on)
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
    generated = docs / "_generated"
    generated.mkdir(exist_ok=True)
    (generated / "dev-notes.md").write_text(dev_notes_page(pack), encoding="utf-8")
    (generated / "codes.md").write_text(codes_page(), encoding="utf-8")
    for name, text in example_pages(pack).items():
        (generated / name).write_text(text, encoding="utf-8")
    schemas = docs / "_schemas"
    schemas.mkdir(exist_ok=True)
    (schemas / "finding.json").write_text(json.dumps(hazardrules.Finding.model_json_schema(), ensure_ascii=False, indent=2), encoding="utf-8")
    (schemas / "verdict.json").write_text(json.dumps(hazardrules.Verdict.model_json_schema(), ensure_ascii=False, indent=2), encoding="utf-8")


def write_schemas(app: Sphinx, config: Any) -> None:
    """``_schemas/schemas/*.json``: the JSON Schemas and the OpenAPI document, published with the
    site (``html_extra_path``, so written before Sphinx checks that the folder exists)."""
    schemas = Path(app.confdir) / "_schemas"
    if schemas.exists():
        shutil.rmtree(schemas)
    for name, document in documents(hazardrules.load_pack()).items():
        path = schemas / "schemas" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", write_schemas)
    app.connect("builder-inited", generate)
    return {"version": "2", "parallel_read_safe": True}
