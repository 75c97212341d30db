"""The schema revision this CaseDesk reads and writes: the newest file in migrations/versions (a test in
tests/db/test_store.py checks it). Kept apart from db.migrate so a plain-connection read can check it
without loading SQLAlchemy or alembic."""

HEAD_REVISION = "0006"
