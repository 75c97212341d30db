"""Service plans (ISP / treatment plans) and their goals, in plan order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.db.models import Client, Goal, ServicePlan
from casedesk.errors import ValidationError
from casedesk.services import audit
from casedesk.services.records import get_live

GOAL_STATUSES = ("active", "met", "changed", "discontinued")


def create_plan(
    session: Session,
    client_id: str,
    effective_from: dt.date,
    *,
    effective_to: dt.date | None = None,
    review_due: dt.date | None = None,
    title: str = "Individual Service Plan",
    status: str = "active",
) -> str:
    get_live(session, Client, client_id, "client")
    if effective_to and effective_to < effective_from:
        raise ValidationError("A plan cannot end before it starts.")
    plan = ServicePlan(
        client_id=client_id,
        title=title,
        effective_from=effective_from,
        effective_to=effective_to,
        review_due=review_due,
        status=status,
    )
    session.add(plan)
    session.flush()
    audit.record(session, "create", "service_plan", plan.id, {"client_id": client_id})
    return plan.id


def add_goal(session: Session, plan_id: str, text: str, **fields: Any) -> str:
    get_live(session, ServicePlan, plan_id, "service plan")
    if not text.strip():
        raise ValidationError("A goal needs some text.")
    last = session.execute(
        select(func.max(Goal.position)).where(Goal.plan_id == plan_id, Goal.deleted_at.is_(None))
    ).scalar()
    goal = Goal(plan_id=plan_id, text=text.strip(), position=(last or 0) + 1, **fields)
    session.add(goal)
    session.flush()
    audit.record(session, "create", "goal", goal.id, {"plan_id": plan_id})
    return goal.id


def update_goal(session: Session, goal_id: str, **changes: Any) -> None:
    goal = get_live(session, Goal, goal_id, "goal")
    allowed = {"text", "objective", "measure", "target_date", "status", "met_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Unknown goal field(s): {', '.join(sorted(unknown))}.")
    if "status" in changes and changes["status"] not in GOAL_STATUSES:
        raise ValidationError(f"Goal status must be one of {', '.join(GOAL_STATUSES)}.")
    for key, value in changes.items():
        setattr(goal, key, value)
    session.flush()
    audit.record(session, "update", "goal", goal_id, {"fields": sorted(changes)})


def mark_goal_met(session: Session, goal_id: str, on: dt.date | None = None) -> None:
    update_goal(session, goal_id, status="met", met_on=on or dt.date.today())


def reorder_goals(session: Session, plan_id: str, goal_ids: Sequence[str]) -> None:
    """Put the plan's goals in the given order (positions 1..n). Must name each live goal once."""
    goals = {
        g.id: g
        for g in session.execute(select(Goal).where(Goal.plan_id == plan_id, Goal.deleted_at.is_(None))).scalars()
    }
    if sorted(goal_ids) != sorted(goals):
        raise ValidationError("The new order must list each of the plan's goals exactly once.")
    for position, goal_id in enumerate(goal_ids, start=1):
        if goals[goal_id].position != position:
            goals[goal_id].position = position
    session.flush()
    audit.record(session, "update", "service_plan", plan_id, {"reordered_goals": len(goal_ids)})
