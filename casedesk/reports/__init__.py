"""PDF documents: progress notes, quarterly reports (single and batch), forms, caseload due lists.

Qt-free and database-free: callers build the frozen values in casedesk.reports.documents and call a
``render_*`` function with an output path or binary file.
"""
