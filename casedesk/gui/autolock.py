"""Idle watcher: keyboard, mouse, wheel, touch or pen input restarts the countdown to auto-lock.

The filter sits on the top-level windows (QWindow) rather than on the whole application: every input
event passes through its window first, while the flood of paint, layout and polish events does not, so
the first paint is not slowed by a Python call per event. Windows are picked up as they gain focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
    }
)


class IdleWatcher(QObject):
    sig_idle = Signal()

    def __init__(self, minutes: float = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.sig_idle)
        self._watched: list[QWindow] = []
        self.set_minutes(minutes)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self.watch)

    def set_minutes(self, minutes: float) -> None:
        self._timer.setInterval(max(1, int(minutes * 60_000)))
        if self._timer.isActive():
            self._timer.start()

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def remaining_ms(self) -> int:
        return self._timer.remainingTime()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def watch(self, window: QWindow | None) -> None:
        """Count input to `window` as activity (each window is watched once)."""
        if window is None or any(w is window for w in self._watched):
            return
        window.installEventFilter(self)
        self._watched.append(window)
        window.destroyed.connect(self.on_window_destroyed)

    def on_window_destroyed(self, obj: QObject | None = None) -> None:
        self._watched = [w for w in self._watched if w is not obj]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        return False
