"""hazardrules: China's major-accident-hazard determination standards as cited, declarative rules.

>>> import hazardrules
>>> verdict = hazardrules.classify({"sector": "metallurgy",
...     "facts": {"special_worker.uncertified_on_duty": True}})
>>> verdict.status, verdict.hits[0].citation.label
('major', '第三条第（二）项')
"""

from ._version import __version__
from .errors import (
    ArgumentError,
    FindingError,
    FindingProblem,
    HazardRulesError,
    PackError,
    Problem,
    RuleNotFound,
)
from .interfaces.checklist import Checklist, ChecklistItem, checklist
from .interfaces.lint import lint
from .interfaces.register import StandardStatus, standards
from .interfaces.suggest import Suggestion, Suggestions, suggest
from .interfaces.vocabulary import FactInfo, InstallationKindInfo, facts, installation_kinds
from .models import (
    Citation,
    CitedProvision,
    Cleared,
    Deferred,
    Derived,
    DocumentRef,
    Finding,
    Gap,
    Hit,
    Installation,
    InstallationRef,
    Notice,
    PackInfo,
    Question,
    ReadingUsed,
    Reference,
    ReferenceHit,
    StandardInForce,
    Summary,
    Trace,
    TraceNode,
    Undecided,
    Verdict,
)
from .pack.format import Example, FactSpec, Note, RuleSpec, SectorSpec, StandardMeta
from .pack.model import Pack
from .pack.resources import load_pack
from .verdict.classify import classify
from .verdict.tables import classify_table, findings_table

__all__ = [
    "ArgumentError",
    "Checklist",
    "ChecklistItem",
    "Citation",
    "CitedProvision",
    "Cleared",
    "Deferred",
    "Derived",
    "DocumentRef",
    "Example",
    "FactInfo",
    "FactSpec",
    "Finding",
    "FindingError",
    "FindingProblem",
    "Gap",
    "HazardRulesError",
    "Hit",
    "Installation",
    "InstallationKindInfo",
    "InstallationRef",
    "Note",
    "Notice",
    "Pack",
    "PackError",
    "PackInfo",
    "Problem",
    "Question",
    "ReadingUsed",
    "Reference",
    "ReferenceHit",
    "RuleNotFound",
    "RuleSpec",
    "SectorSpec",
    "StandardInForce",
    "StandardMeta",
    "StandardStatus",
    "Suggestion",
    "Suggestions",
    "Summary",
    "Trace",
    "TraceNode",
    "Undecided",
    "Verdict",
    "__version__",
    "checklist",
    "classify",
    "classify_table",
    "facts",
    "findings_table",
    "installation_kinds",
    "lint",
    "load_pack",
    "standards",
    "suggest",
]
