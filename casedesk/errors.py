"""Errors a user may see. Each carries a plain-language message; the CLI and GUI show only that."""

from __future__ import annotations


class CaseDeskError(Exception):
    """Base class: ``str(err)`` is a complete sentence fit for a case manager or IT person."""

    exit_code = 1


class ProfileExistsError(CaseDeskError):
    pass


class ProfileMissingError(CaseDeskError):
    pass


class WrongPassphraseError(CaseDeskError):
    pass


class KeyFileError(CaseDeskError):
    """The wrapped-key file is missing or damaged."""


class DatabaseDamagedError(CaseDeskError):
    """The database file is not a CaseDesk database, is truncated, or fails its integrity checks."""


class NewerVersionError(CaseDeskError):
    pass


class StorageError(CaseDeskError):
    """The data folder is read-only or the disk is full; nothing stored was harmed."""


class NotFoundError(CaseDeskError):
    pass


class ValidationError(CaseDeskError):
    pass


class ImmutableRecordError(CaseDeskError):
    """An attempt to change a signed note or report."""


class InvalidTransitionError(CaseDeskError):
    pass


class PassphraseRequiredError(CaseDeskError):
    pass
