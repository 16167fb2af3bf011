"""Reads of after-sales that pages, the API, the admin and the services share: what a sub-order's
lines can still be asked for, how much each could give back, and case look-ups scoped to who
asks (a shopper their own, a merchant's staff their merchant's, operations all)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.actors import is_platform_staff, staff_merchant
from catalog.selectors import no_reason_return_allowed
from orders.models import OrderLine, SubOrder
from shop.errors import NotFound
from shop.money import ZERO, to_money

from .models import (
    SHOPPER_TYPES,
    AfterSalesCase,
    CaseLine,
    CaseReason,
    CaseType,
    Responsibility,
    ReturnAddress,
    Stage,
)

# States in which a case holds its units: no other case may ask for them. A refunding case's
# units are already counted as refunded on the line (payments records them with the refund).
HOLDING_UNITS = tuple(s for s in AfterSalesCase.OPEN if s != AfterSalesCase.Status.REFUNDING)
# States whose shipping part was (or is being) refunded.
REFUNDS_COUNTED = (AfterSalesCase.Status.REFUNDING, AfterSalesCase.Status.REFUNDED)


def stage_of(sub_order: SubOrder) -> str | None:
    """The stage a reason sees; None when after-sales is over (completed or closed)."""
    status = sub_order.status
    if status == SubOrder.Status.AWAITING_SHIPMENT:
        return Stage.NOT_SHIPPED
    if status == SubOrder.Status.SHIPPED:
        return Stage.IN_TRANSIT
    if status in (SubOrder.Status.DELIVERED, SubOrder.Status.RECEIVED):
        return Stage.RECEIVED
    return None


def types_for_stage(stage: str | None) -> list[str]:
    if stage == Stage.NOT_SHIPPED or stage == Stage.IN_TRANSIT:
        return [CaseType.REFUND_ONLY]
    if stage == Stage.RECEIVED:
        return list(SHOPPER_TYPES)
    return []


def window_ends_at(sub_order: SubOrder):
    """A received sub-order takes requests until its trade completes (AFTERSALES_WINDOW_DAYS
    after receipt, held while a case is open); before receipt there is no end yet."""
    if sub_order.status == SubOrder.Status.RECEIVED:
        return sub_order.auto_complete_at
    return None


@dataclass
class LineRoom:
    """What one order line can still be asked for."""

    line: OrderLine
    held_quantity: int  # units in open cases
    shipping_refunded: Decimal  # of the line's refunded amount, what was shipping
    open_case_no: str | None = None

    @property
    def refundable_quantity(self) -> int:
        return max(self.line.quantity - self.line.refunded_quantity - self.held_quantity, 0)

    @property
    def money_left(self) -> Decimal:
        return max(self.line.paid_amount - self.line.refunded_amount, ZERO)

    def amounts_for(self, quantity: int, *, with_shipping: bool) -> tuple[Decimal, Decimal]:
        """(refund, of which shipping) for `quantity` units: their share of the goods paid
        (the discounts apportioned at checkout), the rest of it for the line's last units, and
        their share of the line's shipping when it is refunded too. Never past money_left."""
        line = self.line
        units_left = line.quantity - line.refunded_quantity
        goods_paid = line.paid_amount - line.shipping_share
        goods_left = goods_paid - (line.refunded_amount - self.shipping_refunded)
        shipping_left = line.shipping_share - self.shipping_refunded
        if quantity >= units_left:
            goods, shipping = goods_left, shipping_left
        else:
            goods = min(to_money(goods_paid * quantity / line.quantity), goods_left)
            shipping = min(to_money(line.shipping_share * quantity / line.quantity), shipping_left)
        goods, shipping = max(goods, ZERO), max(shipping, ZERO) if with_shipping else ZERO
        total = min(goods + shipping, self.money_left)
        return total, min(shipping, total)


def _rooms(lines, case_lines) -> list[LineRoom]:
    """Each line with what open cases hold of it; `case_lines` are (order_line_id, quantity,
    shipping_amount, case status, case_no) of the cases on these lines."""
    held: dict[int, int] = {}
    open_case: dict[int, str] = {}
    shipping: dict[int, Decimal] = {}
    for line_id, quantity, shipping_amount, status, case_no in case_lines:
        if status in HOLDING_UNITS:
            held[line_id] = held.get(line_id, 0) + quantity
            open_case.setdefault(line_id, case_no)
        if status in REFUNDS_COUNTED:
            shipping[line_id] = shipping.get(line_id, ZERO) + shipping_amount
    return [
        LineRoom(
            line=line,
            held_quantity=held.get(line.pk, 0),
            shipping_refunded=shipping.get(line.pk, ZERO),
            open_case_no=open_case.get(line.pk),
        )
        for line in sorted(lines, key=lambda line: line.pk)
    ]


CASE_LINE_FIELDS = ("order_line_id", "quantity", "shipping_amount", "case__status", "case__case_no")


def line_rooms(*, sub_order: SubOrder, exclude_case_id: int | None = None) -> list[LineRoom]:
    """Every line of the sub-order with what open cases hold of it (two queries)."""
    lines = list(OrderLine.objects.filter(sub_order=sub_order).order_by("pk"))
    case_lines = CaseLine.objects.filter(order_line__in=lines)
    if exclude_case_id is not None:
        case_lines = case_lines.exclude(case_id=exclude_case_id)
    return _rooms(lines, case_lines.values_list(*CASE_LINE_FIELDS))


def shipping_is_refunded(
    *, reason: CaseReason, stage: str, rooms: list[LineRoom], asked: dict[int, int]
) -> bool:
    """Shipping goes back when the buyer is not the cause (wrong item, defect, lost parcel),
    and with the last units of a sub-order refunded before anything shipped."""
    if reason.responsibility != Responsibility.BUYER:
        return True
    if stage != Stage.NOT_SHIPPED:
        return False
    return all(
        asked.get(room.line.pk, 0) >= room.line.quantity - room.line.refunded_quantity
        for room in rooms
    )


@dataclass
class SubOrderOptions:
    sub_order: SubOrder
    stage: str | None
    rooms: list[LineRoom]
    types: list[str]
    reasons: list[CaseReason]
    window_ends_at: object
    no_reason_skus: dict[int, bool]
    not_allowed_reason: str | None
    max_amounts: dict[int, Decimal] = field(default_factory=dict)
    # The same when the reason is not the buyer's doing (wrong item, defect): shipping goes back.
    max_amounts_seller_fault: dict[int, Decimal] = field(default_factory=dict)


def _not_allowed_reason(sub_order: SubOrder, stage: str | None) -> str | None:
    if stage is None:
        if sub_order.status == SubOrder.Status.COMPLETED:
            return _("The after-sales window of this order has ended.")
        return _("This order is closed.")
    ends = window_ends_at(sub_order)
    if ends is not None and ends <= timezone.now() and not sub_order.aftersales_open:
        return _("The after-sales window of this order has ended.")
    return None


def _options(sub_order: SubOrder, rooms: list[LineRoom], *, with_reasons: bool) -> SubOrderOptions:
    stage = stage_of(sub_order)
    types = types_for_stage(stage)
    options = SubOrderOptions(
        sub_order=sub_order,
        stage=stage,
        rooms=rooms,
        types=types,
        reasons=[
            reason
            for reason in CaseReason.objects.filter(is_active=True)
            if stage in reason.stages and set(reason.types) & set(types)
        ]
        if with_reasons
        else [],
        window_ends_at=window_ends_at(sub_order),
        no_reason_skus=no_reason_return_allowed(sku_ids=[room.line.sku_id for room in rooms])
        if with_reasons
        else {},
        not_allowed_reason=_not_allowed_reason(sub_order, stage),
    )
    if options.not_allowed_reason is None and not any(r.refundable_quantity for r in rooms):
        options.not_allowed_reason = _("Every item of this order is refunded or in a request.")
    if options.not_allowed_reason is not None:
        options.types = []
    for room in rooms:
        options.max_amounts[room.line.pk] = room.amounts_for(
            room.refundable_quantity, with_shipping=stage == Stage.NOT_SHIPPED
        )[0]
        options.max_amounts_seller_fault[room.line.pk] = room.amounts_for(
            room.refundable_quantity, with_shipping=True
        )[0]
    return options


def sub_order_options(*, sub_order: SubOrder) -> SubOrderOptions:
    """What the shopper can ask for on this sub-order now, and why not when nothing; with
    the reasons and the no-reason flags the request form shows."""
    return _options(sub_order, line_rooms(sub_order=sub_order), with_reasons=True)


def sub_orders_aftersales(
    *, sub_orders: list[SubOrder], lines=None
) -> dict[int, tuple[SubOrderOptions, list[AfterSalesCase]]]:
    """For every sub-order of a page at once: its options (as sub_order_options, without the
    reasons) and its cases newest first. One query (two when the lines are not given): the
    order page costs the same whatever its number of merchants."""
    ids = [s.pk for s in sub_orders]
    if lines is None:
        lines = list(OrderLine.objects.filter(sub_order_id__in=ids))
    # A case has at least one line: its lines name every case of these sub-orders.
    case_lines = list(CaseLine.objects.filter(case__sub_order_id__in=ids).select_related("case"))
    found = {}
    for sub_order in sub_orders:
        mine = [c for c in case_lines if c.case.sub_order_id == sub_order.pk]
        rooms = _rooms(
            [line for line in lines if line.sub_order_id == sub_order.pk],
            [
                (c.order_line_id, c.quantity, c.shipping_amount, c.case.status, c.case.case_no)
                for c in mine
            ],
        )
        cases = sorted(
            {c.case_id: c.case for c in mine}.values(),
            key=lambda case: (case.created_at, case.pk),
            reverse=True,
        )
        found[sub_order.pk] = (_options(sub_order, rooms, with_reasons=False), cases)
    return found


def return_address_for(case: AfterSalesCase) -> ReturnAddress | None:
    """The warehouse's own return address, else the merchant's default one."""
    addresses = ReturnAddress.objects.filter(merchant_id=case.merchant_id).filter(
        Q(warehouse_id=case.sub_order.warehouse_id) | Q(warehouse__isnull=True)
    )
    return min(addresses, key=lambda a: a.warehouse_id is None, default=None)


# --- cases as each role sees them ---------------------------------------------------------------


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("sub_order", "order", "reason", "merchant").prefetch_related(
        Prefetch("lines", queryset=CaseLine.objects.select_related("order_line"))
    )


def cases_visible_to(user) -> QuerySet:
    """Cases `user` may see: operations all, a merchant's staff their merchant's, a shopper
    their own."""
    cases = AfterSalesCase.objects.all()
    if is_platform_staff(user):
        return cases
    merchant = staff_merchant(user)
    if merchant is not None:
        return cases.filter(merchant=merchant)
    if not getattr(user, "pk", None):
        return cases.none()
    return cases.filter(user_id=user.pk)


def shopper_cases(*, user) -> QuerySet:
    if not getattr(user, "pk", None):
        return AfterSalesCase.objects.none()
    return _with_details(AfterSalesCase.objects.filter(user_id=user.pk)).order_by(
        "-created_at", "-id"
    )


def merchant_cases(*, user) -> QuerySet:
    """A merchant's queue (operations: every merchant's), due soonest first."""
    cases = cases_visible_to(user)
    if not is_platform_staff(user) and staff_merchant(user) is None:
        return cases.none()
    return _with_details(cases).order_by("respond_by", "-created_at", "-id")


def case_for(*, user, case_no: str, shopper_only: bool = False) -> AfterSalesCase:
    """One case with its lines, or NotFound for anyone who may not see it."""
    cases = shopper_cases(user=user) if shopper_only else _with_details(cases_visible_to(user))
    case = cases.filter(case_no=case_no).first()
    if case is None:
        raise NotFound("After-sales case not found.")
    return case


def case_timeline(case: AfterSalesCase):
    return case.events.select_related("actor").order_by("created_at", "id")


def case_thread(case: AfterSalesCase):
    return case.messages.select_related("author").prefetch_related("evidence")


def refunds_of(case: AfterSalesCase):
    """The payments refunds this case asked for (keyed by its number)."""
    from payments.models import Refund

    return Refund.objects.filter(idempotency_key__startswith=f"{case.case_no}-").order_by("pk")


def refunded_total(case: AfterSalesCase) -> Decimal:
    return refunds_of(case).aggregate(total=Sum("amount"))["total"] or ZERO


def next_action(case: AfterSalesCase, *, for_role: str = "shopper") -> str:
    """One sentence: who has to do what next."""
    Status = AfterSalesCase.Status
    merchant = for_role != "shopper"
    texts = {
        Status.REQUESTED: _("Approve, reject or make an offer.")
        if merchant
        else _("Waiting for the merchant to answer."),
        Status.APPROVED: _("Waiting for the parcel to come back, then the refund follows."),
        Status.REJECTED: _("The shopper may appeal to the platform.")
        if merchant
        else _("You can appeal to the platform, or let it close."),
        Status.APPEALED: _("The platform is reviewing the case."),
        Status.AWAITING_RETURN: _("Waiting for the shopper's return parcel.")
        if merchant
        else _("Send the goods back to the return address and enter the tracking number."),
        Status.INTERCEPTING: _("The carrier is calling the parcel back."),
        Status.RETURN_RECEIVED: _("Ship the replacement.")
        if merchant and case.type == CaseType.EXCHANGE
        else _("The return arrived; the next step follows."),
        Status.REFUNDING: _("The refund is on its way to the original payment method."),
    }
    if case.status == Status.AWAITING_RETURN and case.return_shipment_id:
        return (
            _("Confirm the return when it arrives.")
            if merchant
            else _("Return on its way; the merchant confirms when it arrives.")
        )
    return texts.get(case.status, _("Nothing more to do."))
