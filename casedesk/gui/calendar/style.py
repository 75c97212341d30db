"""Colours and small drawing helpers shared by the calendar views."""

from __future__ import annotations

from PySide6.QtGui import QColor

KIND_COLORS: dict[str, QColor] = {
    "home_visit": QColor("#2b6cb0"),
    "office": QColor("#2c7a7b"),
    "phone": QColor("#6b46c1"),
    "meeting": QColor("#4a5568"),
}
DUE_INK = QColor("#8a5a00")  # deadlines: amber, never confused with a visit
DUE_FILL = QColor("#fdf0cf")
OVERDUE_INK = QColor("#b91c1c")  # overdue: red and bold
OVERDUE_FILL = QColor("#fde1e1")
TODAY_FILL = QColor("#fff7e0")
OTHER_MONTH_INK = QColor("#9aa3ad")
GRID_LINE = QColor("#d5d9de")
SELECTED_LINE = QColor("#1d4ed8")
DROP_FILL = QColor(29, 78, 216, 40)
WEEKEND_FILL = QColor("#f7f8fa")
NOW_LINE = QColor("#e53e3e")


def event_colors(kind: str, status: str) -> tuple[QColor, QColor]:
    """(fill, ink) for a visit chip: the kind's colour; done visits paler, cancelled ones grey."""
    base = KIND_COLORS.get(kind, KIND_COLORS["meeting"])
    if status == "cancelled":
        return QColor("#e2e8f0"), QColor("#718096")
    if status == "done":
        fill = QColor(base)
        fill.setAlpha(70)
        return fill, base.darker(130)
    if status == "missed":
        return QColor("#eceff3"), QColor("#9b2c2c")
    return base, QColor("#ffffff")


def due_colors(status: str) -> tuple[QColor, QColor]:
    if status == "overdue":
        return OVERDUE_FILL, OVERDUE_INK
    return DUE_FILL, DUE_INK
