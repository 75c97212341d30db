"""serve, server ..., enroll, sync, sync-status, conflicts, resolve: the agency server and a device's sync.

Names are a contract with agency IT:
    casedesk serve [--server-dir DIR] [--db URL] [--host H] [--port P]
    casedesk server add-user LOGIN --name NAME --role worker|supervisor|admin [--supervisor LOGIN]
    casedesk server enroll-code LOGIN
    casedesk server revoke-device DEVICE_ID
    casedesk server assign CLIENT_ID LOGIN
    casedesk enroll URL CODE
    casedesk sync [--json]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from casedesk.cli.common import local_time, open_store, print_json, print_table


def _server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server-dir", help="server folder (default: $CASEDESK_SERVER_DIR or the user data folder)")
    p.add_argument("--db", help="database URL, e.g. postgresql://casedesk@dbhost/casedesk (default: SQLite in the folder)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the agency sync server (put it behind TLS: see docs/server.md)")
    _server_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.set_defaults(func=cmd_serve)

    srv = sub.add_parser("server", help="administer the agency server: users, enrolment codes, devices, caseloads")
    ssub = srv.add_subparsers(dest="server_command", metavar="ACTION", required=True)

    p = ssub.add_parser("add-user", help="add a worker, supervisor or admin")
    p.add_argument("login")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=("worker", "supervisor", "admin"))
    p.add_argument("--supervisor", help="login of her supervisor")
    _server_options(p)
    p.set_defaults(func=cmd_add_user)

    p = ssub.add_parser("enroll-code", help="print a one-time enrolment code for LOGIN (valid 24 hours)")
    p.add_argument("login")
    _server_options(p)
    p.set_defaults(func=cmd_enroll_code)

    p = ssub.add_parser("revoke-device", help="stop a device from syncing (lost or retired laptop)")
    p.add_argument("device_id")
    _server_options(p)
    p.set_defaults(func=cmd_revoke_device)

    p = ssub.add_parser("assign", help="put a client in LOGIN's caseload")
    p.add_argument("client_id")
    p.add_argument("login")
    _server_options(p)
    p.set_defaults(func=cmd_assign)

    p = ssub.add_parser("users", help="list users")
    _server_options(p)
    p.set_defaults(func=cmd_users)

    p = ssub.add_parser("devices", help="list enrolled devices")
    p.add_argument("--login")
    _server_options(p)
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("enroll", help="link this profile to the agency server with a one-time code")
    p.add_argument("url", help="the server's https:// address")
    p.add_argument("code", help="the code from your administrator")
    p.add_argument("--device-name", help="how this computer is listed on the server")
    p.add_argument(
        "--upload-existing", action="store_true", help="also send records this profile held before enrolment"
    )
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("sync", help="send this device's changes and receive the agency's")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--retry-stuck", action="store_true", help="first put stuck changes back in the queue")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("sync-status", help="last sync, changes waiting, stuck changes, open conflicts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sync_status)

    p = sub.add_parser("conflicts", help="list open sync conflicts (both versions of each field)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_conflicts)

    p = sub.add_parser("resolve", help="resolve a sync conflict: keep mine, keep theirs, or set values")
    p.add_argument("conflict_id")
    p.add_argument("choice", choices=("mine", "theirs", "edit"))
    p.add_argument("--set", action="append", default=[], metavar="FIELD=JSON", help="with edit: the value to keep")
    p.set_defaults(func=cmd_resolve)


# ---- server side ---------------------------------------------------------------------------------------


def _db(args: argparse.Namespace) -> Any:
    from casedesk.server.db import Database, database_url

    return Database.open(database_url(args.server_dir, args.db))


def cmd_serve(args: argparse.Namespace) -> int:
    from casedesk.server.app import serve
    from casedesk.server.db import Database, database_url

    url = database_url(args.server_dir, args.db)
    db = Database.open(url)
    where = url.split("@")[-1] if "@" in url else url
    print(f"CaseDesk server on http://{args.host}:{args.port} (database {where}). Put it behind TLS for devices.")
    try:
        serve(db, args.host, args.port)
    finally:
        db.close()
    return 0


def cmd_add_user(args: argparse.Namespace) -> int:
    from casedesk.server import admin

    db = _db(args)
    try:
        info = admin.add_user(db, args.login, args.name, args.role, supervisor=args.supervisor)
    finally:
        db.close()
    print(f"Added {info.role} {info.login} ({info.name})" + (f", supervised by {info.supervisor}." if info.supervisor else "."))
    return 0


def cmd_enroll_code(args: argparse.Namespace) -> int:
    from casedesk.server import admin

    db = _db(args)
    try:
        code, expires = admin.make_enrol_code(db, args.login)
    finally:
        db.close()
    print(code)
    print(f"One-time code for {args.login}, valid until {local_time(expires)}: casedesk enroll https://<server> {code}")
    return 0


def cmd_revoke_device(args: argparse.Namespace) -> int:
    from casedesk.server import admin

    db = _db(args)
    try:
        info = admin.revoke_device(db, args.device_id)
    finally:
        db.close()
    print(f"Device {info.id} ({info.login}, {info.name or 'unnamed'}) is revoked; it can no longer sync.")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from casedesk.server import admin

    db = _db(args)
    try:
        info = admin.assign_client(db, args.client_id, args.login)
    finally:
        db.close()
    print(f"Client {args.client_id} is now in {info.login}'s caseload.")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from casedesk.server import admin

    db = _db(args)
    try:
        users = admin.list_users(db)
    finally:
        db.close()
    print_table(["login", "name", "role", "supervisor", "active"], [(u.login, u.name, u.role, u.supervisor, u.active) for u in users])
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from casedesk.server import admin

    db = _db(args)
    try:
        devices = admin.list_devices(db, args.login)
    finally:
        db.close()
    print_table(
        ["device", "login", "name", "enrolled", "last seen", "revoked"],
        [(d.id, d.login, d.name, local_time(d.created_at), local_time(d.last_seen_at), local_time(d.revoked_at)) for d in devices],
    )
    return 0


# ---- device side ---------------------------------------------------------------------------------------


def cmd_enroll(args: argparse.Namespace) -> int:
    from casedesk.sync import client

    store = open_store(args)
    try:
        result = client.enroll(
            store, args.url, args.code, device_name=args.device_name, upload_existing=args.upload_existing
        )
    finally:
        store.close()
    print(f"Enrolled as {result.login} ({result.name}, {result.role}) with {result.server_url}.")
    print(f"Device id: {result.device_id}")
    if result.queued:
        print(f"{result.queued} existing records will be sent at the next sync.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from casedesk.sync import client

    store = open_store(args)
    try:
        if args.retry_stuck:
            client.retry_stuck(store)
        result = client.sync_once(store)
        info = client.status(store)
    finally:
        store.close()
    if args.json:
        print_json(
            {
                "pushed": result.pushed,
                "pulled": result.pulled,
                "conflicts": result.conflicts,
                "not_accepted": result.not_accepted,
                "stuck": len(info.stuck),
                "waiting": result.waiting,
                "removed_clients": result.removed_clients,
                "kept_clients": result.kept_clients,
                "open_conflicts": info.open_conflicts,
            }
        )
        return 0
    print(f"pushed {result.pushed}, pulled {result.pulled}, conflicts {result.conflicts}")
    if result.waiting:
        print(f"{result.waiting} changes still waiting (they go at the next sync).")
    for stuck in info.stuck:
        print(f"stuck: {stuck.table} {stuck.row_id} after {stuck.attempts} tries - {stuck.reason}")
    if info.open_conflicts:
        print(f"{info.open_conflicts} conflicts to review: casedesk conflicts")
    if result.removed_clients:
        print(f"{len(result.removed_clients)} clients left your caseload and were removed from this device.")
    if result.kept_clients:
        print(f"{len(result.kept_clients)} clients left your caseload; kept until their unsent changes are sent.")
    return 0


def cmd_sync_status(args: argparse.Namespace) -> int:
    from casedesk.sync import client

    store = open_store(args)
    try:
        info = client.status(store)
    finally:
        store.close()
    if args.json:
        print_json(info)
        return 0
    if not info.enrolled:
        print("Not enrolled with an agency server (casedesk enroll URL CODE).")
        return 0
    print(f"Server: {info.server_url} as {info.login} (device {info.device_id})")
    print(f"Last synced: {local_time(info.last_success_at) or 'never'}")
    if info.last_error:
        print(f"Last problem: {info.last_error}")
    print(f"Changes waiting: {info.waiting}; stuck: {len(info.stuck)}; open conflicts: {info.open_conflicts}")
    for stuck in info.stuck:
        print(f"  stuck: {stuck.table} {stuck.row_id} after {stuck.attempts} tries - {stuck.reason}")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from casedesk.sync import conflicts

    store = open_store(args)
    try:
        with store.read_session() as s:
            views = conflicts.open_conflicts(s)
    finally:
        store.close()
    if args.json:
        print_json(views)
        return 0
    if not views:
        print("No open sync conflicts.")
        return 0
    for v in views:
        print(f"{v.id}  {v.record_label} {v.row_id}" + (f" ({v.client_name})" if v.client_name else "") + f"  [{v.kind}]")
        for f in v.fields:
            print(f"    {f.name}: mine={json.dumps(f.mine, ensure_ascii=False)}  theirs={json.dumps(f.theirs, ensure_ascii=False)}")
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from casedesk.errors import ValidationError
    from casedesk.sync import conflicts

    values: dict[str, Any] = {}
    for item in args.set:
        name, sep, raw = item.partition("=")
        if not sep:
            raise ValidationError(f"--set needs FIELD=VALUE, got {item!r}.")
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw
    store = open_store(args)
    try:
        with store.session() as s:
            conflicts.resolve(s, args.conflict_id, args.choice, values or None)
    finally:
        store.close()
    print("Resolved; the decision goes to the server at the next sync.")
    return 0
