"""The API's one exception handler: what a client caused is a 4xx with {"detail", "code"}."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError
from django_fsm import TransitionNotAllowed
from psycopg import errors as pg_errors
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from shop.errors import Conflict


def _lost_lock_race(pg_error):
    """What Django raises when PostgreSQL aborts a transaction over a lock: its own
    OperationalError with the driver's error as the cause."""
    try:
        raise pg_error
    except Exception as cause:
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error


def _answer_when_raising(error):
    class Raising(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def get(self, request):
            raise error

    return Raising.as_view()(APIRequestFactory().get("/"))


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Conflict("Already paid.", code="already_paid"), 409, "already_paid"),
        (TransitionNotAllowed("Can't switch from paid"), 409, "transition_not_allowed"),
        (ValidationError("Bad date."), 400, "invalid"),
        (get_user_model().DoesNotExist("User matching query does not exist."), 404, "not_found"),
        (ProtectedError("Still referenced", set()), 409, "protected"),
        (IntegrityError('duplicate key value violates unique constraint "x"'), 409, "conflict"),
        (_lost_lock_race(pg_errors.DeadlockDetected("deadlock detected")), 409, "busy"),
        (_lost_lock_race(pg_errors.LockNotAvailable("lock timeout")), 409, "busy"),
    ],
)
def test_client_caused_errors_are_4xx_never_500(error, status, code):
    # when a view raises it
    response = _answer_when_raising(error)
    # then the client gets a 4xx with a code, and no database text
    assert (response.status_code, response.data["code"]) == (status, code)
    assert "constraint" not in response.data["detail"]


def test_a_bug_is_still_a_500():
    # an exception nobody maps is left to Django (a 500 with the traceback logged)
    with pytest.raises(KeyError):
        _answer_when_raising(KeyError("x"))
    # and so is a database that is down (not a lock race the client could retry)
    with pytest.raises(OperationalError):
        _answer_when_raising(_lost_lock_race(pg_errors.ConnectionFailure("server closed")))
