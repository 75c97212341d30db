"""Entry point: command-line parsing (the GUI is the default), logging, exit codes.

Errors a user can act on (CaseDeskError) are printed as one plain sentence with a non-zero exit code;
anything unexpected is logged (without client data) and summarised, never shown as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence

from casedesk import __version__
from casedesk.cli import COMMAND_MODULES
from casedesk.errors import CaseDeskError

log = logging.getLogger("casedesk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casedesk",
        description="CaseDesk: offline-first case management. With no command, opens the desktop app.",
    )
    parser.add_argument("--data-dir", help="profile folder (default: $CASEDESK_DATA_DIR or the user data folder)")
    parser.add_argument("--demo", action="store_true", help="open the app on the demo profile (passphrase: demo)")
    parser.add_argument("--version", action="store_true", help="print versions and exit")
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation works (temporary profile, no client data)"
    )
    parser.add_argument("--verbose", action="store_true", help="more detail in the log file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def versions() -> str:
    import sqlcipher3

    lines = [f"CaseDesk {__version__}"]
    try:
        conn = sqlcipher3.connect(":memory:")
        cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
        conn.close()
        lines.append(f"SQLCipher {cipher} (SQLite {sqlcipher3.sqlite_version})")
    except Exception as exc:  # pragma: no cover - only when the wheel is broken
        lines.append(f"SQLCipher unavailable: {exc}")
    try:
        from PySide6 import QtCore

        lines.append(f"Qt {QtCore.qVersion()} (PySide6 {importlib.import_module('PySide6').__version__})")
    except Exception as exc:
        lines.append(f"Qt unavailable: {exc}")
    lines.append(f"Python {sys.version.split()[0]}")
    return "\n".join(lines)


def run_gui(args: argparse.Namespace) -> int:
    try:
        gui = importlib.import_module("casedesk.gui.app")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("casedesk.gui"):
            # The desktop window is not part of this build yet: show what the demo holds instead.
            from casedesk.cli.demo_cmd import print_demo_summary

            return print_demo_summary(args)
        raise
    return int(gui.run(args))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from pathlib import Path

    from casedesk import logsetup

    logsetup.configure(Path(args.data_dir) if args.data_dir else None, verbose=args.verbose)
    try:
        if args.version:
            print(versions())
            return 0
        if args.self_test:
            from casedesk.selftest import run_self_test

            return run_self_test()
        if args.command is None:
            return run_gui(args)
        return int(args.func(args))
    except CaseDeskError as exc:
        log.info("command failed: %s", type(exc).__name__)
        print(f"casedesk: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # output piped into `head` and the like: not an error worth a message
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("casedesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Only the exception type and code locations: messages can carry data, so they stay out.
        log.error(
            "unexpected %s in %s\n%s",
            type(exc).__name__,
            args.command or "gui",
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        print(
            f"casedesk: unexpected error ({type(exc).__name__}). Nothing was changed by the failed step. "
            "Details (without client data) are in the CaseDesk log file.",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
