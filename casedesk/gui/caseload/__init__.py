"""Caseload pane (lazy id-only table model, instant filter) and the client workspace."""
