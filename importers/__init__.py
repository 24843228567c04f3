"""Importers: spreadsheets, calendars and Open Referral (HSDS) directories, on one pipeline.

read → parse (a reader per kind yields ``Record``s and ``RowError``s) → map to the model →
validate → upsert by (source, external id) with a content hash → report.
"""
