"""Fixtures of the journal's tests: users made without importing the accounts app."""

import itertools

import pytest
from django.contrib.auth import get_user_model

_numbers = itertools.count(1)


@pytest.fixture
def make_user():
    """Make a saved user of a role (needs database access from the test's marker)."""

    def make(role: str = "applicant", **extra):
        # Through get_user_model(): the journal sits below accounts, even in its tests.
        return get_user_model().objects.create_user(
            email=f"person{next(_numbers)}@example.org",
            password="a long passphrase",
            role=role,
            **extra,
        )

    return make


@pytest.fixture
def user(make_user):
    return make_user()
