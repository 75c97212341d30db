"""First-run wizard, unlock dialog and the lock screen form."""
