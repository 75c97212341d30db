"""The list of forms, each with its versions and their status (published / draft)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from casedesk.services.forms import TemplateSummary, TemplateVersion

KEY_ROLE = Qt.ItemDataRole.UserRole
VERSION_ROLE = Qt.ItemDataRole.UserRole + 1


def _version_text(version: TemplateVersion) -> str:
    if version.is_published:
        when = version.published_at.astimezone().strftime("%Y-%m-%d") if version.published_at else ""
        return f"published {when}".strip()
    return "draft"


def _form_status(summary: TemplateSummary) -> str:
    parts = []
    if summary.published_version is not None:
        parts.append(f"v{summary.published_version} published")
    if summary.draft_version is not None:
        parts.append(f"v{summary.draft_version} draft")
    return ", ".join(parts)


class FormList(QTreeWidget):
    """``sig_open(key, version)``: a form (its newest version: version None) or one version was chosen."""

    sig_open = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(1)
        self.setHeaderLabels(["Forms and versions"])
        self.setAccessibleName("Forms and versions")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(True)
        self.setMinimumWidth(260)
        self._forms: dict[str, QTreeWidgetItem] = {}
        self._versions: dict[tuple[str, int], QTreeWidgetItem] = {}
        self.itemSelectionChanged.connect(self.on_selection_changed)

    def show_templates(self, templates: Sequence[TemplateSummary], selected: tuple[str, int] | None) -> None:
        with QSignalBlocker(self):
            self.clear()
            self._forms.clear()
            self._versions.clear()
            for summary in templates:
                label = summary.name + (" (built-in)" if summary.builtin else "")
                top = QTreeWidgetItem(self, [label])
                top.setData(0, KEY_ROLE, summary.key)
                top.setData(0, VERSION_ROLE, None)
                top.setToolTip(0, f"{summary.name}\nkey: {summary.key}\n{_form_status(summary)}")
                self._forms[summary.key] = top
                for version in reversed(summary.versions):
                    child = QTreeWidgetItem(top, [f"Version {version.version}: {_version_text(version)}"])
                    child.setData(0, KEY_ROLE, summary.key)
                    child.setData(0, VERSION_ROLE, version.version)
                    self._versions[(summary.key, version.version)] = child
            self.expandAll()
            if selected is not None and selected in self._versions:
                item = self._versions[selected]
                parent = item.parent()
                if parent is not None:
                    parent.setExpanded(True)
                self.setCurrentItem(item)
                self.scrollToItem(item)

    def select_version(self, key: str, version: int | None) -> None:
        """Select a form (newest version) or one version, opening it."""
        item = self._forms[key] if version is None else self._versions[(key, version)]
        parent = item.parent()
        if parent is not None:
            parent.setExpanded(True)
        self.setCurrentItem(item)

    def form_keys(self) -> list[str]:
        return list(self._forms)

    def on_selection_changed(self) -> None:
        item = self.currentItem()
        if item is None:
            return
        self.sig_open.emit(str(item.data(0, KEY_ROLE)), item.data(0, VERSION_ROLE))
