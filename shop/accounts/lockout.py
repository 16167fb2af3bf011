"""What a locked-out sign-in gets back (settings.AXES_LOCKOUT_CALLABLE): 429 with Retry-After, as
JSON in the API and as a page with a message elsewhere."""

from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render

LOCKED_OUT_CODE = "locked_out"


def retry_after_seconds(request) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return (
        "Too many wrong passwords for this account from your network. Sign-in is paused for "
        f"{minutes} minute{'s' if minutes != 1 else ''}; try again then, or ask support to lift it."
    )


def lockout_response(request, original_response=None, credentials=None):
    seconds = retry_after_seconds(request)
    message = lockout_message(seconds)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": message, "code": LOCKED_OUT_CODE, "retry_after": seconds}, status=429
        )
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"message": message, "is_admin": request.path.startswith("/admin/")},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response
