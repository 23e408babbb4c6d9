"""Reports (issue 15): the monthly coordination report (PDF and xlsx), the development-indicator sheet and the
archive of issued reports."""
