"""Curation: status changes, the audit log, freshness checks and problem reports."""
