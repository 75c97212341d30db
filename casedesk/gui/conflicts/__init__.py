"""Side-by-side review of sync conflicts."""
