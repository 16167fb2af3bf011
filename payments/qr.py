"""QR codes for the shopper to scan (WeChat Pay native's weixin:// code_url), as inline SVG:
no image file, no request to a third-party QR service."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_code_svg(text: str, *, title: str = "") -> SafeString:
    """An inline <svg> of `text`; safe because segno escapes the title and draws only paths."""
    # Error level M, a quiet zone of 4 modules and 5 px per module: what phone cameras read
    # from a screen without trouble.
    code = segno.make(text, error="m")
    return mark_safe(code.svg_inline(scale=5, border=4, title=title or None))
