"""Disclosure control: what the public may see, so that no figure points at one member.

- rules: the k rule (small member counts are withheld), the one public label "withheld", public notes
- audit: the interval audit over every release of the year, and the further figures it withholds
See docs/disclosure.md for the threat model.
"""

from .audit import (
    AuditError,
    AuditResult,
    Layout,
    QuestionShape,
    ReleaseFigures,
    differencing_groups,
    isolated_groups,
    primary,
    protect,
)
from .rules import WITHHELD, is_small, min_published_count, public_note_problems, public_value

__all__ = [
    "WITHHELD",
    "AuditError",
    "AuditResult",
    "Layout",
    "QuestionShape",
    "ReleaseFigures",
    "differencing_groups",
    "isolated_groups",
    "is_small",
    "min_published_count",
    "primary",
    "protect",
    "public_note_problems",
    "public_value",
]
