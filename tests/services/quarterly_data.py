"""Hand-built caseload data for the quarterly report and printing tests (no Qt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from casedesk.db.models import FormResponse, FormTemplate, Setting, Signature
from casedesk.db.store import Store
from casedesk.domain.notes import GoalRating
from casedesk.forms import builtin_template, publish
from casedesk.services import clients, notes, plans
from tests.reports.report_pdf_helpers import tiny_png

PASSPHRASE = "correct horse battery"
CHICAGO = ZoneInfo("America/Chicago")


def make_store(root: Path, *, zone: str = "America/Chicago") -> Store:
    store, _recovery = Store.create(
        root, PASSPHRASE, agency_name="Riverbend Community Services", worker_name="Ana Ruiz"
    )
    with store.session() as s:
        s.add(Setting(key="local.timezone", value=zone))
    return store


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A Chicago wall-clock time as an aware datetime."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHICAGO)


class Caseload:
    """One client, Zoë Nguyễn, with a plan of three goals whose plan order differs from creation order."""

    def __init__(self, store: Store, *, plan_start: dt.date = dt.date(2026, 1, 1)) -> None:
        self.store = store
        with store.session() as s:
            self.client_id = clients.create_client(
                s,
                first_name="Zoë",
                last_name="Nguyễn",
                dob=dt.date(1990, 4, 2),
                record_number="R-1",
                intake_date=dt.date(2025, 6, 1),
            )
            self.plan_id = plans.create_plan(s, self.client_id, plan_start, review_due=dt.date(2026, 12, 1))
            cook = plans.add_goal(s, self.plan_id, "Zoë will cook a simple meal three times a week.")
            bus = plans.add_goal(s, self.plan_id, "Zoë will ride the bus to work on her own.")
            budget = plans.add_goal(s, self.plan_id, "Zoë will keep a weekly budget with her payee.")
            plans.reorder_goals(s, self.plan_id, [bus, cook, budget])
        # plan order: bus (Goal 1), cook (Goal 2), budget (Goal 3)
        self.bus, self.cook, self.budget = bus, cook, budget

    def note(
        self,
        when: dt.datetime,
        *,
        goals: Sequence[tuple[str, str]] = (),
        contact_type: str = "face_to_face",
        sign: bool = True,
        minutes: int = 60,
        data: str = "Met at home; reviewed the week.",
        service_code: str | None = "T1017",
    ) -> str:
        with self.store.session() as s:
            note_id = notes.create_draft(
                s,
                notes.NoteInput(
                    client_id=self.client_id,
                    contact_start=when,
                    duration_minutes=minutes,
                    contact_type=contact_type,
                    body={"data": data, "assessment": f"Assessment of {when.date().isoformat()}.", "plan": "Continue."},
                    service_code=service_code,
                    goals=tuple(GoalRating(goal_id, rating) for goal_id, rating in goals),
                ),
            )
            if sign:
                notes.sign_note(s, note_id)
        return note_id


def store_consent_form(store: Store, client_id: str, *, final: bool) -> str:
    """A consent form (built-in template, stored published) filled for the client, signed on screen."""
    definition = publish(builtin_template("consent_release_of_information"))
    with store.session() as s:
        s.add(
            FormTemplate(
                key=definition.key,
                form_version=definition.version,
                name=definition.name,
                published=True,
                definition=definition.to_dict(),
                builtin=True,
            )
        )
        response = FormResponse(
            client_id=client_id,
            template_key=definition.key,
            template_version=definition.version,
            answers={"party_name": "Valley Behavioral Health", "direction": "exchange"},
            status="draft",  # finalised below, once the signature marker is in the answers
        )
        s.add(response)
        s.flush()
        signature = Signature(
            document_type="form",
            document_id=response.id,
            signer_name="Zoë Nguyễn",
            signer_role="client",
            image_png=tiny_png(80, 24),
            strokes=[[[0.0, 0.0], [4.0, 4.0]]],
            signed_at=dt.datetime(2026, 7, 1, 15, 0, tzinfo=dt.UTC),
        )
        s.add(signature)
        s.flush()
        response.answers = dict(response.answers, client_signature=signature.id)
        if final:
            s.flush()
            response.status = "final"
        return response.id
