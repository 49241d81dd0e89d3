"""hazardrules: China's major-accident-hazard determination standards as cited, declarative rules.

>>> import hazardrules
>>> verdict = hazardrules.classify({"sector": "metallurgy",
...     "facts": {"special_worker.uncertified_on_duty": True}})
>>> verdict.status, verdict.hits[0].citation.label
('major', '第三条第（二）项')
"""

from ._checklist import Checklist, ChecklistItem, Question, checklist
from ._classify import classify
from ._format import Example, FactSpec, Note, RuleSpec, SectorSpec, StandardMeta
from ._lint import lint
from ._pack import Pack
from ._resources import load_pack
from ._suggest import Suggestion, Suggestions, suggest
from ._version import __version__
from .errors import FindingError, FindingProblem, HazardRulesError, PackError, Problem, RuleNotFound
from .models import (
    Citation,
    CitedProvision,
    Deferred,
    Derived,
    Finding,
    Hit,
    PackInfo,
    StandardInForce,
    Trace,
    TraceNode,
    Undecided,
    Verdict,
)

__all__ = [
    "Checklist",
    "ChecklistItem",
    "Citation",
    "CitedProvision",
    "Deferred",
    "Derived",
    "Example",
    "FactSpec",
    "Finding",
    "FindingError",
    "FindingProblem",
    "HazardRulesError",
    "Hit",
    "Note",
    "Pack",
    "PackError",
    "PackInfo",
    "Problem",
    "Question",
    "RuleNotFound",
    "RuleSpec",
    "SectorSpec",
    "StandardInForce",
    "StandardMeta",
    "Suggestion",
    "Suggestions",
    "Trace",
    "TraceNode",
    "Undecided",
    "Verdict",
    "__version__",
    "checklist",
    "classify",
    "lint",
    "load_pack",
    "suggest",
]
