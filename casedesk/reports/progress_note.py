"""Progress note PDF: contact facts, template sections, goals addressed, signing, addenda, signatures."""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import KeepTogether, Paragraph, Spacer
from reportlab.platypus.flowables import Flowable

from casedesk.reports import styles
from casedesk.reports.blocks import fact_grid, heading, status_line
from casedesk.reports.documents import PageSize, ProgressNoteDoc, SignatureBlock
from casedesk.reports.page import DocumentPart, Letterhead, PdfTarget, build_pdf, frame_width
from casedesk.reports.signatures import signature_section
from casedesk.reports.table import Column, StripedTable
from casedesk.reports.text import (
    fmt_date,
    fmt_datetime,
    fmt_minutes,
    fmt_time,
    fmt_units,
    markup,
    para,
    paragraphs,
    plain,
)


def _contact_time(doc: ProgressNoteDoc) -> str:
    """'09:30–10:45 (1 h 15 min)', '09:30', or '45 min' when only the duration is known."""
    minutes = doc.duration_minutes
    if doc.start_time is None:
        return fmt_minutes(minutes) if minutes is not None else "—"
    text = fmt_time(doc.start_time)
    end = doc.end_time
    if end is not None and minutes is not None:
        text += f"–{fmt_time(end)} ({fmt_minutes(minutes)})"
    return text


def _signature_blocks(doc: ProgressNoteDoc) -> tuple[SignatureBlock, ...]:
    if doc.signatures:
        return doc.signatures
    if doc.signed is not None:
        return (
            SignatureBlock(
                role=doc.signed.signer_role or "Case manager",
                name=doc.signed.signer_name,
                signed_at=doc.signed.signed_at,
            ),
        )
    return (SignatureBlock(role="Case manager", name=doc.worker_name),)


def progress_note_part(doc: ProgressNoteDoc, width: float) -> DocumentPart:
    st = styles.report_styles()
    story: list[Flowable] = [
        Paragraph(f"Progress note <font size=11>({markup(doc.template.label)})</font>", st.title),
        status_line(doc.signed, draft_text="This note is not signed and may still change."),
        fact_grid(
            [
                ("Contact date", fmt_date(doc.contact_date)),
                ("Time", _contact_time(doc)),
                ("Contact type", doc.contact_type),
                ("Location", doc.location or "—"),
                ("Case manager", doc.worker_name),
                ("Service code", doc.service_code or "—"),
                ("Billable units", fmt_units(doc.billable_units) if doc.billable_units is not None else "—"),
            ],
            width,
        ),
    ]
    for section in doc.sections:
        story += heading(section.title, st.h1)
        story += paragraphs(section.text, st.body, empty="(left blank)", empty_color=styles.MUTED)

    story += heading("Goals addressed", st.h1)
    if doc.goals:
        columns = (
            Column("Goal", width * 0.46),
            Column("Progress", width * 0.16),
            Column("Comment", width * 0.38),
        )
        story.append(StripedTable(columns, [(g.goal, g.rating, g.comment or "") for g in doc.goals]))
    else:
        story.append(plain("No plan goals were marked as addressed.", st.body, color=styles.MUTED))

    if doc.signed is not None:
        stamp = doc.signed
        role = f" ({stamp.signer_role})" if stamp.signer_role else ""
        story.append(
            KeepTogether(
                [
                    plain("Electronic signature", st.h1),
                    fact_grid(
                        [
                            ("Signed by", stamp.signer_name + role),
                            ("Signed at", fmt_datetime(stamp.signed_at)),
                        ],
                        width,
                    ),
                    plain(f"Content hash (SHA-256): {stamp.content_hash}", st.mono_small),
                ]
            )
        )

    if doc.addenda:
        story += heading("Addenda", st.h1)
        for number, addendum in enumerate(doc.addenda, start=1):
            story.append(para(f"Addendum {number}: {addendum.author}, {fmt_datetime(addendum.written_at)}", st.h2))
            story += paragraphs(addendum.text, st.body, empty="(empty)", empty_color=styles.MUTED)
            if addendum.content_hash:
                story.append(plain(f"Content hash (SHA-256): {addendum.content_hash}", st.mono_small))
    story.append(Spacer(1, 6))
    story += signature_section(_signature_blocks(doc), width)

    letterhead = Letterhead(
        agency=doc.agency,
        title=f"Progress note, {fmt_date(doc.contact_date)}",
        client=doc.client,
        draft=doc.signed is None,
        content_hash=doc.signed.content_hash if doc.signed else None,
        outline_title=f"{doc.client.name}: progress note {fmt_date(doc.contact_date)}",
    )
    return DocumentPart(letterhead, story)


def render_progress_note(
    doc: ProgressNoteDoc,
    out: PdfTarget,
    *,
    page_size: PageSize | str = PageSize.LETTER,
    printed_at: datetime | None = None,
) -> None:
    """Write ``doc`` as a PDF to ``out`` (a path, written atomically, or a binary file object)."""
    part = progress_note_part(doc, frame_width(page_size))
    build_pdf(
        [part],
        page_size=page_size,
        printed_at=printed_at,
        meta_title=f"Progress note {fmt_date(doc.contact_date)}: {doc.client.name}",
        out=out,
    )
