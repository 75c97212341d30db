"""Errors the PDF generator raises for input it cannot print."""

from __future__ import annotations

from casedesk.errors import ValidationError


class ReportError(ValidationError):
    """A document could not be printed as given; the message names the field or value at fault."""
