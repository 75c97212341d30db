"""Use cases. Plain Python, no Qt: each takes a Session (one unit of work per user action) and
returns plain data."""
