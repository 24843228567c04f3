"""Per-field, per-language translations of content, with their status."""
