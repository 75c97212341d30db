"""Upcoming visits pane (a plain list until the calendar pane replaces it)."""
