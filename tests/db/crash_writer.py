"""Child process for the crash test: writes and signs notes forever, reporting each commit on stdout."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from casedesk.db.store import Store
from casedesk.services import notes
from casedesk.services.notes import NoteInput


def main(root: str, client_id: str, passphrase: str, seed: int) -> None:
    store = Store.open(Path(root), passphrase=passphrase)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        body = {
            "data": f"Round {seed} visit {i}: reviewed meals and bus practice. " * (1 + i % 7),
            "assessment": "Progress steady.",
            "plan": "Next visit in two weeks.",
        }
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i)
        with store.session() as s:
            nid = notes.create_draft(
                s, NoteInput(client_id=client_id, contact_start=start, duration_minutes=30, body=body)
            )
        print(f"draft {nid}", flush=True)
        with store.session() as s:
            digest = notes.sign_note(s, nid)
        print(f"signed {nid} {digest}", flush=True)
        if i % 3 == 0:
            with store.session() as s:
                aid = notes.add_addendum(s, nid, f"Addendum {i}")
            print(f"addendum {nid} {aid}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
