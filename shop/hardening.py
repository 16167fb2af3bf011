"""One request-hardening layer in front of every view: the API, the storefront forms and the admin.

PostgreSQL cannot store a NUL character in text, and a lone UTF-16 surrogate (JSON's "\\ud800")
cannot even be encoded; either one reaching a query is a 500. Deeply nested JSON exhausts the
parser's recursion, and a number past 64 bits cannot be a column value. So, before any view:

- a NUL or a lone surrogate in the path, the query string, a form field or a JSON string (keys
  included) is a 400;
- JSON nested deeper than settings.JSON_MAX_DEPTH is a 400, a JSON body larger than
  settings.JSON_MAX_BODY_BYTES (or any form body larger than DATA_UPLOAD_MAX_MEMORY_SIZE) a 413;
- a JSON integer outside PostgreSQL's bigint is a 400;
- and behind all of those, a value the database itself refuses as out of range or unstorable
  (a number too big for a 32-bit column, say) is a 400, not a 500;
- a request whose database connection died under it (restart, failover) is a 503 with
  Retry-After: its transaction went with the connection, so nothing of it was kept.

The API answers `{"detail", "code"}` like every other error (shop.errors); pages get a short
plain message.
"""

import json
import logging
import re

from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from shop.api_paths import is_api_request

logger = logging.getLogger(__name__)

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
# SQLSTATEs of a value PostgreSQL cannot store: numeric_value_out_of_range,
# untranslatable_character, character_not_in_repertoire, invalid_text_representation.
UNSTORABLE_VALUE_SQLSTATES = {"22003", "22P05", "22021", "22P02"}
# Gateways' and carriers' signed callbacks: their raw bytes are verified and logged (escaped) by
# the endpoint itself, which answers in the sender's own format; only path, query string and
# size are checked here.
RAW_BODY_PATHS = ("/api/payments/notify/", "/api/logistics/webhook/")


class HostileInput(Exception):
    def __init__(self, detail: str, *, code: str, status: int = 400):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.status = status


def _is_json(request) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _check_text(value: str, where: str) -> None:
    if UNSTORABLE.search(value):
        raise HostileInput(
            f"{where} contains a character that cannot be stored (NUL or an invalid code point).",
            code="invalid_character",
        )


def check_json_value(data, *, max_depth: int) -> None:
    """Walks decoded JSON without recursion: depth, text and integer range."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > max_depth:
                raise HostileInput(
                    f"JSON is nested deeper than {max_depth} levels.", code="json_too_deep"
                )
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key, "A JSON key")
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value, "A JSON value")
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not BIGINT_MIN <= value <= BIGINT_MAX
        ):
            raise HostileInput("A number in the JSON is out of range.", code="out_of_range")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes):
    """json.loads (strict: no NaN or Infinity) that answers HostileInput for nesting the parser
    cannot take."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise HostileInput(
            f"JSON is nested deeper than {settings.JSON_MAX_DEPTH} levels.", code="json_too_deep"
        ) from None


def check_request(request) -> None:
    _check_text(request.path_info, "The address")
    for key, values in request.GET.lists():
        _check_text(key, "The query string")
        for value in values:
            _check_text(value, "The query string")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    length = _content_length(request)
    if request.path_info.startswith(RAW_BODY_PATHS):
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise HostileInput("The request body is too large.", code="too_large", status=413)
        return
    if _is_json(request):
        if length > settings.JSON_MAX_BODY_BYTES:
            raise HostileInput("The request body is too large.", code="too_large", status=413)
        if not request.body:
            return
        try:
            data = parse_json(request.body)
        except ValueError:
            return  # not JSON at all: the view's parser answers that with its own 400
        check_json_value(data, max_depth=settings.JSON_MAX_DEPTH)
        return
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/"):
        for upload in request.FILES.values():
            _check_text(upload.name or "", "A file name")
    elif length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise HostileInput("The request body is too large.", code="too_large", status=413)
    if content_type.startswith(("multipart/", "application/x-www-form-urlencoded")):
        for key, values in request.POST.lists():
            _check_text(key, "A form field")
            for value in values:
                _check_text(value, "A form field")


def _answer(request, detail: str, code: str, status: int) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


def _connection_lost(exception) -> bool:
    """The database connection is gone (server restart, failover, network): SQLSTATE class 08
    or 57P, or psycopg saw the connection break. A lock timeout or deadlock is not that."""
    from django.db import connection

    sqlstate = getattr(exception.__cause__, "sqlstate", None) or ""
    if sqlstate.startswith(("08", "57P")):
        return True
    raw = connection.connection
    return raw is None or bool(getattr(raw, "closed", False) or getattr(raw, "broken", False))


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except HostileInput as refused:
            logger.info("refused %s %r: %s", request.method, request.path, refused.detail)
            return _answer(request, refused.detail, refused.code, refused.status)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) and _connection_lost(
            exception
        ):
            # The transaction died with the connection, so nothing of the request was kept; the
            # next request gets a fresh connection (CONN_HEALTH_CHECKS).
            logger.error(
                "database connection lost during %s %s: %s", request.method, request.path, exception
            )
            response = _answer(
                request,
                "The shop could not reach its database; nothing was saved. Please try again.",
                "database_unavailable",
                503,
            )
            response["Retry-After"] = "5"
            return response
        if isinstance(exception, DataError) and (
            getattr(exception.__cause__, "sqlstate", None) in UNSTORABLE_VALUE_SQLSTATES
        ):
            logger.warning("value refused by the database answered as 400: %s", exception)
            return _answer(
                request,
                "A value is out of range or cannot be stored; please check the numbers and text.",
                "out_of_range",
                400,
            )
        return None


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with the same bounds, for a request that did not pass the middleware
    (a view called directly): nesting is a 400, never a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw:
            raise ParseError("JSON parse error - empty body.")
        try:
            data = parse_json(raw)
            check_json_value(data, max_depth=settings.JSON_MAX_DEPTH)
        except HostileInput as refused:
            raise ParseError(refused.detail, code=refused.code) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return data
