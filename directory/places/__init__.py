"""Counties, municipalities and venues: where offers happen."""
