"""The accounts tests' ``client_for`` (a client per role of tests/accounts/conftest.py ROLES) for targeting too."""

from tests.accounts.conftest import client_for  # noqa: F401 (a fixture, found by pytest through this conftest)
