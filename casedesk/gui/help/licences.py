"""Names and licences of the libraries shipped with CaseDesk (shown in Help > About). Qt-free."""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass


@dataclass(frozen=True)
class Library:
    name: str  # distribution name on PyPI
    module: str  # import name, for the version when the metadata is not shipped
    licence: str
    purpose: str


LIBRARIES: tuple[Library, ...] = (
    Library("PySide6-Essentials", "PySide6", "LGPL-3.0-only (Qt for Python and Qt 6)", "windows and printing"),
    Library("SQLAlchemy", "sqlalchemy", "MIT", "database access"),
    Library("sqlcipher3", "sqlcipher3", "zlib; SQLCipher: BSD-3-Clause", "encrypted database"),
    Library("alembic", "alembic", "MIT", "database upgrades"),
    Library("cryptography", "cryptography", "Apache-2.0 OR BSD-3-Clause", "key wrapping"),
    Library("argon2-cffi", "argon2", "MIT", "passphrase hashing"),
    Library("keyring", "keyring", "MIT", "remembering the passphrase"),
    Library("platformdirs", "platformdirs", "MIT", "data and log folders"),
    Library("reportlab", "reportlab", "BSD-3-Clause", "PDF documents"),
    Library("pypdfium2", "pypdfium2", "Apache-2.0 OR BSD-3-Clause (PDFium: BSD-3-Clause)", "PDF preview"),
    Library("icalendar", "icalendar", "BSD-2-Clause", "calendar files"),
    Library("python-dateutil", "dateutil", "Apache-2.0 OR BSD-3-Clause", "recurring appointments"),
    Library("openpyxl", "openpyxl", "MIT", "spreadsheet forms"),
    Library("httpx", "httpx", "BSD-3-Clause", "talking to the agency server"),
    Library("fastapi", "fastapi", "MIT", "the agency server"),
    Library("uvicorn", "uvicorn", "BSD-3-Clause", "the agency server"),
    Library("psycopg", "psycopg", "LGPL-3.0-only", "the agency server's PostgreSQL"),
    Library("uuid6", "uuid6", "MIT", "record identifiers"),
    Library("pyspellchecker", "spellchecker", "MIT (word lists from OpenSubtitles frequency data)", "spell-check in notes"),
)
FONT_LICENCE = "DejaVu fonts: Bitstream Vera licence and public domain changes (see below)"


def library_version(library: Library) -> str:
    try:
        return importlib.metadata.version(library.name)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        module = importlib.import_module(library.module)
    except ImportError:
        return "not installed"
    return str(getattr(module, "__version__", "bundled"))
