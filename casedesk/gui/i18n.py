"""Interface language: Qt translators loaded from resources/translations/casedesk_<lang>.qm.

The profile's `language` setting is encrypted, so it cannot be read before unlocking; the last chosen
language is mirrored into the window preferences (QSettings, no client data) and installed at start-up,
before the unlock dialog opens. Sources: resources/translations/*.ts (pyside6-lupdate), compiled with
pyside6-lrelease (see `make translations`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from casedesk.resources import resources_dir

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
PREFS_KEY = "ui/language"
SOURCE_LANGUAGE = "en"

_installed: list[QTranslator] = []


def translation_file(language: str) -> Path | None:
    """The compiled translation for `language`, or None (English is the source language: no file)."""
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return None
    path = resources_dir() / "translations" / f"casedesk_{language}.qm"
    return path if path.is_file() else None


def install(language: str, app: QCoreApplication | None = None) -> bool:
    """Replace the installed CaseDesk (and Qt base) translators with those for `language`.

    Widgets built afterwards show the new language. Returns False when no translation could be loaded
    (the interface then stays in English)."""
    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication before installing a translation")
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    path = translation_file(language)
    if path is None:
        return language == SOURCE_LANGUAGE
    ours = QTranslator(app)
    if not ours.load(str(path)):
        return False
    app.installTranslator(ours)
    _installed.append(ours)
    # Qt's own strings (standard buttons, file dialogs) when Qt ships them for this language.
    qt_base = QTranslator(app)
    if qt_base.load(QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_base)
        _installed.append(qt_base)
    return True


def remembered_language(prefs: QSettings) -> str:
    value = str(prefs.value(PREFS_KEY, SOURCE_LANGUAGE) or SOURCE_LANGUAGE)
    return value if value in LANGUAGES else SOURCE_LANGUAGE


def remember_language(prefs: QSettings, language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown interface language {language!r}; choose one of {', '.join(LANGUAGES)}")
    prefs.setValue(PREFS_KEY, language)
    prefs.sync()


def install_remembered(prefs: QSettings, app: QCoreApplication | None = None) -> str:
    """At start-up: install the language chosen last time. Returns it."""
    language = remembered_language(prefs)
    if language != SOURCE_LANGUAGE and not install(language, app):
        language = SOURCE_LANGUAGE
    return language


def apply_choice(prefs: QSettings, language: str, app: QCoreApplication | None = None) -> bool:
    """The worker chose `language` in Settings: remember it and install it for windows opened from now on."""
    remember_language(prefs, language)
    return install(language, app)
