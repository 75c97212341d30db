"""PDF documents: progress notes, quarterly reports (single and batch), forms, caseload due lists.

Qt-free and database-free: callers build the frozen values in casedesk.reports.documents (forms use
casedesk.domain.print_layout.FormPrintLayout) and call a ``render_*`` function with an output path
(written atomically, owner-only) or a binary file object, and ``page_size="letter"`` or ``"a4"``.
Bad input raises casedesk.reports.errors.ReportError (a ValidationError) naming what is wrong.

The ``render_*`` functions load reportlab (a fifth of a second) when first used, not when the package is
imported: the main window imports the document values on its way to the first paint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from casedesk.reports.documents import (
    Addendum,
    AgencyInfo,
    ClientInfo,
    ContactCount,
    DueItem,
    DueListDoc,
    DueStatus,
    GoalEvidence,
    GoalOutcome,
    GoalProgress,
    NoteSection,
    NoteTemplate,
    PageSize,
    ProgressNoteDoc,
    QuarterGoal,
    QuarterlyReportDoc,
    ServiceUnits,
    SignatureBlock,
    SignedStamp,
    note_sections,
)
from casedesk.reports.errors import ReportError

if TYPE_CHECKING:
    from casedesk.reports.caseload import render_due_list
    from casedesk.reports.form import render_form
    from casedesk.reports.progress_note import render_progress_note
    from casedesk.reports.quarterly import render_quarterly_batch, render_quarterly_report

_RENDERERS = {
    "render_due_list": "casedesk.reports.caseload",
    "render_form": "casedesk.reports.form",
    "render_progress_note": "casedesk.reports.progress_note",
    "render_quarterly_batch": "casedesk.reports.quarterly",
    "render_quarterly_report": "casedesk.reports.quarterly",
}


def __getattr__(name: str) -> Any:
    module = _RENDERERS.get(name)
    if module is None:
        raise AttributeError(f"module 'casedesk.reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

__all__ = [
    "Addendum",
    "AgencyInfo",
    "ClientInfo",
    "ContactCount",
    "DueItem",
    "DueListDoc",
    "DueStatus",
    "GoalEvidence",
    "GoalOutcome",
    "GoalProgress",
    "NoteSection",
    "NoteTemplate",
    "PageSize",
    "ProgressNoteDoc",
    "QuarterGoal",
    "QuarterlyReportDoc",
    "ReportError",
    "ServiceUnits",
    "SignatureBlock",
    "SignedStamp",
    "note_sections",
    "render_due_list",
    "render_form",
    "render_progress_note",
    "render_quarterly_batch",
    "render_quarterly_report",
]
