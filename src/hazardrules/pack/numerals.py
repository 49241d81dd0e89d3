"""Chinese numerals in provision labels: 第十一条 → 11, （二十）→ 20, 一（九）1. → 1, 9, 1; the lettered
items of a national standard: 4.2 a) → 4, 2, a."""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100}
_RUN = re.compile(r"[零〇一二两三四五六七八九十百]+|\d+")
# A path segment: a number (Chinese or Arabic) or the letter of a lettered item ("a)" / "a）").
_SEGMENT = re.compile(r"[零〇一二两三四五六七八九十百]+|\d+|(?<![A-Za-z])[a-z](?=[)）])")


def chinese_to_int(text: str) -> int:
    """Value of a Chinese numeral up to 999 (一百二十三, 十一, 二十, 一〇五)."""
    total, digit = 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (digit or 1) * _UNITS[char]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + digit


def label_numbers(label: str) -> list[int]:
    """The numbers in a label, in order: 第三条第（一）项 → [3, 1]."""
    return [int(run) if run.isdigit() else chinese_to_int(run) for run in _RUN.findall(label)]


def label_path(label: str) -> str:
    """The path a label reads as: 第三条第（一）项 → "3.1", 4.2 a) → "4.2.a" ("" if none)."""
    segments = []
    for run in _SEGMENT.findall(label):
        if run.isdigit():
            segments.append(str(int(run)))
        elif run.isascii():
            segments.append(run)
        else:
            segments.append(str(chinese_to_int(run)))
    return ".".join(segments)


def int_to_chinese(number: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五."""
    if not 0 < number < 1000:
        raise ValueError(f"out of range: {number}")
    names = "零一二三四五六七八九"
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += names[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else names[tens]) + "十"
    if ones:
        out += names[ones]
    return out
