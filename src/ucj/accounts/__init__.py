"""Accounts: users, region-scoped roles, API tokens, the audit trail and personal-data protection."""
