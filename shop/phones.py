"""Mainland mobile numbers as people type them: "+86 138-0013-8000", "0086 13800138000",
"(138) 0013 8000", full-width digits from a Chinese keyboard. Normalised to the 11 digits the
shop stores; whether those are a valid number is the validator's job."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-().·]")
_COUNTRY_CODE = re.compile(r"^(?:\+86|0086|86(?=1\d{10}$))")


def normalise_mobile(text: str) -> str:
    """The digits of a mainland mobile number without country code and separators ("" for
    nothing typed). Anything else is returned as typed, less separators, to be refused."""
    text = unicodedata.normalize("NFKC", text or "").strip()  # full-width ＋８６ -> +86
    text = _SEPARATORS.sub("", text)
    return _COUNTRY_CODE.sub("", text)
