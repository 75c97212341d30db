"""The PySide6 desktop window. Thin widgets over casedesk.services; the only package that imports Qt."""
