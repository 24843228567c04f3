"""Site-wide routes: the root redirect and the health check."""
