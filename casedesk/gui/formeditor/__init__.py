"""Form designer and form filler (PySide6). Thin widgets over casedesk.forms and casedesk.services.forms.

For the main window:

- ``FormEditorPane(store, parent)``: the designer for the main window's form-editor slot. Forms and
  versions on the left, field tree with problems in the middle, properties and a live preview on the
  right; undo/redo (``pane.undo_stack``), Save draft, Publish (with a confirmation that explains
  versioning), XLSForm import. Emits ``sig_forms_changed`` after it stored something.
- ``FormFillDialog(store, client_id, parent)``: "Fill a form…" from a client's workspace: start or
  resume that client's responses, sign fields, finalise (disabled while any answer has a problem),
  save a PDF, move a draft to the newest version.
- ``FormFiller``: the form-filling widget both use (relevance, calculations and per-question problems
  from the engine on every change).
"""

from casedesk.gui.formeditor.fill_dialog import FormFillDialog
from casedesk.gui.formeditor.filler import FormFiller
from casedesk.gui.formeditor.pane import FormEditorPane

__all__ = ["FormEditorPane", "FormFillDialog", "FormFiller"]
