"""Profile settings dialog."""
