"""Child processes for the backup tests (run as `python tests/backup/children.py MODE DATA_DIR ...`).

writer DATA_DIR CLIENT_ID GOAL_A GOAL_B
    write and sign notes "seq-<n>" (n = 0, 1, ...) one per transaction, printing n after each commit,
    until stdin is closed
hold DATA_DIR
    open the profile, print "open", wait for stdin to close (or to be killed: an unclean exit)
autosave DATA_DIR CLIENT_ID
    open the profile, autosave an editor's draft, print "saved", wait to be killed
backup DATA_DIR KILL_AT [files]
    make an automatic backup; SIGKILL itself just before the KILL_AT-th C-function call inside it
    (KILL_AT 0: never; "files": count only calls that change files); prints "calls <n>" when it completes
restore DATA_DIR BACKUP_FILE KILL_AT [files]
    the same for restore_backup(BACKUP_FILE)
loop-backup DATA_DIR / loop-restore DATA_DIR FILE_A FILE_B
    back up (or restore A and B alternately) forever, printing "ready" first: the parent kills it at a
    random moment (inside C code too)
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from pathlib import Path
from typing import Any

from casedesk.db.store import Store
from casedesk.domain.notes import GoalRating
from casedesk.services import backup, notes
from casedesk.services.notes import NoteInput

PASSPHRASE = os.environ.get("CASEDESK_PASSPHRASE", "correct horse battery")


# C functions that change files: killing just before each of them walks every step of a file protocol.
FILE_CALLS = frozenset({"replace", "rename", "unlink", "rmdir", "mkdir", "fsync", "sendfile", "copy_file_range"})


def changes_files(fn: Any) -> bool:
    name = getattr(fn, "__name__", "")
    if name in FILE_CALLS and getattr(fn, "__module__", None) == "posix":
        return True
    return name == "backup" and type(getattr(fn, "__self__", None)).__name__ == "Connection"  # SQLite online backup


class KillAt:
    """A profile hook that SIGKILLs this process just before its n-th C-function call (or counts them).
    With only_file_calls, only calls that change files are counted."""

    def __init__(self, n: int, only_file_calls: bool = False) -> None:
        self.n = n
        self.only_file_calls = only_file_calls
        self.calls = 0

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event == "c_call" and (not self.only_file_calls or changes_files(arg)):
            self.calls += 1
            if self.calls == self.n:
                os.kill(os.getpid(), signal.SIGKILL)

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sys.setprofile(self)
        try:
            return fn(*args, **kwargs)
        finally:
            sys.setprofile(None)


def writer(data_dir: str, cid: str, goal_a: str, goal_b: str) -> None:
    store = Store.open(Path(data_dir), passphrase=PASSPHRASE)
    import select

    n = 0
    while True:
        data = NoteInput(
            client_id=cid,
            contact_start=dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(hours=n),
            duration_minutes=30,
            body={"data": f"seq-{n} observed.", "assessment": "Fine.", "plan": "Continue."},
            goals=(GoalRating(goal_a, "good"), GoalRating(goal_b, "some")),
        )
        with store.session() as s:
            nid = notes.create_draft(s, data)
            notes.sign_note(s, nid)
        print(n, flush=True)
        n += 1
        ready, _, _ = select.select([sys.stdin], [], [], 0)
        if ready and not sys.stdin.readline():
            break
    store.close()


def main(argv: list[str]) -> None:
    mode, data_dir = argv[0], argv[1]
    if mode == "writer":
        writer(data_dir, *argv[2:5])
        return
    store = Store.open(Path(data_dir), passphrase=PASSPHRASE)
    if mode == "hold":
        print("open", flush=True)
        sys.stdin.read()
        store.close()
    elif mode == "autosave":
        with store.session() as s:
            notes.autosave(s, "note:unsaved", {"data": "She said the new stove works."}, argv[2])
        print("saved", flush=True)
        sys.stdin.read()
    elif mode == "backup":
        hook = KillAt(int(argv[2]), argv[3:4] == ["files"])
        hook.run(backup.create_backup, store, kind="auto")
        print("calls", hook.calls, flush=True)
        store.close()
    elif mode == "restore":
        key = store.database_key()
        store.close()
        hook = KillAt(int(argv[3]), argv[4:5] == ["files"])
        hook.run(backup.restore_backup, store.paths, key, Path(argv[2]))
        print("calls", hook.calls, flush=True)
    elif mode == "loop-backup":
        print("ready", flush=True)
        while True:
            backup.create_backup(store, kind="auto")
    elif mode == "loop-restore":
        key = store.database_key()
        store.close()
        print("ready", flush=True)
        files = [Path(argv[2]), Path(argv[3])]
        i = 0
        while True:
            backup.restore_backup(store.paths, key, files[i % 2])
            i += 1
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
