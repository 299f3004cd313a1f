"""OpenDTI's scoring engine: frameworks, values and rules in; scores, bands, ranks and averages out.

Pure Python (standard library only, Decimal arithmetic). It never imports Django or our apps.
"""

from .engine import score_period
from .incremental import apply_edit
from .model import ENGINE_VERSION, TOTAL
from .rules import REGISTRY, RuleError, build_rule
from .tree import FrameworkError

__all__ = [
    "ENGINE_VERSION",
    "REGISTRY",
    "TOTAL",
    "FrameworkError",
    "RuleError",
    "apply_edit",
    "build_rule",
    "score_period",
]
