"""Every write the metrics app makes, as plain functions named `<thing>_<verb>` (see STYLE.md).

- recompute: computing a year's indicators from approved submissions; asking for a recompute
- publishing: disclosure-checked releases, previews and the corrections log
- history: importing figures published before raw responses were kept
"""

from .history import HistoryImportError, ImportReport, published_figures_import
from .publishing import (
    PreviewRow,
    PublishCheck,
    PublishError,
    ReleaseReview,
    correction_public_note_check,
    release_check,
    release_interim_needed,
    release_preview,
    release_publish,
    release_review,
    release_warnings,
)
from .recompute import (
    RecomputeReport,
    ValueChange,
    indicators_recompute,
    indicators_recompute_request,
    recompute_pending_clear,
    years_due,
)

__all__ = [
    "HistoryImportError",
    "ImportReport",
    "PreviewRow",
    "PublishCheck",
    "PublishError",
    "RecomputeReport",
    "ReleaseReview",
    "ValueChange",
    "indicators_recompute",
    "indicators_recompute_request",
    "correction_public_note_check",
    "published_figures_import",
    "recompute_pending_clear",
    "release_check",
    "release_interim_needed",
    "release_preview",
    "release_publish",
    "release_review",
    "release_warnings",
    "years_due",
]
