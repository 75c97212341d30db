"""demo: create (if missing) and fill a profile with a deterministic demo caseload."""

from __future__ import annotations

import argparse
import os
import time

from casedesk.cli.common import data_dir
from casedesk.db.profile import ProfilePaths, demo_data_dir
from casedesk.db.store import Store
from casedesk.errors import ValidationError

DEMO_PASSPHRASE = "demo"  # printed on the demo's unlock screen; the demo holds no real data


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="create a profile filled with a realistic, made-up caseload")
    p.add_argument("--clients", type=int, default=60, help="number of clients (default 60)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same caseload)")
    p.set_defaults(func=cmd_demo)


def demo_passphrase() -> str:
    return os.environ.get("CASEDESK_PASSPHRASE") or DEMO_PASSPHRASE


def ensure_demo_profile(root: os.PathLike[str] | str, clients: int = 60, seed: int = 2026) -> tuple[Store, bool]:
    """Open the demo profile at `root`, creating and filling it first if it does not exist."""
    from pathlib import Path

    from casedesk import demo

    paths = ProfilePaths(Path(root))
    passphrase = demo_passphrase()
    if paths.exists():
        return Store.open(paths.root, passphrase=passphrase), False
    store, _recovery = Store.create(
        paths.root,
        passphrase,
        agency_name="Riverbend Community Services",
        worker_name="Alex Morgan",
        worker_login="amorgan",
        enforce_policy=False,  # the demo's passphrase is the well-known "demo": it holds no real data
    )
    with store.session() as s:
        demo.generate(s, clients=clients, seed=seed)
    return store, True


def cmd_demo(args: argparse.Namespace) -> int:
    if args.clients < 1 or args.clients > 50000:
        raise ValidationError("--clients must be between 1 and 50000.")
    root = data_dir(args) if (args.data_dir or os.environ.get("CASEDESK_DATA_DIR")) else demo_data_dir()
    started = time.perf_counter()
    paths = ProfilePaths(root)
    if paths.exists():
        store = Store.open(root, passphrase=demo_passphrase())
        from casedesk import demo

        with store.session() as s:
            from sqlalchemy import func, select

            from casedesk.db.models import Client

            have = s.execute(select(func.count()).select_from(Client)).scalar_one()
            if have == 0:
                demo.generate(s, clients=args.clients, seed=args.seed)
        store.close()
        print(
            f"The profile in {root} already existed; "
            + ("filled it with the demo caseload." if have == 0 else f"it holds {have} clients and was left as it is.")
        )
        return 0
    store, _created = ensure_demo_profile(root, clients=args.clients, seed=args.seed)
    from sqlalchemy import func, select

    from casedesk.db.models import Client, ProgressNote

    with store.read_session() as s:
        n_clients = s.execute(select(func.count()).select_from(Client)).scalar_one()
        n_notes = s.execute(select(func.count()).select_from(ProgressNote)).scalar_one()
    store.close()
    print(
        f"Demo profile ready in {root}: {n_clients} clients, {n_notes} progress notes "
        f"({time.perf_counter() - started:.1f} s)."
    )
    print(f"Passphrase: {demo_passphrase()}")
    return 0


def print_demo_summary(args: argparse.Namespace) -> int:
    """What `casedesk --demo` shows until the desktop window exists: the demo caseload, due items first."""
    from casedesk.services import clients as client_service

    root = data_dir(args) if args.data_dir else demo_data_dir()
    store, created = ensure_demo_profile(root)
    try:
        with store.session() as s:
            rows = client_service.caseload(s)
    finally:
        store.close()
    print(f"CaseDesk demo profile: {root} (passphrase: {demo_passphrase()})" + (" - just created" if created else ""))
    print(f"{len(rows)} clients. First ten:")
    for r in rows[:10]:
        last = r.last_contact.astimezone().strftime("%Y-%m-%d") if r.last_contact else "never"
        print(f"  {r.display_name:<28} {r.record_number or '':<9} {r.program or '':<40} last contact {last}")
    return 0
