"""Where the printing service reads forms and deadlines until their own services hold them.

Form definitions come from the profile's FormTemplate rows (falling back to the built-in templates), and
a form's view of the client mirrors what filling shows. Deadline facts for the due list are loaded for
the whole caseload with one query per table and handed to the pure rules in casedesk.domain.deadlines.
When casedesk.services.forms and casedesk.services.deadlines exist, printing should ask them instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import (
    Appointment,
    Client,
    FormTemplate,
    Goal,
    ProgressNote,
    QuarterlyReport,
    ServicePlan,
)
from casedesk.domain.deadline_facts import (
    AppointmentFacts,
    AppointmentKind,
    AppointmentStatus,
    ClientFacts,
    ClientStatus,
    DeadlineSettings,
    GoalFacts,
    GoalStatus,
    NoteFacts,
    NoteStatus,
    PlanFacts,
    PlanStatus,
    ReportFacts,
    ReportStatus,
)
from casedesk.errors import NotFoundError, ValidationError
from casedesk.forms import FillContext, FormDefinition, GoalOption
from casedesk.forms.templates import BUILTIN_TEMPLATE_FILES, builtin_template
from casedesk.services import quarterly as quarterly_service
from casedesk.services import settings

# ---------------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------------


def _template_rows(session: Session, key: str) -> list[FormTemplate]:
    return list(
        session.execute(
            select(FormTemplate)
            .where(FormTemplate.key == key, FormTemplate.deleted_at.is_(None))
            .order_by(FormTemplate.form_version)
        ).scalars()
    )


def _builtin(key: str) -> FormDefinition | None:
    try:
        return builtin_template(key)
    except KeyError:
        return None


def form_definition(session: Session, key: str, version: int | None) -> FormDefinition:
    """A form version from the profile, else from the built-in templates; None version: the newest
    published version (the newest draft when none is published)."""
    rows = _template_rows(session, key)
    if version is not None:
        row = next((r for r in rows if r.form_version == version), None)
        if row is not None:
            return FormDefinition.from_dict(row.definition)
        builtin = _builtin(key)
        if builtin is not None and builtin.version == version:
            return builtin
        raise NotFoundError(f"Form '{key}' has no version {version}.")
    published = [r for r in rows if r.published]
    if published or rows:
        return FormDefinition.from_dict((published or rows)[-1].definition)
    builtin = _builtin(key)
    if builtin is None:
        raise NotFoundError(f"No form '{key}'. Forms available: {', '.join(available_form_keys(session))}.")
    return builtin


def available_form_keys(session: Session) -> list[str]:
    stored = set(session.execute(select(FormTemplate.key).where(FormTemplate.deleted_at.is_(None))).scalars())
    builtin = {name.removesuffix(".json") for name in BUILTIN_TEMPLATE_FILES}
    return sorted(stored | builtin)


def _current_plan_goals(session: Session, client_id: str) -> tuple[GoalOption, ...]:
    plans = list(
        session.execute(
            select(ServicePlan)
            .where(ServicePlan.client_id == client_id, ServicePlan.deleted_at.is_(None))
            .order_by(ServicePlan.effective_from)
        ).scalars()
    )
    active = [p for p in plans if p.status == "active"]
    plan = active[-1] if active else (plans[-1] if plans else None)
    if plan is None:
        return ()
    goals = session.execute(
        select(Goal).where(Goal.plan_id == plan.id, Goal.deleted_at.is_(None)).order_by(Goal.position)
    ).scalars()
    return tuple(GoalOption(g.id, g.text) for g in goals)


def fill_context(session: Session, client: Client | None, today: dt.date) -> FillContext:
    """What a form sees of the client when it is printed: record fields and the current plan's goals."""
    if client is None:
        return FillContext(today=today)
    address = ", ".join(
        part
        for part in (client.address_line1, client.address_line2, client.city, client.region, client.postal_code)
        if part
    )
    values: dict[str, Any] = {
        "name": client.full_name,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "preferred_name": client.preferred_name,
        "dob": client.dob,
        "record_number": client.record_number,
        "medicaid_id": client.medicaid_id,
        "address": address or None,
        "phone": client.phone,
        "language": client.language,
        "program": client.program,
    }
    return FillContext(
        client={k: v for k, v in values.items() if v is not None},
        goals=_current_plan_goals(session, client.id),
        today=today,
    )


# ---------------------------------------------------------------------------------------------
# Deadline facts
# ---------------------------------------------------------------------------------------------


def deadline_settings(session: Session) -> DeadlineSettings:
    return DeadlineSettings(
        quarter_definition=settings.get(session, "quarter_definition"),
        report_due_days=int(settings.get(session, "report_due_days")),
        note_due_hours=int(settings.get(session, "note_due_hours")),
        timezone=quarterly_service.local_zone_name(session),
        obligations_start=obligations_start(session),
    )


def obligations_start(session: Session) -> dt.date | None:
    """From when deadlines are tracked: the ``local.obligations_start`` setting (an ISO date) when set,
    else the day of the profile's first progress note. Records kept on paper before a profile's notes
    begin are not reported as years of missing reports and visits."""
    value = settings.get(session, "local.obligations_start")
    if value:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(
                f"The setting local.obligations_start must be a date like 2026-01-01, not {value!r}."
            ) from None
    first = session.execute(
        select(ProgressNote.contact_start)
        .where(ProgressNote.deleted_at.is_(None))
        .order_by(ProgressNote.contact_start)
        .limit(1)
    ).scalar_one_or_none()
    return first.astimezone(quarterly_service.local_zone(session)).date() if first is not None else None


def _group(rows: Iterable[tuple[str, Any]]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for key, value in rows:
        grouped.setdefault(key, []).append(value)
    return grouped


def caseload_facts(session: Session) -> list[ClientFacts]:
    """Every live client's deadline facts, loaded with one query per table.

    Appointments are the concrete visits (single ones and edited occurrences); a recurring series'
    generated occurrences are planned, and planned visits create no deadline, so series are skipped.
    """
    today = quarterly_service.local_today(session)
    clients = list(session.execute(select(Client).where(Client.deleted_at.is_(None))).scalars())
    goals = _group(
        (
            g.plan_id,
            GoalFacts(g.id, cast(GoalStatus, g.status), g.target_date),
        )
        for g in session.execute(select(Goal).where(Goal.deleted_at.is_(None)).order_by(Goal.position)).scalars()
    )
    plans = _group(
        (p.client_id, p)
        for p in session.execute(
            select(ServicePlan).where(ServicePlan.deleted_at.is_(None)).order_by(ServicePlan.effective_from)
        ).scalars()
    )
    appointments = _group(
        (
            str(a.client_id),
            AppointmentFacts(
                a.id,
                a.starts_at,
                cast(AppointmentStatus, a.status),
                cast(AppointmentKind, a.kind),
                a.completed_at,
                a.ends_at,
            ),
        )
        for a in session.execute(
            select(Appointment).where(
                Appointment.deleted_at.is_(None), Appointment.rrule.is_(None), Appointment.client_id.is_not(None)
            )
        ).scalars()
    )
    notes = _group(
        (
            row.client_id,
            NoteFacts(
                row.id,
                row.contact_start,
                cast(NoteStatus, row.status),
                row.contact_type,
                row.appointment_id,
                row.signed_at,
                row.duration_minutes,
            ),
        )
        for row in session.execute(
            select(
                ProgressNote.client_id,
                ProgressNote.id,
                ProgressNote.contact_start,
                ProgressNote.status,
                ProgressNote.contact_type,
                ProgressNote.appointment_id,
                ProgressNote.signed_at,
                ProgressNote.duration_minutes,
            ).where(ProgressNote.deleted_at.is_(None))
        )
    )
    reports = _group(
        (
            r.client_id,
            ReportFacts(
                r.quarter_label,
                r.period_start,
                r.period_end,
                cast(ReportStatus, r.status),
                r.signed_at,
                r.submitted_at,
                r.id,
            ),
        )
        for r in session.execute(select(QuarterlyReport).where(QuarterlyReport.deleted_at.is_(None))).scalars()
    )
    facts = []
    for client in clients:
        plan, next_plan = _current_and_next(plans.get(client.id, []), today)
        facts.append(
            ClientFacts(
                client_id=client.id,
                name=client.full_name,
                program=client.program,
                status=cast(ClientStatus, client.status),
                intake_date=client.intake_date,
                discharge_date=client.discharge_date,
                plan=_plan_facts(plan, goals) if plan is not None else None,
                next_plan=_plan_facts(next_plan, goals) if next_plan is not None else None,
                appointments=tuple(appointments.get(client.id, ())),
                notes=tuple(notes.get(client.id, ())),
                reports=tuple(reports.get(client.id, ())),
            )
        )
    return facts


def _current_and_next(plans: list[ServicePlan], today: dt.date) -> tuple[ServicePlan | None, ServicePlan | None]:
    """The plan in effect (the latest non-draft one started by today) and the one after it."""
    started = [p for p in plans if p.status != "draft" and p.effective_from <= today]
    current = started[-1] if started else next((p for p in plans if p.status != "draft"), None)
    if current is None:
        return None, None
    later = [p for p in plans if p.effective_from > current.effective_from and p.id != current.id]
    return current, (later[0] if later else None)


def _plan_facts(plan: ServicePlan, goals: dict[str, list[GoalFacts]]) -> PlanFacts:
    return PlanFacts(
        id=plan.id,
        effective_from=plan.effective_from,
        effective_to=plan.effective_to,
        review_due=plan.review_due,
        status=cast(PlanStatus, plan.status),
        goals=tuple(goals.get(plan.id, ())),
    )
