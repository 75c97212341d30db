"""First-run assistant options: import clients from CSV, connect to an agency server, open the demo."""
