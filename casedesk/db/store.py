"""The encrypted case store: create, unlock, sessions, checks, passphrase change, lock.

store = Store.open(data_dir, passphrase="...")
with store.session() as s:      # one unit of work per user action (BEGIN IMMEDIATE ... COMMIT)
    ...
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

import casedesk.db.tracking  # noqa: F401  (registers the session hooks)
from casedesk.db import cipher, migrate, restore_swap
from casedesk.db import engine as dbengine
from casedesk.db.models import Agency, Setting, Worker
from casedesk.db.profile import ProfilePaths
from casedesk.db.profile_lock import RESTORING_MESSAGE, ProfileLock
from casedesk.db.types import new_id, utcnow
from casedesk.errors import (
    CaseDeskError,
    DatabaseDamagedError,
    ImmutableRecordError,
    KeyFileError,
    PassphraseRequiredError,
    ProfileExistsError,
    ProfileMissingError,
    StorageError,
    WrongPassphraseError,
)
from casedesk.fileio import storage_error
from casedesk.services import audit
from casedesk.vault import keychain
from casedesk.vault.keyfile import KdfParams, KeyFile
from casedesk.vault.policy import check_passphrase_policy
from casedesk.vault.recovery import format_recovery_key, new_recovery_key


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    message: str


def translate_db_error(exc: BaseException, paths: ProfilePaths) -> CaseDeskError | None:
    """Map low-level database errors to messages a user can act on (None: not ours to explain)."""
    original = getattr(exc, "orig", exc)
    msg = str(original)
    if "casedesk:" in msg:
        return ImmutableRecordError(msg.split("casedesk:", 1)[1].strip().capitalize() + ".")
    if cipher.is_disk_full(original):
        return StorageError(
            f"The disk holding {paths.root} is full. Your change was not saved and nothing stored was harmed; "
            "free some space and try again."
        )
    if cipher.is_read_only(original):
        return StorageError(
            f"CaseDesk cannot write to {paths.root} (read-only or no permission). Your change was not saved."
        )
    if cipher.is_damaged(original):
        return DatabaseDamagedError(cipher.damaged_message(paths.database, "is damaged"))
    return None


class Store:
    def __init__(self, paths: ProfilePaths, engine: Engine, profile_id: str, key_file: KeyFile) -> None:
        self.paths = paths
        self.engine = engine
        self.profile_id = profile_id
        self.key_file = key_file
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            bind=engine.execution_options(**{dbengine.READ_OPTION: True}), expire_on_commit=False
        )
        self.worker_id: str | None = None
        self.unclean_previous_exit = False
        self._db_key = b""
        self._profile_lock: ProfileLock | None = None

    # ---- creating and opening -----------------------------------------------------------------

    @classmethod
    def create(
        cls,
        data_dir: Path,
        passphrase: str,
        *,
        agency_name: str = "My agency",
        worker_name: str = "Case manager",
        worker_login: str | None = None,
        kdf: KdfParams | None = None,
        enforce_policy: bool = True,
    ) -> tuple[Store, str]:
        """Create a new profile. Returns the open store and the recovery key (show it once)."""
        paths = ProfilePaths(Path(data_dir))
        if paths.exists():
            raise ProfileExistsError(
                f"A CaseDesk profile already exists in {paths.root}; it was left untouched. "
                "Use another --data-dir, or remove that folder yourself if you really mean to start over."
            )
        if enforce_policy:
            check_passphrase_policy(passphrase)
        try:
            paths.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise storage_error(exc, paths.database) from None
        if not os.access(paths.root, os.W_OK):
            raise StorageError(f"CaseDesk cannot write to {paths.root} (read-only or no permission).")

        db_key = secrets.token_bytes(32)
        recovery = new_recovery_key()
        profile_id = new_id()
        key_file = KeyFile.create(profile_id, db_key, passphrase, recovery, kdf or KdfParams.default())
        engine = dbengine.make_engine(paths.database, db_key)
        try:
            migrate.upgrade(engine)
            for path in [paths.database, *paths.sidecars()]:
                if path.exists():
                    path.chmod(0o600)
            store = cls(paths, engine, profile_id, key_file)
            store._db_key = db_key
            with store.session(actor="system") as s:
                agency = Agency(name=agency_name)
                s.add(agency)
                s.flush()
                worker = Worker(name=worker_name, login=worker_login, role="worker", agency_id=agency.id)
                s.add(worker)
                s.flush()
                s.add(Setting(key="profile_id", value=profile_id))
                s.add(Setting(key="current_worker_id", value=worker.id))
                s.add(Setting(key="agency_id", value=agency.id))
                audit.record(s, "profile_created", "worker", worker.id, actor=worker.id)
            key_file.save(paths.key_file)
        except BaseException:
            engine.dispose()
            for path in [paths.database, *paths.sidecars(), paths.key_file]:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        store._after_open()
        store._profile_lock = ProfileLock(paths.root)
        store._profile_lock.shared()
        return store, format_recovery_key(recovery)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        passphrase: str | None = None,
        recovery_key: str | None = None,
        kek: bytes | None = None,
    ) -> Store:
        """Unlock a profile with the passphrase, the recovery key, or a KEK recalled from the keyring."""
        paths = ProfilePaths(Path(data_dir))
        # A restore that a crash interrupted is completed first (services.backup; db.restore_swap).
        restore_note = restore_swap.finish_interrupted_restore(paths) if paths.root.is_dir() else None
        if restore_note:
            paths.write_state(restore_note=restore_note, open=False)
        lock = ProfileLock(paths.root)
        if paths.root.is_dir() and not lock.shared():
            raise StorageError(RESTORING_MESSAGE)
        try:
            store = cls._open(paths, passphrase=passphrase, recovery_key=recovery_key, kek=kek)
        except BaseException:
            lock.release()
            raise
        store._profile_lock = lock
        return store

    @classmethod
    def _open(
        cls, paths: ProfilePaths, *, passphrase: str | None, recovery_key: str | None, kek: bytes | None
    ) -> Store:
        if not paths.database.exists():
            if paths.key_file.exists():
                raise DatabaseDamagedError(
                    f"The CaseDesk database {paths.database} is missing (its key file is there). "
                    "Restore a backup with `casedesk restore`."
                )
            raise ProfileMissingError(
                f"No CaseDesk profile in {paths.root}. Create one with `casedesk init` (or try `casedesk demo`)."
            )
        key_file = KeyFile.load(paths.key_file)
        failure_action = "failed_login"
        try:
            if kek is not None:
                db_key = key_file.unwrap_with_kek(kek)
            elif recovery_key is not None:
                db_key = key_file.unwrap_with_recovery_key(recovery_key)
            elif passphrase is not None:
                db_key = key_file.unwrap_with_passphrase(passphrase)
            else:
                raise PassphraseRequiredError("A passphrase is needed to open this profile.")
        except WrongPassphraseError:
            state = paths.read_state()
            paths.write_state(
                failed_unlocks=int(state.get("failed_unlocks", 0)) + 1, last_failed_at=utcnow().isoformat()
            )
            raise
        # Before reading the file: on a read-only medium SQLite cannot open a WAL database at all, and
        # that must not be reported as damage.
        if not os.access(paths.root, os.W_OK):
            raise StorageError(
                f"CaseDesk cannot write to {paths.root} (read-only or no permission), so it cannot open the "
                "profile safely. Nothing was changed."
            )
        cipher.verify_key_and_file(paths.database, db_key)
        engine = dbengine.make_engine(paths.database, db_key)
        try:
            migrate.upgrade(engine)
            store = cls(paths, engine, key_file.profile_id, key_file)
            store._db_key = db_key
            with store.read_session() as s:
                store.worker_id = s.get(Setting, "current_worker_id").value  # type: ignore[union-attr]
            state = paths.read_state()
            failures = int(state.get("failed_unlocks", 0))
            with store.session() as s:
                for _ in range(min(failures, 100)):
                    audit.record(s, failure_action, actor="unknown", detail={"when": "before this unlock"})
                audit.record(s, "recovery_unlock" if recovery_key is not None else "login")
        except CaseDeskError:
            engine.dispose()
            raise
        except sa_exc.DBAPIError as exc:
            engine.dispose()
            raise translate_db_error(exc, paths) or DatabaseDamagedError(
                cipher.damaged_message(paths.database, f"could not be opened ({exc.orig})")
            ) from None
        store.unclean_previous_exit = bool(state.get("open"))
        store._after_open()
        return store

    def _after_open(self) -> None:
        self.paths.write_state(open=True, pid=os.getpid(), failed_unlocks=0)
        if self.worker_id is None:
            with self.read_session() as s:
                setting = s.get(Setting, "current_worker_id")
                self.worker_id = setting.value if setting else None

    def close(self) -> None:
        """Close cleanly: checkpoint the WAL, mark a clean exit, drop the key with the engine."""
        # On the DB-API connection itself: the engine's begin hook would wrap the pragma in
        # BEGIN IMMEDIATE, where a checkpoint cannot run.
        with contextlib.suppress(Exception):
            raw = self.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            finally:
                raw.close()
        self.engine.dispose()
        self._db_key = b""
        self.paths.write_state(open=False, closed_at=utcnow().isoformat())
        if self._profile_lock is not None:
            self._profile_lock.release()
            self._profile_lock = None

    def database_key(self) -> bytes:
        """The raw database key, for keying encrypted backup copies (services.backup) with the same data
        key. Never log, print or store it."""
        if not self._db_key:
            raise RuntimeError("this store is closed")
        return self._db_key

    # ---- sessions -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self, actor: str | None = None) -> Iterator[Session]:
        """A read-write unit of work; commits on success, rolls back on any error."""
        yield from self._unit_of_work(self._sessions, actor)

    @contextlib.contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only unit of work (does not take the write lock)."""
        yield from self._unit_of_work(self._read_sessions, None)

    def _unit_of_work(self, factory: sessionmaker[Session], actor: str | None) -> Iterator[Session]:
        s = factory()
        s.info["actor"] = actor or self.worker_id or "system"
        s.info["store"] = self
        try:
            yield s
            s.commit()
        except sa_exc.DBAPIError as exc:
            s.rollback()
            translated = translate_db_error(exc, self.paths)
            if isinstance(translated, DatabaseDamagedError):
                # SQLCipher keeps failing on a connection that met a bad page: start the pool afresh
                self.engine.dispose()
            if translated is not None:
                raise translated from None
            raise
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    # ---- keys -----------------------------------------------------------------------------------

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the database key under a new passphrase (instant; the database is not rekeyed)."""
        check_passphrase_policy(new)
        db_key = self.key_file.unwrap_with_passphrase(old)
        self.key_file.set_passphrase(db_key, new)
        self.key_file.save(self.paths.key_file)
        keychain.forget(self.profile_id)
        with self.session() as s:
            audit.record(s, "passphrase_change")

    def passphrase_kek(self, passphrase: str) -> bytes:
        """The KEK for `passphrase` after checking it opens this profile (used by "remember me")."""
        kek = self.key_file.passphrase_kek(passphrase)
        self.key_file.unwrap_with_kek(kek)
        return kek

    def verify_passphrase(self, passphrase: str) -> bool:
        try:
            self.key_file.unwrap_with_passphrase(passphrase)
            return True
        except (WrongPassphraseError, KeyFileError):
            return False

    # ---- checks ---------------------------------------------------------------------------------

    def check(self) -> list[CheckResult]:
        """integrity_check, cipher_integrity_check (page HMACs), foreign keys, search indexes, audit chain.

        A check that cannot even run (an unreadable page) counts as failed; the others still run.
        """
        results: list[CheckResult] = []

        def run(name: str, probe: Any) -> None:
            try:
                ok, message = probe()
            except (sa_exc.DBAPIError, sqlite3.DatabaseError, sqlcipher3.DatabaseError, CaseDeskError) as exc:
                ok, message = False, f"could not run: {getattr(exc, 'orig', exc)}"
            results.append(CheckResult(name, ok, message))

        def pragma_rows(sql: str) -> list[Any]:
            with self.engine.connect() as conn:
                rows = [r[0] for r in conn.exec_driver_sql(sql).fetchall()]
                conn.rollback()
                return rows

        def integrity() -> tuple[bool, str]:
            rows = pragma_rows("PRAGMA integrity_check")
            return rows == ["ok"], "ok" if rows == ["ok"] else summarise(rows)

        def cipher() -> tuple[bool, str]:
            rows = pragma_rows("PRAGMA cipher_integrity_check")
            return not rows, "ok" if not rows else summarise(rows)

        def foreign_keys() -> tuple[bool, str]:
            rows = pragma_rows("PRAGMA foreign_key_check")
            return not rows, "ok" if not rows else f"{len(rows)} broken links"

        def fts(table: str) -> Any:
            def probe() -> tuple[bool, str]:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
                    conn.rollback()
                return True, "ok"

            return probe

        def chain() -> tuple[bool, str]:
            with self.read_session() as s:
                report = audit.verify_chain(s)
            return report.ok, f"{report.events} events verified" if report.ok else (report.problem or "broken")

        run("integrity_check", integrity)
        run("cipher_integrity_check", cipher)
        run("foreign_key_check", foreign_keys)
        run("note search index", fts("note_fts"))
        run("client search index", fts("client_fts"))
        run("audit chain", chain)
        return results

    # ---- settings -------------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.read_session() as s:
            row = s.get(Setting, key)
            return default if row is None else row.value

    def current_worker(self, session: Session) -> Worker:
        worker = session.get(Worker, self.worker_id) if self.worker_id else None
        if worker is None:
            worker = session.execute(select(Worker).limit(1)).scalar_one()
        return worker

    def execute_raw(self, sql: str) -> list[Any]:
        """For diagnostics and tests only."""
        with self.engine.connect() as conn:
            result = conn.execute(text(sql))
            rows = list(result.fetchall()) if result.returns_rows else []
            conn.commit()
            return rows


def summarise(rows: list[Any]) -> str:
    """The first few problems an integrity pragma reported, on one line."""
    lines = [line.strip() for row in rows for line in str(row).splitlines() if line.strip()]
    head = "; ".join(lines[:3])
    return head + (f" (and {len(lines) - 3} more)" if len(lines) > 3 else "")


