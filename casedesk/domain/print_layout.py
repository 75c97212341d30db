"""What a printer needs to lay out a form, blank or filled: a flat list of blocks.

The forms engine (casedesk.forms) produces these from a form definition (+ answers); the report
generator (casedesk.reports) renders them. Neither side knows the other's internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = sub-section / group


@dataclass(frozen=True)
class NoteText:
    """Read-only instructions or information printed as a paragraph."""

    text: str


@dataclass(frozen=True)
class FieldLine:
    """One question. value None means blank (print writing lines, `lines` of them)."""

    label: str
    value: str | None = None
    required: bool = False
    lines: int = 1
    hint: str | None = None


@dataclass(frozen=True)
class ChoiceField:
    """A single/multiple choice question printed with a box per option; ticked ones are filled."""

    label: str
    options: tuple[str, ...]
    selected: tuple[str, ...] = ()
    multiple: bool = False
    required: bool = False


@dataclass(frozen=True)
class RepeatTable:
    """A repeat group printed as a table; for a blank form, `blank_rows` empty rows."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()
    blank_rows: int = 0


@dataclass(frozen=True)
class SignatureLine:
    """A signature block: captured image bytes (PNG) when signed on screen, else a line to sign."""

    role: str  # "Client", "Guardian", "Case manager", ...
    signer_name: str | None = None
    signed_at: str | None = None
    image_png: bytes | None = None


Block = Heading | NoteText | FieldLine | ChoiceField | RepeatTable | SignatureLine


@dataclass(frozen=True)
class FormPrintLayout:
    title: str
    form_key: str
    form_version: int
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    filled: bool = False
    status: str = "draft"  # draft / final: "final" prints without the DRAFT mark
