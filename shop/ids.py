"""Human-readable, non-enumerable business numbers (order, payment, refund, case numbers).

A number is a one-letter kind prefix, the local date and 10 random digits: readable on the
phone to support staff, sortable by day, and not guessable from a neighbour's number.
"""

import secrets

from django.utils import timezone


def new_business_number(prefix: str) -> str:
    today = timezone.localdate().strftime("%Y%m%d")
    return f"{prefix}{today}{secrets.randbelow(10**10):010d}"
