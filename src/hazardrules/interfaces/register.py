"""The register of the law as a caller sees it: ``hazardrules.standards()`` and
``hazardrules standards [--on DATE]`` — every document the pack knows, encoded or not, with its
dates, successor and encoding status."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from ..pack.model import Pack
from ..pack.resources import default_pack
from ..verdict.law import in_force

ENCODING_WORDS = {"encoded": "已编码", "partial": "部分编码", "not_encoded": "未编码"}


class StandardStatus(BaseModel):
    """One document of the register, with what the pack does with it."""

    id: str
    title: str
    document_number: str | None
    issuer: str | None
    kind: str
    published: dt.date | None
    effective: dt.date | None
    ends: dt.date | None
    ends_basis: str | None
    predecessors: list[str]
    successor: str | None
    status_confirmed: bool
    official_publication: str | None
    sectors: list[str]
    sector_names: list[str]
    text: Literal["full", "partial", "none"]
    encoding: Literal["encoded", "partial", "not_encoded"]
    not_encoded_reason: str | None = Field(description="Why it is not (fully) encoded")
    unencoded_provisions: list[str] = Field(default_factory=list)
    in_force: bool | None = Field(description="Whether it is in force on the day asked (null: no day asked)")
    notes: str | None


def standards(
    on: dt.date | None = None, *, sector: str | None = None, pack: Pack | None = None
) -> list[StandardStatus]:
    """Every document of the pack's register (optionally those of one sector), in register order.

    With ``on``, each says whether it is in force that day.
    """
    pack = pack or default_pack()
    out = []
    for document in pack.register.values():
        if sector is not None and sector not in document.sectors:
            continue
        standard = pack.standards.get(document.id)
        encoding = pack.encoding(document.id)
        missing = [f"{document.id}:{p.path}" for p in standard.unencoded] if standard else []
        out.append(
            StandardStatus(
                id=document.id,
                title=document.title,
                document_number=document.document_number,
                issuer=document.issuer,
                kind=document.kind,
                published=document.published,
                effective=document.effective,
                ends=document.ends,
                ends_basis=document.ends_basis,
                predecessors=list(document.predecessors),
                successor=document.successor,
                status_confirmed=document.status_confirmed,
                official_publication=document.official_publication,
                sectors=list(document.sectors),
                sector_names=[pack.sectors[s].name for s in document.sectors],
                text=document.text,
                encoding=encoding,  # type: ignore[arg-type]
                not_encoded_reason=None if encoding == "encoded" else document.not_encoded_reason,
                unencoded_provisions=missing,
                in_force=None if on is None else (in_force(document, on) and document.status_confirmed),
                notes=document.notes,
            )
        )
    return out


def render_text(entries: list[StandardStatus], on: dt.date | None) -> str:
    """The register as Chinese text for a terminal."""
    lines = ["标准清单与收录状态" + (f"（{on.isoformat()}）" if on else "")]
    for entry in entries:
        state = "" if entry.status_confirmed else "现行状态未经确认"
        if on is not None and entry.status_confirmed:
            state = "施行中" if entry.in_force else "不在施行"
        last = (entry.ends - dt.timedelta(days=1)).isoformat() if entry.ends else "今"
        period = f"施行期 {entry.effective or entry.published or '未知'} 至 {last}"
        number = f"（{entry.document_number}）" if entry.document_number else ""
        words = [entry.kind, period, *([state] if state else []), ENCODING_WORDS[entry.encoding]]
        lines.append("")
        lines.append(f"《{entry.title}》{number}  [{entry.id}]")
        lines.append("  " + "；".join(words))
        lines.append(f"  行业：{'、'.join(entry.sector_names)}")
        if entry.successor:
            basis = f"：{entry.ends_basis}" if entry.ends_basis else ""
            lines.append(f"  由 {entry.successor} 取代{basis}")
        if entry.not_encoded_reason:
            lines.append(f"  未（完全）编码的原因：{entry.not_encoded_reason}")
        if entry.official_publication:
            lines.append(f"  官方发布：{entry.official_publication}")
    return "\n".join(lines)
