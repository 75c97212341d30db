"""The definition being designed, with undo/redo: every editing action is one QUndoCommand.

The document keeps whole-definition snapshots (definitions are immutable values), so undo and redo
are exact whatever the action was. Editing the newest *published* version starts the next draft
version (``next_draft_version``); undoing back to the start returns to the published version. Older
versions are read-only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from casedesk.errors import CaseDeskError
from casedesk.forms import FormDefinition, fingerprint, next_draft_version
from casedesk.forms.validation import definition_problems

Problem = tuple[str, str]


class DefinitionChange(QUndoCommand):
    def __init__(
        self,
        document: FormDocument,
        before: FormDefinition,
        after: FormDefinition,
        text: str,
        select_before: str | None,
        select_after: str | None,
    ) -> None:
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after
        self.select_before = select_before
        self.select_after = select_after

    def redo(self) -> None:
        self.document._set(self.after, self.select_after)

    def undo(self) -> None:
        self.document._set(self.before, self.select_before)


class FormDocument(QObject):
    """Signals: ``sig_changed(selected_key)`` whenever the definition changes (edit, undo, redo, load)."""

    sig_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.definition: FormDefinition | None = None
        self.read_only = True
        self.read_only_reason = ""
        self._saved = ""
        self._problems: list[Problem] | None = None

    # --- loading and saving -----------------------------------------------------------------------
    def load(self, definition: FormDefinition, *, newest: bool) -> None:
        """Show a stored version. Only the newest version can be edited."""
        self.undo_stack.clear()
        self.definition = definition
        self.read_only = not newest
        self.read_only_reason = (
            ""
            if newest
            else f"Version {definition.version} is an older version; it stays as it is. Open the newest version to edit."
        )
        self._saved = fingerprint(definition)
        self._problems = None
        self.undo_stack.setClean()
        self.sig_changed.emit(None)

    def unload(self) -> None:
        self.undo_stack.clear()
        self.definition = None
        self.read_only = True
        self.read_only_reason = ""
        self._saved = ""
        self._problems = None
        self.sig_changed.emit(None)

    def mark_saved(self, stored: FormDefinition) -> None:
        """After the service stored (or published) the definition: it is the new clean state."""
        self.definition = stored
        self._saved = fingerprint(stored)
        self._problems = None
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.sig_changed.emit(None)

    @property
    def is_dirty(self) -> bool:
        return self.definition is not None and fingerprint(self.definition) != self._saved

    @property
    def starts_new_version(self) -> bool:
        """True while showing a published version that the next edit turns into a new draft."""
        return self.definition is not None and self.definition.is_published and not self.read_only

    # --- editing ----------------------------------------------------------------------------------
    def edit(
        self,
        text: str,
        action: Callable[[FormDefinition], FormDefinition],
        *,
        select: str | None = None,
        selected_before: str | None = None,
    ) -> FormDefinition:
        """Apply a designer action as one undoable step. Raises CaseDeskError (nothing changes) if refused."""
        if self.definition is None:
            raise CaseDeskError("Open a form first.")
        if self.read_only:
            raise CaseDeskError(self.read_only_reason or "This version cannot be edited.")
        before = self.definition
        draft = next_draft_version(before) if before.is_published else before
        after = action(draft)
        if after == before:
            return before
        self.undo_stack.push(DefinitionChange(self, before, after, text, selected_before, select))
        return after

    def problems(self) -> list[Problem]:
        """What keeps the current definition from being saved (empty when it is valid)."""
        if self.definition is None:
            return []
        if self._problems is None:
            try:
                self._problems = definition_problems(self.definition)
            except Exception as err:  # the checker must never take the editor down
                self._problems = [("", f"the form could not be checked ({type(err).__name__})")]
        return list(self._problems)

    def _set(self, definition: FormDefinition, select: str | None) -> None:
        self.definition = definition
        self._problems = None
        self.sig_changed.emit(select)
