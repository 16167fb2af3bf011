"""How a bill row writes its numbers and how long it may be."""

from decimal import Decimal


def plain_number(value: Decimal) -> str:
    """200.00 -> "200", 7.50 -> "7.5": numbers the way a shop writes them in a label."""
    text = format(Decimal(value).quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def row_label(text: str) -> str:
    """A label that fits a PriceLine (128 characters)."""
    return text if len(text) <= 128 else text[:127] + "…"
