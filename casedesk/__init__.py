"""CaseDesk: offline-first case management for human-services case managers."""

__version__ = "0.1.0"
