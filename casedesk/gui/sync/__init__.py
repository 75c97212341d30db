"""Sync in the GUI: status bar part, background sync with backoff, enrolment dialog."""
