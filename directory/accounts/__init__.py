"""Contributor accounts: volunteers, organization editors, coordinators, translators, admins."""
