"""File > Backups, automatic backups and start-up recovery in the GUI."""
