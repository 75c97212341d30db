"""Progress-note editor, signature pad, addendum dialog."""
