"""Organizations that run offers (HSDS organization)."""
