"""The on-screen signature pad takes a mouse, a finger or a pen, and gives back the strokes and a PNG."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from casedesk.gui.notes.signature_pad import SignaturePad


def shown_pad(qtbot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 160)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def ink_pixels(png: bytes) -> int:
    image = QImage.fromData(png)
    assert not image.isNull()
    dark = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            if image.pixelColor(x, y).lightness() < 128 and image.pixelColor(x, y).alpha() > 0:
                dark += 1
    return dark


def test_a_mouse_stroke_is_recorded_and_undone(qtbot) -> None:
    pad = shown_pad(qtbot)
    with qtbot.waitSignal(pad.sig_strokes_changed, timeout=2000):
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20, 40))
        for x in range(30, 200, 20):
            QTest.mouseMove(pad, QPoint(x, 40 + x // 4))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(210, 95))
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) >= 5
    assert ink_pixels(pad.to_png()) > 0
    pad.undo_stroke()
    assert pad.is_empty()


def test_a_finger_signs_with_touch_events(qtbot) -> None:
    pad = shown_pad(qtbot)
    finger = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    QTest.touchEvent(pad, finger).press(0, QPoint(30, 30))
    for x in range(40, 240, 25):
        QTest.touchEvent(pad, finger).move(0, QPoint(x, 30 + x // 5))
    QTest.touchEvent(pad, finger).release(0, QPoint(250, 80))
    qtbot.waitUntil(lambda: len(pad.strokes) == 1, timeout=2000)
    xs = [point[0] for point in pad.strokes[0]]
    assert min(xs) <= 31 and max(xs) >= 240  # the whole stroke, from the first touch to the lift
    assert ink_pixels(pad.to_png()) > 0


def test_a_pen_signs_with_tablet_events_and_hovering_draws_nothing(qtbot) -> None:
    pad = shown_pad(qtbot)
    pen = QPointingDevice(
        "pen", 1, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3,
    )

    def send(kind: QEvent.Type, x: float, y: float, pressure: float, buttons: Qt.MouseButton) -> None:
        local = QPointF(x, y)
        event = QTabletEvent(
            kind, pen, local, QPointF(pad.mapToGlobal(local.toPoint())), pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
            Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons,
        )
        QApplication.sendEvent(pad, event)

    send(QEvent.Type.TabletMove, 10, 10, 0.0, Qt.MouseButton.NoButton)  # hovering above the screen
    assert pad.is_empty()
    send(QEvent.Type.TabletPress, 20, 60, 0.5, Qt.MouseButton.LeftButton)
    for x in range(40, 300, 30):
        send(QEvent.Type.TabletMove, x, 60 + x // 10, 0.6, Qt.MouseButton.LeftButton)
    send(QEvent.Type.TabletRelease, 300, 90, 0.0, Qt.MouseButton.NoButton)
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) >= 9
    assert ink_pixels(pad.to_png()) > 0
    pad.clear()
    assert pad.is_empty()
