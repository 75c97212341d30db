"""Encrypted local store: SQLCipher engine, typed models, migrations, full-text search."""
