"""Calendar logic without Qt or SQL: recurring visits (RFC 5545 RRULE) and iCalendar import/export."""
