import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Sign-ups and sign-ins hash passwords; PBKDF2's cost says nothing about the behaviour.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
