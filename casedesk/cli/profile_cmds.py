"""init, passwd, check: creating, re-keying and checking a profile."""

from __future__ import annotations

import argparse
import os
import sys

from casedesk.cli.common import data_dir, open_store, read_passphrase
from casedesk.db.store import Store
from casedesk.errors import ValidationError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="create a new encrypted profile (prints the recovery key once)")
    p.add_argument("--agency", default="My agency", help="agency name printed on documents")
    p.add_argument("--name", default=os.environ.get("USER", "Case manager"), help="your name, as signer")
    p.add_argument("--login", default=None, help="your login on the agency server (optional)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("passwd", help="change the profile passphrase (the database is not re-encrypted)")
    p.set_defaults(func=cmd_passwd)

    p = sub.add_parser("check", help="integrity, encryption and audit-chain checks; exit 1 if anything is wrong")
    p.set_defaults(func=cmd_check)


def cmd_init(args: argparse.Namespace) -> int:
    passphrase = read_passphrase("New passphrase: ")
    if not os.environ.get("CASEDESK_PASSPHRASE") and sys.stdin.isatty():
        again = read_passphrase("Repeat passphrase: ", env="CASEDESK_PASSPHRASE_REPEAT")
        if again != passphrase:
            raise ValidationError("The two passphrases differ; nothing was created.")
    store, recovery = Store.create(
        data_dir(args), passphrase, agency_name=args.agency, worker_name=args.name, worker_login=args.login
    )
    store.close()
    print(f"Created a CaseDesk profile in {store.paths.root}.")
    print()
    print("Recovery key (shown only this once; store it where your agency keeps recovery keys):")
    print(f"    {recovery}")
    print()
    print("With it, the profile can be opened if the passphrase is forgotten (CASEDESK_RECOVERY_KEY=...).")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    store = Store.open(data_dir(args), passphrase=read_passphrase("Current passphrase: "))
    try:
        new = read_passphrase("New passphrase: ", env="CASEDESK_NEW_PASSPHRASE")
        store.change_passphrase(read_passphrase("Current passphrase: "), new)
    finally:
        store.close()
    print("Passphrase changed. The recovery key still works.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        results = store.check()
    finally:
        store.close()
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'}  {r.name}: {r.message}")
    failed = [r for r in results if not r.ok]
    if failed:
        print(
            f"\n{len(failed)} check(s) failed. Do not keep working in this profile: make a copy of the folder, "
            "then restore the newest good backup (casedesk backups / casedesk restore) or call IT support.",
        )
        return 1
    print("\nAll checks passed.")
    return 0
