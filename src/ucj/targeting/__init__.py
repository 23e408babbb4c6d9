"""Targeting and enrolment (issue 14): person lists (DTSEN/P3KE, village population, sector lists), the BPJS
person-level match, candidates, village worklists and the enrolment pipeline."""
