"""Domain exceptions and the one place that maps them (and DRF's own) to JSON error bodies.

Services raise these; the API answers `{"detail": ..., "code": ...}` with the status below, and
storefront views show `str(error)` as a message. Nothing a client sends may become a 500.
"""

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.views import defaults as django_defaults
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler
from rest_framework.views import set_rollback

from shop.api_paths import is_api_request

logger = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.extra = extra or {}


class InvalidInput(DomainError):
    pass


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class TransitionNotAllowed(Conflict):
    default_code = "transition_not_allowed"


class OutOfStock(Conflict):
    default_code = "out_of_stock"


class PriceChanged(Conflict):
    """The order would cost other than the payable amount the shopper was shown."""

    default_code = "price_changed"

    def __init__(self, *, expected_payable, payable_amount, breakdown: list):
        from shop.money import format_money

        super().__init__(
            f"The price changed from {format_money(expected_payable)} to "
            f"{format_money(payable_amount)} since you opened this page: please check and "
            "confirm."
        )
        self.expected_payable = expected_payable
        self.payable_amount = payable_amount
        self.breakdown = breakdown  # the bill the order would have had, row by row


def _error_body(detail, code: str, extra: dict | None = None) -> dict:
    body = {"detail": detail, "code": code}
    if extra:
        body.update(extra)
    return body


def domain_error_body(exc: DomainError) -> dict:
    """The JSON body a DomainError is answered with, wherever it is answered."""
    return _error_body(exc.detail, exc.code, exc.extra)


def _flatten_validation_detail(detail) -> str:
    """A readable one-line summary of a DRF validation error, for `detail`."""
    if isinstance(detail, dict):
        parts = []
        for field, errors in detail.items():
            message = _flatten_validation_detail(errors)
            parts.append(message if field == "non_field_errors" else f"{field}: {message}")
        return "; ".join(parts)
    if isinstance(detail, list):
        return " ".join(_flatten_validation_detail(item) for item in detail)
    return str(detail)


def _known_error_response(exc) -> Response | None:
    """Exceptions of Django and django-fsm that are the client's doing, as 4xx answers."""
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=exc.status_code)
    if isinstance(exc, FSMTransitionNotAllowed):
        return Response(
            _error_body(str(exc) or "Not allowed in the current state.", "transition_not_allowed"),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        return Response(
            _error_body(" ".join(exc.messages), "invalid"), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        # A `.get()` that found nothing is the object the client named not existing.
        return Response(_error_body("Not found.", "not_found"), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Response(
            _error_body("Other records still refer to this one.", "protected"),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # A unique or check constraint lost to a concurrent request or a repeated submit; the
        # database's text names tables and columns, so it goes to the log, not to the client.
        logger.warning("Integrity error answered as 409: %s", exc)
        return Response(
            _error_body("This conflicts with data that already exists.", "conflict"),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, OperationalError) and _is_lock_contention(exc):
        # The transaction was rolled back whole, so the client can simply send it again.
        logger.warning("Lock contention answered as 409: %s", exc)
        return Response(
            _error_body("Too many people are changing this right now; please try again.", "busy"),
            status=status.HTTP_409_CONFLICT,
            headers={"Retry-After": "1"},
        )
    return None


# PostgreSQL SQLSTATEs of a transaction that lost a lock race: deadlock_detected,
# serialization_failure, lock_not_available (lock_timeout / NOWAIT).
LOCK_CONTENTION_SQLSTATES = {"40P01", "40001", "55P03"}


def _is_lock_contention(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) in LOCK_CONTENTION_SQLSTATES


def api_exception_handler(exc, context):
    response = _known_error_response(exc)
    if response is not None:
        set_rollback()
        return response
    if isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_default_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = _error_body(
            _flatten_validation_detail(exc.detail), "invalid", {"errors": exc.detail}
        )
    elif isinstance(exc, drf_exceptions.APIException):
        codes = exc.get_codes()
        response.data = _error_body(
            str(exc.detail), codes if isinstance(codes, str) else exc.default_code
        )
    return response


# --- error pages: the branded templates for people, JSON for API clients -----------------------


def page_not_found(request, exception=None):
    """A URL no route matches: under /api/ the same JSON 404 as a view's, elsewhere 404.html."""
    if is_api_request(request):
        return JsonResponse(_error_body(gettext("Not found."), "not_found"), status=404)
    return django_defaults.page_not_found(request, exception)


def permission_denied(request, exception=None):
    if is_api_request(request):
        return JsonResponse(
            _error_body(gettext("You may not do this."), "permission_denied"), status=403
        )
    return django_defaults.permission_denied(request, exception)


def server_error(request):
    if is_api_request(request):
        return JsonResponse(
            _error_body(gettext("Something went wrong on our side."), "server_error"), status=500
        )
    return django_defaults.server_error(request)
