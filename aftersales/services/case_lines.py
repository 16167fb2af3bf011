"""What a case's lines are worth: an amount typed by a person, the lines written at their
refundable maximum or at an amount apportioned over them, and the most a case may refund."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shop.errors import InvalidInput
from shop.money import ZERO, apportion, to_money

from .. import selectors
from ..models import AfterSalesCase, CaseLine, CaseType


def amount_from_input(value, *, what: str = "Refund amount") -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, float):
        raise InvalidInput(f"{what} must be a decimal.", code="invalid_amount")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{what} must be a number.", code="invalid_amount") from None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
        raise InvalidInput(f"{what} must be a positive amount in yuan.", code="invalid_amount")
    return to_money(amount)


def lines_fill(
    *,
    case: AfterSalesCase,
    rooms: list[selectors.LineRoom],
    asked: dict[int, int],
    amount: Decimal | None,
) -> None:
    """Write the case's lines at their refundable maximum, or `amount` apportioned over them."""
    with_shipping = selectors.shipping_is_refunded(
        reason=case.reason, stage=case.stage, rooms=rooms, asked=asked
    )
    by_line = {room.line.pk: room for room in rooms}
    maxima = {
        line_id: by_line[line_id].amounts_for(quantity, with_shipping=with_shipping)
        for line_id, quantity in asked.items()
    }
    most = sum((total for total, _shipping in maxima.values()), ZERO)
    if case.type == CaseType.EXCHANGE:
        parts = [ZERO for _line in maxima]
    elif amount is None or amount == most:
        parts = [total for total, _shipping in maxima.values()]
    else:
        if amount > most:
            raise InvalidInput(
                _("You can ask for at most ¥%(most)s.") % {"most": most},
                code="amount_too_high",
                extra={"max_refund_amount": str(most)},
            )
        parts = apportion(amount, [total for total, _shipping in maxima.values()])
    rows = []
    for (line_id, (total, shipping)), part in zip(maxima.items(), parts, strict=True):
        share = min(shipping, to_money(shipping * part / total)) if total else ZERO
        rows.append(
            CaseLine(
                case=case,
                order_line_id=line_id,
                quantity=asked[line_id],
                refund_amount=part,
                shipping_amount=share,
            )
        )
    CaseLine.objects.bulk_create(rows)
    case.refund_amount = sum(parts, ZERO)
    case.shipping_refund = sum((row.shipping_amount for row in rows), ZERO)


def reprice_lines(*, case: AfterSalesCase, amount: Decimal | None) -> None:
    """Write the lines of a case again at a new amount (an accepted offer, an exchange turned
    refund, ops' partial decision). The caller holds the case lock and saves the case."""
    asked = dict(case.lines.values_list("order_line_id", "quantity"))
    case.lines.all().delete()
    rooms = selectors.line_rooms(sub_order=case.sub_order, exclude_case_id=case.pk)
    lines_fill(case=case, rooms=rooms, asked=asked, amount=amount)


def most_refundable(case: AfterSalesCase) -> Decimal:
    rooms = selectors.line_rooms(sub_order=case.sub_order, exclude_case_id=case.pk)
    asked = dict(case.lines.values_list("order_line_id", "quantity"))
    with_shipping = selectors.shipping_is_refunded(
        reason=case.reason, stage=case.stage, rooms=rooms, asked=asked
    )
    by_line = {room.line.pk: room for room in rooms}
    return sum(
        (
            by_line[line_id].amounts_for(q, with_shipping=with_shipping)[0]
            for line_id, q in asked.items()
        ),
        ZERO,
    )
