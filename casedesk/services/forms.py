"""Agency forms in a profile: template versions, XLSForm import, responses, signatures, print layouts.

The rules live in ``casedesk.forms`` (pure); this module stores their results.

Templates: one ``FormTemplate`` row per (key, version). Published versions are frozen: editing makes
the next draft version; a form has at most one draft, always its newest version. The built-in
templates are added (published, ``builtin``) the first time forms are listed.

Responses: a ``FormResponse`` keeps the template version it was filled under and always evaluates and
prints under that version. Drafts can be saved whatever their problems; finalising needs every relevant
answer valid, stores the answers without those to questions that are not relevant, and records a
SHA-256 of the canonical content. Final responses never change (guarded here and by a flush hook).
A draft moves to a newer version only when asked (``migrate_response``), which reports what it dropped.

Signature fields hold the id of a ``Signature`` row (document_type "form") made by ``attach_signature``,
for a drawn signature or a "signed on paper" (wet) one; answers cannot set them any other way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from casedesk.db.models import (
    FORM_RESPONSE_CONTENT_COLUMNS,
    Agency,
    Client,
    FormResponse,
    FormTemplate,
    Goal,
    ServicePlan,
    Setting,
    Signature,
)
from casedesk.db.types import utcnow
from casedesk.domain.print_layout import FormPrintLayout
from casedesk.errors import ImmutableRecordError, InvalidTransitionError, NotFoundError, ValidationError
from casedesk.forms import (
    DroppedAnswer,
    FieldType,
    FillContext,
    FormDefinition,
    FormDefinitionError,
    FormResult,
    GoalOption,
    ImportNote,
    SignatureCapture,
    can_finalise,
    evaluate_form,
    import_xlsform,
    layout_for,
    migrate_answers,
    new_response,
    next_draft_version,
    publish,
)
from casedesk.forms.expressions import KEY_RE
from casedesk.forms.responses import (
    answer_at,
    iter_answers,
    label_goal_answers,
    parse_answer_path,
    response_hash,
    with_answer,
)
from casedesk.forms.templates import builtin_template, builtin_template_keys
from casedesk.services import audit
from casedesk.services.clients import format_address
from casedesk.services.records import get_live

DRAFT = "draft"
FINAL = "final"
SIGNER_ROLES = ("worker", "client", "guardian", "supervisor", "other")
SIGNATURE_METHODS = ("drawn", "wet")
MAX_ANSWERS_BYTES = 2_000_000
MAX_SIGNATURE_PNG_BYTES = 2_000_000
MAX_SIGNATURE_POINTS = 50_000
_ISSUES_SHOWN = 10

# Columns a final response / a published template version may never change locally.
_RESPONSE_CONTENT = frozenset(FORM_RESPONSE_CONTENT_COLUMNS)
_TEMPLATE_CONTENT = frozenset(
    {"key", "form_version", "name", "description", "published", "published_at", "definition", "deleted_at"}
)


class DraftExistsError(ValidationError):
    """An import would overwrite a form's unpublished draft (pass ``replace_draft=True`` to allow it)."""


# ---------------------------------------------------------------------------------------------------
# Plain data handed to the CLI and the GUI
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateVersion:
    id: str
    key: str
    version: int
    name: str
    status: str  # draft / published
    published_at: dt.datetime | None
    builtin: bool
    updated_at: dt.datetime
    field_count: int

    @property
    def is_published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class TemplateSummary:
    key: str
    name: str
    description: str
    builtin: bool
    versions: tuple[TemplateVersion, ...]  # oldest first

    @property
    def latest(self) -> TemplateVersion:
        return self.versions[-1]

    @property
    def published_version(self) -> int | None:
        """The newest published version (the one new responses use), or None."""
        published = [v.version for v in self.versions if v.is_published]
        return published[-1] if published else None

    @property
    def draft_version(self) -> int | None:
        latest = self.versions[-1]
        return None if latest.is_published else latest.version


@dataclass(frozen=True)
class ImportOutcome:
    definition: FormDefinition  # as stored (a draft)
    report: tuple[ImportNote, ...]  # every row or cell left out or changed, with its sheet row
    new_form: bool  # False: stored as a new version of a form the profile already had
    replaced_draft: bool


@dataclass(frozen=True)
class SignatureInfo:
    id: str
    signer_name: str
    signer_role: str
    method: str  # drawn / wet
    signed_at: dt.datetime
    document_hash: str | None
    image_png: bytes | None


@dataclass(frozen=True)
class ResponseSummary:
    id: str
    client_id: str | None
    template_key: str
    template_version: int
    form_name: str
    status: str  # draft / final
    created_at: dt.datetime
    updated_at: dt.datetime
    finalised_at: dt.datetime | None
    content_hash: str | None

    @property
    def is_final(self) -> bool:
        return self.status == FINAL


@dataclass(frozen=True)
class ResponseDetail:
    id: str
    client_id: str | None
    template_key: str
    template_version: int
    definition: FormDefinition  # the version it was filled under
    answers: dict[str, Any]
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    finalised_at: dt.datetime | None
    finalised_by: str | None
    content_hash: str | None
    signatures: Mapping[str, SignatureInfo]  # answer path of the signature field -> signature
    row_version: int

    @property
    def is_final(self) -> bool:
        return self.status == FINAL


@dataclass(frozen=True)
class MigrationOutcome:
    from_version: int
    to_version: int
    dropped: tuple[DroppedAnswer, ...]


# ---------------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------------


def ensure_builtin_templates(session: Session) -> tuple[str, ...]:
    """Add each built-in template the profile does not have yet (published, version 1). Idempotent.

    A key the profile already knows (any version, even one the agency edited) is left alone.
    Returns the keys added.
    """
    known = set(session.execute(select(FormTemplate.key)).scalars())
    added: list[str] = []
    for key in builtin_template_keys():
        if key in known:
            continue
        definition = publish(builtin_template(key), published_at=utcnow())
        row = _store_version(session, definition, builtin=True)
        audit.record(session, "create", "form_template", row.id, {"key": key, "version": 1, "builtin": True})
        added.append(key)
    return tuple(added)


def list_templates(session: Session, *, ensure_builtins: bool = True) -> list[TemplateSummary]:
    """Every form with its versions (oldest first), by name. Adds the built-ins on first use."""
    if ensure_builtins:
        ensure_builtin_templates(session)
    by_key: dict[str, list[FormTemplate]] = {}
    for row in session.execute(
        select(FormTemplate).where(FormTemplate.deleted_at.is_(None)).order_by(FormTemplate.form_version)
    ).scalars():
        by_key.setdefault(row.key, []).append(row)
    summaries = [
        TemplateSummary(
            key=key,
            name=rows[-1].name,
            description=rows[-1].description or "",
            builtin=any(r.builtin for r in rows),
            versions=tuple(_version_info(r) for r in rows),
        )
        for key, rows in by_key.items()
    ]
    summaries.sort(key=lambda t: (t.name.casefold(), t.key))
    return summaries


def template_summary(session: Session, key: str) -> TemplateSummary:
    rows = _live_rows(session, key)
    if not rows:
        raise NotFoundError(f"No form '{key}'.")
    return TemplateSummary(
        key=key,
        name=rows[-1].name,
        description=rows[-1].description or "",
        builtin=any(r.builtin for r in rows),
        versions=tuple(_version_info(r) for r in rows),
    )


def get_definition(session: Session, key: str, version: int | None = None) -> FormDefinition:
    """One version of a form (default: the newest, draft or published)."""
    return _definition_of(_template_row(session, key, version))


def latest_published(session: Session, key: str) -> FormDefinition:
    """The version new responses are filled under."""
    rows = [r for r in _live_rows(session, key) if r.published]
    if not rows:
        if not _live_rows(session, key):
            raise NotFoundError(f"No form '{key}'.")
        raise InvalidTransitionError(f"Form '{key}' has no published version yet; publish it before filling it in.")
    return _definition_of(rows[-1])


def printable_definition(session: Session, key: str, version: int | None = None) -> FormDefinition:
    """The version to print: the one asked for, else the newest published one (the newest draft when none
    is published yet). A built-in form the profile has not stored yet prints from its built-in file, so
    printing never writes to the profile."""
    rows = _live_rows(session, key)
    if rows:
        if version is not None:
            return _definition_of(_template_row(session, key, version))
        published = [r for r in rows if r.published]
        return _definition_of((published or rows)[-1])
    if key in builtin_template_keys():
        builtin = builtin_template(key)
        if version is None or builtin.version == version:
            return builtin
        raise NotFoundError(f"Form '{key}' has no version {version}.")
    raise NotFoundError(f"No form '{key}'. Forms available: {', '.join(available_form_keys(session))}.")


def available_form_keys(session: Session) -> list[str]:
    """Every form that can be printed: the profile's and the built-in ones."""
    stored = set(session.execute(select(FormTemplate.key).where(FormTemplate.deleted_at.is_(None))).scalars())
    return sorted(stored | set(builtin_template_keys()))


def create_form(session: Session, key: str, name: str, description: str = "") -> FormDefinition:
    """A new form: draft version 1 with one text question to start from."""
    key = key.strip()
    if not KEY_RE.match(key):
        raise ValidationError("A form key must be letters, digits and _, starting with a letter (at most 64).")
    if not name.strip():
        raise ValidationError("A form needs a name.")
    if _live_rows(session, key):
        raise ValidationError(f"There is already a form with the key '{key}'; choose another key.")
    definition = FormDefinition.from_dict(
        {
            "schema_version": 1,
            "key": key,
            "name": name.strip(),
            "description": description.strip(),
            "version": 1,
            "fields": [{"key": "question_1", "type": "text", "label": "Question 1"}],
        }
    )
    row = _store_version(session, definition)
    audit.record(session, "create", "form_template", row.id, {"key": key, "version": 1})
    return definition


def new_draft_version(session: Session, key: str) -> FormDefinition:
    """The draft to edit: the existing draft, or the next version made from the newest published one."""
    rows = _live_rows(session, key)
    if not rows:
        raise NotFoundError(f"No form '{key}'.")
    latest = rows[-1]
    if not latest.published:
        return _definition_of(latest)
    draft = next_draft_version(_definition_of(latest))
    row = _store_version(session, draft)
    audit.record(session, "create", "form_template", row.id, {"key": key, "version": draft.version})
    return draft


def save_draft(session: Session, definition: FormDefinition) -> FormDefinition:
    """Store a draft version after checking it. A published version is never changed.

    The definition's version must be the form's current draft, or (to start editing a published
    form) the version after the newest published one; a new form starts at version 1.
    Raises FormDefinitionError listing the problems when the definition is not valid.
    """
    if definition.is_published:
        raise ImmutableRecordError(
            f"Version {definition.version} of form '{definition.key}' is published and cannot be changed; "
            "edit a new draft version instead."
        )
    definition = FormDefinition.from_dict(definition.to_dict())  # validates; raises FormDefinitionError
    rows = _live_rows(session, definition.key)
    existing = next((r for r in rows if r.form_version == definition.version), None)
    if existing is not None:
        if existing.published:
            raise ImmutableRecordError(
                f"Version {definition.version} of form '{definition.key}' is published and cannot be changed; "
                "edit a new draft version instead."
            )
        _write_definition(existing, definition)
        session.flush()
        audit.record(
            session, "update", "form_template", existing.id, {"key": definition.key, "version": definition.version}
        )
        return definition
    latest = rows[-1] if rows else None
    if latest is None:
        if definition.version != 1:
            raise ValidationError(f"A new form starts at version 1, not {definition.version}.")
    elif not latest.published:
        raise ValidationError(
            f"Form '{definition.key}' already has a draft (version {latest.form_version}); edit that draft."
        )
    elif definition.version != latest.form_version + 1:
        raise ValidationError(
            f"The next version of form '{definition.key}' is {latest.form_version + 1}, not {definition.version}."
        )
    row = _store_version(session, definition)
    audit.record(session, "create", "form_template", row.id, {"key": definition.key, "version": definition.version})
    return definition


def publish_version(session: Session, key: str, version: int | None = None) -> FormDefinition:
    """Freeze a draft (default: the form's draft). Responses can then be filled under it."""
    row = _template_row(session, key, version)
    if row.published:
        raise InvalidTransitionError(f"Version {row.form_version} of form '{key}' is already published.")
    published = publish(_definition_of(row), published_at=utcnow())
    _write_definition(row, published)
    session.flush()
    audit.record(
        session, "update", "form_template", row.id, {"key": key, "version": row.form_version, "published": True}
    )
    return published


def discard_draft(session: Session, key: str, version: int | None = None) -> None:
    """Throw away a draft version (published versions stay forever)."""
    row = _template_row(session, key, version)
    if row.published:
        raise ImmutableRecordError(f"Version {row.form_version} of form '{key}' is published and cannot be discarded.")
    row.deleted_at = utcnow()
    session.flush()
    audit.record(session, "delete", "form_template", row.id, {"key": key, "version": row.form_version})


def import_xlsform_file(
    session: Session,
    source: str | Path | bytes | BinaryIO,
    *,
    file_name: str | None = None,
    form_key: str | None = None,
    language: str | None = None,
    replace_draft: bool = False,
) -> ImportOutcome:
    """Import an XLSForm workbook as a draft. A bad workbook raises FormDefinitionError and stores nothing.

    A new key becomes version 1. A key the profile has becomes its next version; if that form already
    has a draft, the import is refused unless ``replace_draft`` (the draft is then overwritten).
    """
    result = import_xlsform(source, form_key=form_key, language=language)
    if file_name is None and isinstance(source, str | Path):
        file_name = Path(source).name
    imported = result.definition
    rows = _live_rows(session, imported.key)
    latest = rows[-1] if rows else None
    replaced = False
    if latest is None:
        definition = replace(imported, version=1)
    elif latest.published:
        definition = replace(imported, version=latest.form_version + 1)
    elif replace_draft:
        definition = replace(imported, version=latest.form_version)
        replaced = True
    else:
        raise DraftExistsError(
            f"Form '{imported.key}' already has an unpublished draft (version {latest.form_version}). "
            "Publish or discard that draft first, replace it (--replace-draft), or import under another key (--key)."
        )
    if replaced:
        assert latest is not None
        _write_definition(latest, definition)
        row = latest
        session.flush()
    else:
        row = _store_version(session, definition)
    audit.record(
        session,
        "import",
        "form_template",
        row.id,
        {
            "key": definition.key,
            "version": definition.version,
            "format": "xlsform",
            "file": file_name or "",
            "unmapped": len(result.report),
            "replaced_draft": replaced,
        },
    )
    return ImportOutcome(definition, result.report, new_form=latest is None, replaced_draft=replaced)


# ---------------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------------


def fill_context(session: Session, client_id: str | None, *, today: dt.date | None = None) -> FillContext:
    """What a form sees of the client: record fields for prefills and the current plan's goals."""
    if client_id is None:
        return FillContext(today=today or dt.date.today())
    client = get_live(session, Client, client_id, "client")
    values: dict[str, Any] = {
        "name": client.full_name,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "preferred_name": client.preferred_name,
        "dob": client.dob,
        "record_number": client.record_number,
        "medicaid_id": client.medicaid_id,
        "address": format_address(client) or None,
        "phone": client.phone,
        "language": client.language,
        "program": client.program,
    }
    return FillContext(
        client={k: v for k, v in values.items() if v is not None},
        goals=_plan_goals(session, client_id),
        today=today or dt.date.today(),
    )


def start_response(session: Session, client_id: str, key: str, version: int | None = None) -> str:
    """A new draft response for a client under a published version (default: the newest), prefilled."""
    get_live(session, Client, client_id, "client")
    if version is None:
        definition = latest_published(session, key)
    else:
        definition = _definition_of(_template_row(session, key, version))
        if not definition.is_published:
            raise InvalidTransitionError(
                f"Version {version} of form '{key}' is a draft; only published versions can be filled in."
            )
    context = fill_context(session, client_id)
    answers = label_goal_answers(definition, new_response(definition, context), context)
    row = FormResponse(
        client_id=client_id,
        template_key=definition.key,
        template_version=definition.version,
        answers=answers,
        status=DRAFT,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "create",
        "form_response",
        row.id,
        {"client_id": client_id, "form_key": definition.key, "form_version": definition.version},
    )
    return row.id


def get_response(session: Session, response_id: str, *, audit_view: bool = True) -> ResponseDetail:
    row = get_live(session, FormResponse, response_id, "form response")
    definition = _definition_of(_template_row(session, row.template_key, row.template_version))
    if audit_view:
        audit.record(session, "view", "form_response", row.id, {"client_id": row.client_id})
    return ResponseDetail(
        id=row.id,
        client_id=row.client_id,
        template_key=row.template_key,
        template_version=row.template_version,
        definition=definition,
        answers=json.loads(json.dumps(row.answers or {})),
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finalised_at=row.finalised_at,
        finalised_by=row.finalised_by,
        content_hash=row.content_hash,
        signatures=_signatures_by_path(session, row, definition),
        row_version=row.version,
    )


def list_responses(session: Session, client_id: str) -> list[ResponseSummary]:
    """A client's responses, newest change first."""
    get_live(session, Client, client_id, "client")
    rows = list(
        session.execute(
            select(FormResponse)
            .where(FormResponse.client_id == client_id, FormResponse.deleted_at.is_(None))
            .order_by(FormResponse.updated_at.desc())
        ).scalars()
    )
    names: dict[tuple[str, int], str] = {}
    if rows:
        for key, version, name in session.execute(
            select(FormTemplate.key, FormTemplate.form_version, FormTemplate.name).where(
                FormTemplate.key.in_({r.template_key for r in rows})
            )
        ):
            names[(key, version)] = name
    return [
        ResponseSummary(
            id=r.id,
            client_id=r.client_id,
            template_key=r.template_key,
            template_version=r.template_version,
            form_name=names.get((r.template_key, r.template_version), r.template_key),
            status=r.status,
            created_at=r.created_at,
            updated_at=r.updated_at,
            finalised_at=r.finalised_at,
            content_hash=r.content_hash,
        )
        for r in rows
    ]


def save_answers(session: Session, response_id: str, answers: Mapping[str, Any]) -> FormResult:
    """Save a draft's answers whatever their problems (returned in the result). Final responses refuse."""
    row = _draft_response(session, response_id)
    if not isinstance(answers, Mapping):
        raise ValidationError("Answers must be a mapping of field key to answer.")
    definition = _definition_of(_template_row(session, row.template_key, row.template_version))
    context = fill_context(session, row.client_id)
    result = evaluate_form(definition, answers, context)
    stored = label_goal_answers(definition, result.answers, context)
    _check_signature_markers(session, row, definition, stored)
    size = len(json.dumps(stored, ensure_ascii=False))
    if size > MAX_ANSWERS_BYTES:
        raise ValidationError(f"These answers are too large to store ({size // 1000} kB; the limit is 2 MB).")
    if stored != (row.answers or {}):
        row.answers = stored
        session.flush()
        audit.record(session, "update", "form_response", row.id, {"client_id": row.client_id})
    return result


def evaluate_response(session: Session, response_id: str) -> FormResult:
    """Relevance, calculations and per-field problems of a stored response, under its own version."""
    row = get_live(session, FormResponse, response_id, "form response")
    definition = _definition_of(_template_row(session, row.template_key, row.template_version))
    return evaluate_form(definition, row.answers or {}, fill_context(session, row.client_id))


def finalise_response(session: Session, response_id: str) -> str:
    """Mark a draft final (locked). Refused while any relevant answer has a problem. Returns the content hash."""
    row = _draft_response(session, response_id)
    definition = _definition_of(_template_row(session, row.template_key, row.template_version))
    context = fill_context(session, row.client_id)
    result = evaluate_form(definition, row.answers or {}, context)
    if not can_finalise(result):
        shown = [f"- {issue}" for issue in result.issues[:_ISSUES_SHOWN]]
        more = len(result.issues) - len(shown)
        if more > 0:
            shown.append(f"- ... and {more} more")
        raise ValidationError("This form cannot be finalised yet:\n" + "\n".join(shown))
    final_answers = label_goal_answers(definition, result.final_answers, context)
    digest = response_hash(
        response_id=row.id,
        client_id=row.client_id,
        form_key=row.template_key,
        form_version=row.template_version,
        answers=final_answers,
    )
    store = session.info.get("store")
    worker = store.current_worker(session) if store is not None else None
    row.answers = final_answers
    row.status = FINAL
    row.finalised_at = utcnow()
    row.finalised_by = worker.id if worker is not None else session.info.get("actor")
    row.content_hash = digest
    session.flush()
    audit.record(
        session,
        "sign",
        "form_response",
        row.id,
        {"client_id": row.client_id, "finalised": True, "content_hash": digest},
    )
    return digest


def verify_response_hash(session: Session, response_id: str) -> bool:
    """Recompute a final response's hash from what is stored: False means it changed after finalising."""
    row = get_live(session, FormResponse, response_id, "form response")
    if row.status != FINAL or row.content_hash is None:
        return False
    return row.content_hash == response_hash(
        response_id=row.id,
        client_id=row.client_id,
        form_key=row.template_key,
        form_version=row.template_version,
        answers=row.answers or {},
    )


def migrate_response(session: Session, response_id: str, to_version: int | None = None) -> MigrationOutcome:
    """Move a draft to a newer published version (default: the newest), keeping answers that still fit."""
    row = _draft_response(session, response_id)
    old = _definition_of(_template_row(session, row.template_key, row.template_version))
    if to_version is None:
        new = latest_published(session, row.template_key)
    else:
        new = _definition_of(_template_row(session, row.template_key, to_version))
        if not new.is_published:
            raise InvalidTransitionError(
                f"Version {to_version} of form '{row.template_key}' is a draft; publish it before moving responses to it."
            )
    if new.version <= old.version:
        if to_version is None:
            raise InvalidTransitionError(
                f"This response already uses version {old.version}, the newest published version of the form."
            )
        raise InvalidTransitionError(
            f"A response only moves to a newer version: it uses version {old.version}, so {to_version} is not newer."
        )
    migration = migrate_answers(old, new, row.answers or {})
    kept = dict(migration.answers)
    context = fill_context(session, row.client_id)
    kept = label_goal_answers(new, evaluate_form(new, kept, context).answers, context)
    _drop_stale_signatures(session, row, new, kept)
    row.answers = kept
    row.template_version = new.version
    session.flush()
    audit.record(
        session,
        "update",
        "form_response",
        row.id,
        {"from_version": old.version, "to_version": new.version, "dropped": len(migration.dropped)},
    )
    return MigrationOutcome(old.version, new.version, tuple(migration.dropped))


def delete_draft_response(session: Session, response_id: str) -> None:
    row = _draft_response(session, response_id)
    row.deleted_at = utcnow()
    for signature in _live_signatures(session, row.id):
        signature.deleted_at = utcnow()
    session.flush()
    audit.record(session, "delete", "form_response", row.id, {"client_id": row.client_id})


# ---------------------------------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------------------------------


def attach_signature(
    session: Session,
    response_id: str,
    field_path: str,
    *,
    signer_name: str,
    signer_role: str,
    method: str = "drawn",
    image_png: bytes | None = None,
    strokes: Sequence[Sequence[Sequence[float]]] = (),
    signed_at: dt.datetime | None = None,
) -> str:
    """Sign a signature field of a draft (drawn on screen, or "wet": signed on the printed paper).

    Stores a Signature (document_type "form") with a hash of the answers as they were signed, and puts
    its id in the answer. Signing the field again replaces the earlier signature. Returns the id.
    """
    row = _draft_response(session, response_id)
    definition = _definition_of(_template_row(session, row.template_key, row.template_version))
    _signature_field(definition, field_path)
    if signer_role not in SIGNER_ROLES:
        raise ValidationError(f"The signer's role must be one of {', '.join(SIGNER_ROLES)}.")
    if method not in SIGNATURE_METHODS:
        raise ValidationError("A signature is either drawn on screen or signed on paper ('wet').")
    if not signer_name.strip():
        raise ValidationError("Type the name of the person signing.")
    clean_strokes = _clean_strokes(strokes)
    if method == "drawn":
        if not clean_strokes or not any(clean_strokes):
            raise ValidationError("The signature is empty: draw it in the box first.")
        if image_png is None or not image_png.startswith(b"\x89PNG"):
            raise ValidationError("A drawn signature needs its picture as a PNG image.")
        if len(image_png) > MAX_SIGNATURE_PNG_BYTES:
            raise ValidationError("The signature picture is too large (the limit is 2 MB).")
    elif image_png is not None or clean_strokes:
        raise ValidationError("A signature made on paper has no picture on screen.")
    previous = answer_at(row.answers or {}, field_path)
    answers = dict(row.answers or {})
    document_hash = response_hash(
        response_id=row.id,
        client_id=row.client_id,
        form_key=row.template_key,
        form_version=row.template_version,
        answers=with_answer(answers, field_path, None),
    )
    signature = Signature(
        document_type="form",
        document_id=row.id,
        signer_name=signer_name.strip(),
        signer_role=signer_role,
        method=method,
        image_png=image_png if method == "drawn" else None,
        strokes=clean_strokes,
        signed_at=signed_at or utcnow(),
        document_hash=document_hash,
    )
    session.add(signature)
    session.flush()
    row.answers = with_answer(answers, field_path, signature.id)
    if isinstance(previous, str):
        old = session.get(Signature, previous)
        if old is not None and old.document_id == row.id and old.deleted_at is None:
            old.deleted_at = utcnow()
    session.flush()
    audit.record(
        session,
        "create",
        "signature",
        signature.id,
        {"document_type": "form", "document_id": row.id, "method": method, "field": field_path},
    )
    return signature.id


def clear_signature(session: Session, response_id: str, field_path: str) -> None:
    """Remove a draft's signature from a field (the signature row is kept, marked deleted)."""
    row = _draft_response(session, response_id)
    definition = _definition_of(_template_row(session, row.template_key, row.template_version))
    _signature_field(definition, field_path)
    marker = answer_at(row.answers or {}, field_path)
    if marker is None:
        return
    row.answers = with_answer(row.answers or {}, field_path, None)
    if isinstance(marker, str):
        signature = session.get(Signature, marker)
        if signature is not None and signature.document_id == row.id and signature.deleted_at is None:
            signature.deleted_at = utcnow()
    session.flush()
    audit.record(session, "delete", "signature", marker if isinstance(marker, str) else None, {"document_id": row.id})


# ---------------------------------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------------------------------


def response_layout(session: Session, response_id: str, *, date_format: str | None = None) -> FormPrintLayout:
    """Print layout of a filled response, under the version it was filled with, signatures included."""
    detail = get_response(session, response_id, audit_view=False)
    context = fill_context(session, detail.client_id)
    captures = {
        path: SignatureCapture(
            signer_name=info.signer_name,
            signed_at=info.signed_at.astimezone().strftime("%Y-%m-%d %H:%M")
            + (" (signed on paper)" if info.method == "wet" else ""),
            image_png=info.image_png,
        )
        for path, info in detail.signatures.items()
    }
    layout = layout_for(
        detail.definition, detail.answers, context, captures, status=detail.status, date_format=date_format
    )
    audit.record(session, "print", "form_response", detail.id, {"client_id": detail.client_id})
    return layout


def blank_layout(
    session: Session,
    key: str,
    version: int | None = None,
    *,
    client_id: str | None = None,
    date_format: str | None = None,
) -> FormPrintLayout:
    """Print layout of a blank form for paper filling (default: newest published version, else the draft).

    With a client, client fields come filled in and goal pickers list the plan's goals.
    """
    if version is None:
        rows = _live_rows(session, key)
        published = [r for r in rows if r.published]
        if not rows:
            raise NotFoundError(f"No form '{key}'.")
        definition = _definition_of(published[-1] if published else rows[-1])
    else:
        definition = get_definition(session, key, version)
    context = fill_context(session, client_id) if client_id is not None else None
    layout = layout_for(definition, None, context, date_format=date_format)
    audit.record(
        session, "print", "form_template", None, {"key": key, "version": definition.version, "client_id": client_id}
    )
    return layout


def render_response_pdf(
    session: Session, response_id: str, out: str | Path | BinaryIO, *, page_size: str | None = None
) -> FormPrintLayout:
    """Print a filled response to PDF (path or binary file), as filled: its version, its signatures."""
    layout = response_layout(session, response_id)
    row = get_live(session, FormResponse, response_id, "form response")
    _render(session, layout, out, row.client_id, page_size)
    return layout


def render_blank_pdf(
    session: Session,
    key: str,
    out: str | Path | BinaryIO,
    *,
    version: int | None = None,
    client_id: str | None = None,
    page_size: str | None = None,
) -> FormPrintLayout:
    """Print a blank form for paper filling (with the client's details when a client is given)."""
    layout = blank_layout(session, key, version, client_id=client_id)
    _render(session, layout, out, client_id, page_size)
    return layout


# ---------------------------------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------------------------------


def _render(
    session: Session,
    layout: FormPrintLayout,
    out: str | Path | BinaryIO,
    client_id: str | None,
    page_size: str | None,
) -> None:
    from casedesk.reports import AgencyInfo, ClientInfo, render_form
    from casedesk.services import settings

    agency_id = session.get(Setting, "agency_id")
    agency = session.get(Agency, agency_id.value) if agency_id is not None else None
    client = session.get(Client, client_id) if client_id is not None else None
    render_form(
        layout,
        out,
        agency=AgencyInfo(name=agency.name if agency else "", logo_png=agency.logo_png if agency else None),
        client=(
            ClientInfo(name=client.full_name, date_of_birth=client.dob, record_number=client.record_number)
            if client is not None
            else None
        ),
        page_size=page_size or str(settings.get(session, "page_size")),
    )


def _live_rows(session: Session, key: str) -> list[FormTemplate]:
    return list(
        session.execute(
            select(FormTemplate)
            .where(FormTemplate.key == key, FormTemplate.deleted_at.is_(None))
            .order_by(FormTemplate.form_version)
        ).scalars()
    )


def _template_row(session: Session, key: str, version: int | None) -> FormTemplate:
    rows = _live_rows(session, key)
    if not rows:
        raise NotFoundError(f"No form '{key}'.")
    if version is None:
        return rows[-1]
    for row in rows:
        if row.form_version == version:
            return row
    known = ", ".join(str(r.form_version) for r in rows)
    raise NotFoundError(f"Form '{key}' has no version {version} (it has {known}).")


def _definition_of(row: FormTemplate) -> FormDefinition:
    try:
        return FormDefinition.from_dict(row.definition)
    except FormDefinitionError as err:
        raise FormDefinitionError(
            err.problems, f"The stored form '{row.key}' version {row.form_version} cannot be read"
        ) from None


def _version_info(row: FormTemplate) -> TemplateVersion:
    fields = row.definition.get("fields") if isinstance(row.definition, dict) else None
    return TemplateVersion(
        id=row.id,
        key=row.key,
        version=row.form_version,
        name=row.name,
        status="published" if row.published else "draft",
        published_at=row.published_at,
        builtin=row.builtin,
        updated_at=row.updated_at,
        field_count=_count_fields(fields),
    )


def _count_fields(fields: object) -> int:
    count = 0
    stack = [fields]
    while stack:
        current = stack.pop()
        if not isinstance(current, list):
            continue
        for item in current:
            if isinstance(item, dict):
                count += 1
                stack.append(item.get("fields"))
    return count


def _write_definition(row: FormTemplate, definition: FormDefinition) -> None:
    row.name = definition.name
    row.description = definition.description
    row.definition = definition.to_dict()
    row.published = definition.is_published
    row.published_at = (
        dt.datetime.fromisoformat(definition.published_at).astimezone(dt.UTC) if definition.published_at else None
    )


def _store_version(session: Session, definition: FormDefinition, *, builtin: bool = False) -> FormTemplate:
    """Insert a version row, or bring back a discarded row of the same key and version (keys are unique)."""
    discarded = session.execute(
        select(FormTemplate).where(
            FormTemplate.key == definition.key,
            FormTemplate.form_version == definition.version,
            FormTemplate.deleted_at.is_not(None),
        )
    ).scalar_one_or_none()
    row = discarded or FormTemplate(key=definition.key, form_version=definition.version)
    _write_definition(row, definition)
    row.builtin = builtin
    row.deleted_at = None
    if discarded is None:
        session.add(row)
    session.flush()
    return row


def _plan_goals(session: Session, client_id: str) -> tuple[GoalOption, ...]:
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


def _draft_response(session: Session, response_id: str) -> FormResponse:
    row = get_live(session, FormResponse, response_id, "form response")
    if row.status == FINAL:
        raise ImmutableRecordError("This form response is final and locked; it cannot be changed.")
    return row


def _live_signatures(session: Session, response_id: str) -> list[Signature]:
    return list(
        session.execute(
            select(Signature).where(
                Signature.document_type == "form",
                Signature.document_id == response_id,
                Signature.deleted_at.is_(None),
            )
        ).scalars()
    )


def _signatures_by_path(session: Session, row: FormResponse, definition: FormDefinition) -> dict[str, SignatureInfo]:
    by_id = {s.id: s for s in _live_signatures(session, row.id)}
    found: dict[str, SignatureInfo] = {}
    for path, field_def, value in iter_answers(definition, row.answers or {}):
        if field_def.type is FieldType.SIGNATURE and isinstance(value, str) and value in by_id:
            s = by_id[value]
            found[path] = SignatureInfo(
                s.id, s.signer_name, s.signer_role, s.method, s.signed_at, s.document_hash, s.image_png
            )
    return found


def _check_signature_markers(
    session: Session, row: FormResponse, definition: FormDefinition, answers: Mapping[str, Any]
) -> None:
    """Signature answers can only be ids of this response's signatures (set by attach_signature)."""
    live = {s.id for s in _live_signatures(session, row.id)}
    for path, field_def, value in iter_answers(definition, answers):
        if field_def.type is FieldType.SIGNATURE and value is not None and value not in live:
            raise ValidationError(
                f"The signature field '{path}' can only be filled by signing it, not by typing an answer."
            )


def _drop_stale_signatures(
    session: Session, row: FormResponse, definition: FormDefinition, answers: Mapping[str, Any]
) -> None:
    """After a migration, signatures whose field is gone are marked deleted."""
    kept = {
        value
        for _path, field_def, value in iter_answers(definition, answers)
        if field_def.type is FieldType.SIGNATURE and isinstance(value, str)
    }
    for signature in _live_signatures(session, row.id):
        if signature.id not in kept:
            signature.deleted_at = utcnow()


def _signature_field(definition: FormDefinition, field_path: str) -> None:
    segments = parse_answer_path(field_path)
    key = segments[-1][0]
    try:
        field_def = definition.field(key)
    except KeyError:
        raise ValidationError(f"Form '{definition.key}' has no field '{key}'.") from None
    if field_def.type is not FieldType.SIGNATURE:
        raise ValidationError(f"'{key}' is not a signature field.")


def _clean_strokes(strokes: Sequence[Sequence[Sequence[float]]]) -> list[list[list[float]]]:
    if not isinstance(strokes, Sequence) or isinstance(strokes, str | bytes):
        raise ValidationError("Signature strokes must be a list of strokes.")
    clean: list[list[list[float]]] = []
    total = 0
    for stroke in strokes:
        if not isinstance(stroke, Sequence) or isinstance(stroke, str | bytes):
            raise ValidationError("Each signature stroke must be a list of points.")
        points: list[list[float]] = []
        for point in stroke:
            if (
                not isinstance(point, Sequence)
                or isinstance(point, str | bytes)
                or len(point) not in (2, 3)
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
            ):
                raise ValidationError("Each signature point must be [x, y] or [x, y, time] numbers.")
            points.append([float(v) for v in point])
        total += len(points)
        clean.append(points)
    if total > MAX_SIGNATURE_POINTS:
        raise ValidationError(f"A signature may hold at most {MAX_SIGNATURE_POINTS} points.")
    return clean


# ---------------------------------------------------------------------------------------------------
# Flush guard: final responses and published versions never change, whoever tries
# ---------------------------------------------------------------------------------------------------


def _committed_value(obj: Any, key: str) -> Any:
    history = inspect(obj).attrs[key].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(obj, key)


def _changed(obj: Any, columns: frozenset[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in columns)


@event.listens_for(Session, "before_flush")
def _guard_frozen_forms(session: Session, flush_context: Any, instances: Any) -> None:
    if session.info.get("remote"):
        return  # rows from the server: sync applies what the server holds
    for obj in session.dirty:
        if isinstance(obj, FormResponse):
            if _committed_value(obj, "status") == FINAL and _changed(obj, _RESPONSE_CONTENT):
                raise ImmutableRecordError("This form response is final and locked; it cannot be changed.")
        elif isinstance(obj, FormTemplate) and _committed_value(obj, "published") and _changed(obj, _TEMPLATE_CONTENT):
            raise ImmutableRecordError(
                f"Version {_committed_value(obj, 'form_version')} of form '{_committed_value(obj, 'key')}' "
                "is published and cannot be changed."
            )
