"""Signature pad: draw with mouse, pen or finger; undo a stroke, clear, accept (PNG + stroke data)."""

from __future__ import annotations

import time

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.signatures import SIGNER_ROLES

Stroke = list[list[float]]  # [x, y, milliseconds since the pad was cleared]


class SignaturePad(QWidget):
    sig_strokes_changed = Signal(int)  # number of strokes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Signature pad")
        self.setAccessibleDescription("Draw the signature here with a mouse, pen or finger.")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 140)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self._t0 = time.monotonic()

    def sizeHint(self) -> QSize:
        return QSize(520, 200)

    # ---- data ---------------------------------------------------------------------------------------

    @property
    def strokes(self) -> list[Stroke]:
        return [list(map(list, s)) for s in self._strokes]

    def is_empty(self) -> bool:
        return not any(self._strokes)

    def clear(self) -> None:
        self._strokes.clear()
        self._current = None
        self._t0 = time.monotonic()
        self.update()
        self.sig_strokes_changed.emit(0)

    def undo_stroke(self) -> None:
        if self._strokes:
            self._strokes.pop()
            self.update()
            self.sig_strokes_changed.emit(len(self._strokes))

    def add_stroke(self, points: list[tuple[float, float]]) -> None:
        """Add a whole stroke (for keyboard-free tests and for replaying stored strokes)."""
        for i, (x, y) in enumerate(points):
            (self._begin if i == 0 else self._extend)(QPointF(x, y))
        self._end()

    def to_png(self, scale: float = 2.0) -> bytes:
        """The drawing as a PNG (transparent background, dark ink), at `scale` times the widget size."""
        size = self.size() * scale
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        self._paint_strokes(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]
        buffer.close()
        return bytes(data.data())

    # ---- drawing ------------------------------------------------------------------------------------

    def _ms(self) -> float:
        return round((time.monotonic() - self._t0) * 1000.0, 1)

    def _begin(self, pos: QPointF) -> None:
        self._current = [[round(pos.x(), 1), round(pos.y(), 1), self._ms()]]
        self._strokes.append(self._current)
        self.update()

    def _extend(self, pos: QPointF) -> None:
        if self._current is None:
            self._begin(pos)
            return
        self._current.append([round(pos.x(), 1), round(pos.y(), 1), self._ms()])
        self.update()

    def _end(self) -> None:
        if self._current is not None:
            self._current = None
            self.sig_strokes_changed.emit(len(self._strokes))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove and event.pressure() > 0:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd) and isinstance(
            event, QTouchEvent
        ):
            points = event.points()
            if points:
                pos = points[0].position()
                if event.type() == QEvent.Type.TouchBegin:
                    self._begin(pos)
                elif event.type() == QEvent.Type.TouchUpdate:
                    self._extend(pos)
                else:
                    self._extend(pos)
                    self._end()
            event.accept()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        baseline_y = self.height() * 0.75
        painter.setPen(QPen(QColor("#9aa0a6"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(16, baseline_y), QPointF(self.width() - 16, baseline_y))
        painter.drawText(QPointF(16, baseline_y + 18), "Sign above the line")
        self._paint_strokes(painter)
        painter.end()

    def _paint_strokes(self, painter: QPainter) -> None:
        painter.setPen(
            QPen(QColor("#102040"), 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        )
        for stroke in self._strokes:
            if len(stroke) == 1:
                painter.drawPoint(QPointF(stroke[0][0], stroke[0][1]))
                continue
            path = QPainterPath(QPointF(stroke[0][0], stroke[0][1]))
            for x, y, *_t in stroke[1:]:
                path.lineTo(x, y)
            painter.drawPath(path)


ROLE_LABELS = {
    "worker": "Case manager",
    "client": "Client",
    "guardian": "Guardian",
    "supervisor": "Supervisor",
    "other": "Other",
}


class SignatureDialog(QDialog):
    """Capture one signature: name, role, the drawing. Result in `signer_name`, `signer_role`, `png`, `strokes`."""

    def __init__(self, document_label: str, default_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Capture signature")
        self.setAccessibleName("Capture signature")
        self.name_edit = QLineEdit(default_name)
        self.name_edit.setAccessibleName("Name of the person signing")
        self.role_combo = QComboBox()
        self.role_combo.setAccessibleName("Role of the person signing")
        for role in SIGNER_ROLES:
            self.role_combo.addItem(ROLE_LABELS.get(role, role), role)
        self.pad = SignaturePad()
        self.undo_button = QPushButton("&Undo stroke")
        self.undo_button.setAccessibleName("Undo the last stroke")
        self.clear_button = QPushButton("&Clear")
        self.clear_button.setAccessibleName("Clear the signature and start again")
        self.undo_button.clicked.connect(self.pad.undo_stroke)
        self.clear_button.clicked.connect(self.pad.clear)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.accept_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.accept_button.setText("&Accept signature")
        self.accept_button.setAccessibleName("Accept signature")
        self.accept_button.setEnabled(False)
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.addButton(self.clear_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.pad.sig_strokes_changed.connect(self.on_strokes_changed)
        self.name_edit.textChanged.connect(self.on_strokes_changed)
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Role:", self.role_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Signing: {document_label}"))
        layout.addLayout(form)
        layout.addWidget(self.pad, 1)
        layout.addWidget(self.buttons)
        self.png: bytes | None = None
        self.strokes: list[Stroke] = []

    @property
    def signer_name(self) -> str:
        return self.name_edit.text().strip()

    @property
    def signer_role(self) -> str:
        return str(self.role_combo.currentData())

    def on_strokes_changed(self, *_args: object) -> None:
        self.accept_button.setEnabled(not self.pad.is_empty() and bool(self.signer_name))

    def accept(self) -> None:
        if self.pad.is_empty() or not self.signer_name:
            return
        self.png = self.pad.to_png()
        self.strokes = self.pad.strokes
        super().accept()
