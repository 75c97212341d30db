"""PDF documents: progress notes, quarterly reports (single and batch), forms, caseload due lists.

Qt-free and database-free: callers build the frozen values in casedesk.reports.documents (forms use
casedesk.domain.print_layout.FormPrintLayout) and call a ``render_*`` function with an output path
(written atomically, owner-only) or a binary file object, and ``page_size="letter"`` or ``"a4"``.
Bad input raises casedesk.reports.errors.ReportError (a ValidationError) naming what is wrong.
"""

from casedesk.reports.caseload import render_due_list
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
from casedesk.reports.form import render_form
from casedesk.reports.progress_note import render_progress_note
from casedesk.reports.quarterly import render_quarterly_batch, render_quarterly_report

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
