"""Printing from the desktop window: print preview (pages drawn by pypdfium2), the system print dialog,
Save as PDF, Open in the system viewer, and the Reports menu. The documents come from
casedesk.services.printing; this package only shows, prints and saves them."""
