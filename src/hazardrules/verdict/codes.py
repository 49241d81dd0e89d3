"""The stable codes of everything a verdict says besides its hits: warnings, notes, gaps, references,
and of every problem that stops a finding (``FindingError``), a record of a batch or an HTTP request.

Programs match on ``code``; people read ``message`` (Chinese). A code, once published, keeps its
meaning; ``hazardrules codes`` lists them and the documentation has a page generated from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Where = Literal["warnings", "notes", "gaps", "reference", "error", "request"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    where: Where
    meaning: str  # Chinese, for the documentation
    reserved: bool = False  # published for a situation this version does not detect yet: never emitted


_ALL = [
    # warnings: the finding may not say what the caller meant, or the verdict has a limit to heed
    Code(
        "fact_not_read",
        "warnings",
        "给出的事实不被该行业当日适用的任何条款读取，对判定没有作用（请检查行业或事实名称）。",
    ),
    Code(
        "value_not_read", "warnings", "多选事实中的某个选项不被该行业当日适用的任何条款读取，对判定没有作用。"
    ),
    Code("text_unverified", "warnings", "命中条款的条文尚未与官方文本核对（text_status 为 unverified）。"),
    Code(
        "nothing_examined",
        "warnings",
        "给出的事实未能判定任何一条适用条款，因此不能给出“不构成重大事故隐患”。",
    ),
    Code(
        "date_in_future", "warnings", "判定日期晚于今天：所用标准是目前已知将于该日施行的，届时可能已修订。"
    ),
    Code(
        "sector_unverified_mapping",
        "warnings",
        "行业由行业代码或行业用语经本规则包的解读得出，该对应关系未经官方分类文件核实。",
    ),
    Code("reading_applied", "warnings", "判定使用了第三方解读（非官方），调用方可以关闭。"),
    # notes: context for reading the verdict
    Code("deferred_applied", "notes", "工贸 第二条等转致条款所指事项已按其专门标准判定。"),
    Code("deferred_not_applicable", "notes", "转致事项的专门标准不适用于该企业，只按本标准判定。"),
    Code(
        "deferred_undetermined",
        "notes",
        "转致事项尚未判定：是否适用专门标准取决于尚未给出的事实，或已适用专门标准但给出的事实未涉及其任何条款。",
    ),
    Code(
        "deferred_unavailable",
        "notes",
        "转致事项的专门标准未收录于规则包（或当日不在施行），或企业不属于已收录专门标准的适用范围，需按其规定另行判定。",
    ),
    Code(
        "sector_from_industry",
        "notes",
        "行业由 GB/T 4754-2017 行业代码或行业用语确定，附其依据（工贸行业分类标准的条目或本规则包的解读）。",
    ),
    Code("catch_all_not_assessed", "notes", "兜底条款（“其他……”）需要监管部门认定，本次未作评估。"),
    Code(
        "outside_scope",
        "notes",
        "“不构成”的结论只因检查对象不在所判定条款的适用范围内（如渔船核定载员不足10人）。",
    ),
    # gaps: law that governs the finding but was not applied; never a not_major with one
    Code("standard_not_encoded", "gaps", "当日施行、适用于该行业的判定标准未收录于规则包。"),
    Code("standard_status_unknown", "gaps", "可能适用于该行业的判定标准现行状态未经确认，且未收录。"),
    Code("no_standard_in_force", "gaps", "该行业当日没有经确认施行的判定标准（原标准已不再施行）。"),
    Code("provisions_missing", "gaps", "适用标准中有条款未收录（官方文本未能获取等），不能给出“不构成”。"),
    # references: evaluations under superseded standards, never part of the verdict
    Code("superseded_reference", "reference", "按已不再施行的标准所作的判定，仅供参考，不是本次判定的依据。"),
    # finding errors (FindingError.problems[].code)
    Code("no_facts", "error", "检查发现没有给出任何事实（全面检查请用 complete=True）。"),
    Code("unknown_fact", "error", "未知的事实名称。"),
    Code("wrong_type", "error", "事实的取值类型或选项不对。"),
    Code(
        "unknown_sector",
        "error",
        "未知的行业，或该行业代码不属于规则包的任何行业（错误信息说明原因及管辖该类企业的判定标准）。",
    ),
    Code(
        "ambiguous_sector",
        "error",
        "行业（别名、行业代码或行业用语）对应多个行业，或该代码下的行业分属不同行业：请指明，错误信息说明由什么决定。",
    ),
    Code("no_standard", "error", "该行业在该日期没有已知的判定标准。"),
    Code("conflict", "error", "推导（解释）与给出的事实矛盾。"),
    Code("invalid", "error", "检查发现的格式不对。"),
    Code("unknown_installation_kind", "error", "未知的装置（设施）类型。"),
    Code("misplaced_fact", "error", "事实放错了位置（企业事实放在装置上，或装置事实放在企业上）。"),
    Code("duplicate_installation", "error", "装置编号重复。"),
    Code("out_of_range", "error", "数值超出该事实声明的取值范围（如人数、距离为负），或整数超出 ±(2⁵³−1)。"),
    Code("invalid_date", "error", "日期不是 YYYY-MM-DD 格式的真实日期（也不接受秒数、带时间的文本）。"),
    Code("invalid_text", "error", "文本中含有孤立的代理码点（U+D800–U+DFFF），不是有效文本。"),
    Code("too_many_problems", "error", "问题过多，只列出前 20 个，其余计数。"),
    # record errors of `hazardrules classify` (the input could not be read as a finding)
    Code("malformed_json", "error", "该记录不是有效的 JSON（或 JSON 数组的结构在此处损坏）。"),
    Code(
        "not_utf8", "error", "该记录含有不属于输入编码的字节（GBK/GB18030 文件请用 `--encoding gb18030`）。"
    ),
    Code("not_json", "error", "该记录使用了 JSON 没有的值（NaN、Infinity）。"),
    Code("duplicate_key", "error", "同一对象中键重复（如两个 facts 或同一事实两次），不按“后者为准”处理。"),
    Code("lone_surrogate", "error", "该记录含有孤立的代理码点转义（U+D800–U+DFFF），不是有效文本。"),
    Code("number_too_large", "error", "整数超过 30 位。"),
    Code("too_deep", "error", "嵌套超过 32 层。"),
    Code("too_long", "error", "记录超过 1,048,576 个字符，已跳过。"),
    Code("internal_error", "error", "处理该记录时遇到程序错误（请报告）；其他记录照常判定，退出码为 4。"),
    # request errors of the HTTP service (`hazardrules serve`), beside the finding errors above
    Code("payload_too_large", "request", "请求体超过服务的大小上限（HTTP 413）。"),
    Code("request_timeout", "request", "请求体未在时限内送达（HTTP 408）。"),
    Code("timeout", "request", "判定未在服务的时限内完成（HTTP 503），可稍后重试。"),
    Code("not_found", "request", "没有这个地址或这条规则（HTTP 404）。"),
    Code("method_not_allowed", "request", "该地址不接受这种请求方法（HTTP 405）。"),
    Code(
        "unsupported_media_type",
        "request",
        "请求体的类型不对：判定用 application/json，批量用 application/x-ndjson（HTTP 415）。",
    ),
    Code(
        "invalid_argument",
        "request",
        "请求参数不对（如日期格式、select 没有匹配的规则、k 不是正整数）（HTTP 400）。",
    ),
    Code(
        "unavailable",
        "request",
        "该功能需要未安装的可选依赖（如 suggest 需要 hazardrules[suggest]）（HTTP 501）。",
    ),
]
CODES: dict[str, Code] = {c.code: c for c in _ALL}


def codes(where: Where | None = None) -> list[Code]:
    """Every code (optionally of one kind), in a stable order."""
    return [c for c in _ALL if where is None or c.where == where]
