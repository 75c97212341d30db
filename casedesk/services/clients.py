"""Clients, their contacts and provider agencies; the caseload list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import (
    Client,
    ClientAgency,
    Contact,
    Goal,
    ProviderAgency,
    ServicePlan,
)
from casedesk.db.types import utcnow
from casedesk.errors import ValidationError
from casedesk.services import audit
from casedesk.services.caseload_list import CaseloadRow, read_caseload
from casedesk.services.records import get_live

CLIENT_STATUSES = ("active", "inactive", "discharged")
EDITABLE_CLIENT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "preferred_name",
        "dob",
        "medicaid_id",
        "record_number",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "phone",
        "email",
        "language",
        "program",
        "status",
        "assigned_worker_id",
        "risk_flags",
        "intake_date",
        "discharge_date",
    }
)


def age_on(dob: dt.date | None, today: dt.date) -> int | None:
    if dob is None:
        return None
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def create_client(session: Session, **fields: Any) -> str:
    _validate_client_fields(fields)
    if not fields.get("first_name") or not fields.get("last_name"):
        raise ValidationError("A client needs a first and a last name.")
    client = Client(**fields)
    if client.assigned_worker_id is None:
        store = session.info.get("store")
        client.assigned_worker_id = getattr(store, "worker_id", None)
    session.add(client)
    session.flush()
    audit.record(session, "create", "client", client.id)
    return client.id


def update_client(session: Session, client_id: str, **changes: Any) -> None:
    _validate_client_fields(changes)
    client = get_live(session, Client, client_id, "client")
    for key, value in changes.items():
        setattr(client, key, value)
    session.flush()
    audit.record(session, "update", "client", client_id, {"fields": sorted(changes)})


def _validate_client_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_CLIENT_FIELDS
    if unknown:
        raise ValidationError(f"Unknown client field(s): {', '.join(sorted(unknown))}.")
    status = fields.get("status")
    if status is not None and status not in CLIENT_STATUSES:
        raise ValidationError(f"Client status must be one of {', '.join(CLIENT_STATUSES)}.")
    for key in ("first_name", "last_name"):
        if key in fields and not str(fields[key] or "").strip():
            raise ValidationError("A client needs a first and a last name.")


def caseload(session: Session, today: dt.date | None = None) -> list[CaseloadRow]:
    """All live clients with last contact, next visit and agencies (caseload_list.read_caseload, on the
    session's own SQLCipher connection)."""
    connection = session.connection().connection.driver_connection
    return read_caseload(connection, today or dt.date.today(), utcnow())


# ---- detail ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactInfo:
    id: str
    name: str
    relation: str
    is_guardian: bool
    phone: str | None
    email: str | None
    address: str | None
    consent_to_share: bool


@dataclass(frozen=True)
class AgencyLink:
    id: str
    provider_agency_id: str
    agency_name: str
    service_type: str | None
    role: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    agency_phone: str | None


@dataclass(frozen=True)
class GoalInfo:
    id: str
    position: int
    text: str
    objective: str | None
    measure: str | None
    target_date: dt.date | None
    status: str
    met_on: dt.date | None


@dataclass(frozen=True)
class PlanInfo:
    id: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    review_due: dt.date | None
    status: str
    goals: tuple[GoalInfo, ...]


@dataclass(frozen=True)
class ClientDetail:
    id: str
    first_name: str
    last_name: str
    preferred_name: str | None
    display_name: str
    dob: dt.date | None
    age: int | None
    medicaid_id: str | None
    record_number: str | None
    address: str
    phone: str | None
    email: str | None
    language: str | None
    program: str | None
    status: str
    risk_flags: tuple[str, ...]
    intake_date: dt.date | None
    contacts: tuple[ContactInfo, ...]
    agencies: tuple[AgencyLink, ...]
    plans: tuple[PlanInfo, ...] = field(default_factory=tuple)

    @property
    def active_plan(self) -> PlanInfo | None:
        active = [p for p in self.plans if p.status == "active"]
        return active[-1] if active else (self.plans[-1] if self.plans else None)


def format_address(c: Client) -> str:
    parts = [c.address_line1, c.address_line2, " ".join(p for p in (c.city, c.region, c.postal_code) if p)]
    return ", ".join(p for p in parts if p)


def client_detail(session: Session, client_id: str, *, audit_view: bool = True) -> ClientDetail:
    """The whole client record. Viewing it is audited."""
    c = get_live(session, Client, client_id, "client")
    contacts = tuple(
        ContactInfo(x.id, x.name, x.relation, x.is_guardian, x.phone, x.email, x.address, x.consent_to_share)
        for x in session.execute(
            select(Contact).where(Contact.client_id == client_id, Contact.deleted_at.is_(None)).order_by(Contact.name)
        ).scalars()
    )
    agencies = tuple(
        AgencyLink(
            link.id,
            prov.id,
            prov.name,
            prov.service_type,
            link.role,
            link.contact_name,
            link.contact_phone,
            link.contact_email,
            prov.phone,
        )
        for link, prov in session.execute(
            select(ClientAgency, ProviderAgency)
            .join(ProviderAgency, ProviderAgency.id == ClientAgency.provider_agency_id)
            .where(ClientAgency.client_id == client_id, ClientAgency.deleted_at.is_(None))
            .order_by(ProviderAgency.name)
        )
    )
    plans = tuple(
        plan_info(session, p)
        for p in session.execute(
            select(ServicePlan)
            .where(ServicePlan.client_id == client_id, ServicePlan.deleted_at.is_(None))
            .order_by(ServicePlan.effective_from)
        ).scalars()
    )
    if audit_view:
        audit.record(session, "view", "client", client_id)
    return ClientDetail(
        id=c.id,
        first_name=c.first_name,
        last_name=c.last_name,
        preferred_name=c.preferred_name,
        display_name=c.display_name,
        dob=c.dob,
        age=age_on(c.dob, dt.date.today()),
        medicaid_id=c.medicaid_id,
        record_number=c.record_number,
        address=format_address(c),
        phone=c.phone,
        email=c.email,
        language=c.language,
        program=c.program,
        status=c.status,
        risk_flags=tuple(c.risk_flags or ()),
        intake_date=c.intake_date,
        contacts=contacts,
        agencies=agencies,
        plans=plans,
    )


def plan_info(session: Session, plan: ServicePlan) -> PlanInfo:
    goals = session.execute(
        select(Goal).where(Goal.plan_id == plan.id, Goal.deleted_at.is_(None)).order_by(Goal.position)
    ).scalars()
    return PlanInfo(
        plan.id,
        plan.title,
        plan.effective_from,
        plan.effective_to,
        plan.review_due,
        plan.status,
        tuple(
            GoalInfo(g.id, g.position, g.text, g.objective, g.measure, g.target_date, g.status, g.met_on) for g in goals
        ),
    )


# ---- contacts and agencies ------------------------------------------------------------------------


def add_contact(session: Session, client_id: str, **fields: Any) -> str:
    get_live(session, Client, client_id, "client")
    if not str(fields.get("name", "")).strip():
        raise ValidationError("A contact needs a name.")
    fields.setdefault("relation", "other")
    contact = Contact(client_id=client_id, **fields)
    session.add(contact)
    session.flush()
    audit.record(session, "create", "contact", contact.id, {"client_id": client_id})
    return contact.id


def update_contact(session: Session, contact_id: str, **changes: Any) -> None:
    contact = get_live(session, Contact, contact_id, "contact")
    for key, value in changes.items():
        if key in ("id", "client_id") or not hasattr(Contact, key):
            raise ValidationError(f"Unknown contact field {key!r}.")
        setattr(contact, key, value)
    session.flush()
    audit.record(session, "update", "contact", contact_id, {"fields": sorted(changes)})


def add_provider_agency(session: Session, name: str, **fields: Any) -> str:
    if not name.strip():
        raise ValidationError("A provider agency needs a name.")
    agency = ProviderAgency(name=name.strip(), **fields)
    session.add(agency)
    session.flush()
    audit.record(session, "create", "provider_agency", agency.id)
    return agency.id


def link_agency(session: Session, client_id: str, provider_agency_id: str, **fields: Any) -> str:
    get_live(session, Client, client_id, "client")
    get_live(session, ProviderAgency, provider_agency_id, "provider agency")
    link = ClientAgency(client_id=client_id, provider_agency_id=provider_agency_id, **fields)
    session.add(link)
    session.flush()
    audit.record(session, "create", "client_agency", link.id, {"client_id": client_id})
    return link.id
