"""Multilingual full-text search on whoosh, kept in step with the database by an outbox."""
