"""``classify --fail-on major|undetermined``: exit codes a gating script can check.

Without ``--fail-on`` the verdicts never change the exit code. With it, the batch exits with
:data:`FOUND_MAJOR` (5) when any verdict is ``major``, and with ``--fail-on undetermined`` also with
:data:`FOUND_UNDETERMINED` (6) when none is major but some is ``undetermined``. An interrupted or
crashed batch (4) takes precedence, since its output is incomplete; the gate takes precedence over
records that could not be classified (1), which are reported on standard error either way.
"""

from __future__ import annotations

from collections import Counter

FAIL_ON = ("major", "undetermined")
FOUND_MAJOR = 5  # some verdict is major (--fail-on major or undetermined)
FOUND_UNDETERMINED = 6  # no verdict is major, some is undetermined (--fail-on undetermined)


def gate(statuses: Counter[str], fail_on: str | None) -> tuple[int, str] | None:
    """The exit code and a line for standard error, or None when the gate lets the batch pass."""
    if fail_on is None:
        return None
    if fail_on not in FAIL_ON:
        raise ValueError(f"--fail-on takes {' or '.join(FAIL_ON)}, not {fail_on!r}")
    if statuses["major"]:
        return FOUND_MAJOR, f"{statuses['major']} major verdict(s) (--fail-on {fail_on})"
    if fail_on == "undetermined" and statuses["undetermined"]:
        return (
            FOUND_UNDETERMINED,
            f"{statuses['undetermined']} undetermined verdict(s) (--fail-on undetermined)",
        )
    return None
