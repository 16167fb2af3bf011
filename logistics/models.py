"""Logistics: carriers, the parcels (shipments) a sub-order leaves the warehouse in, the tracking
events carriers push about them, who changed each parcel's state (ShipmentEvent), and the
shortages found at picking.

Shipment status is a django-fsm `FSMField(protected=True)`: only logistics.services changes it,
and only forward (a late "in transit" push never undoes "signed for").
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from catalog.actors import Role
from orders.models import SubOrder


class Carrier(models.Model):
    class Adapter(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox (pushes simulated events)")
        KUAIDI100 = "kuaidi100", _("Kuaidi100 subscription push")

    name = models.CharField(_("name"), max_length=64)
    code = models.SlugField(
        _("code"), max_length=32, unique=True, help_text=_("e.g. SF, ZTO, sandbox")
    )
    tracking_pattern = models.CharField(
        _("tracking number pattern"),
        max_length=200,
        help_text=_("Regular expression a tracking number must match in full."),
    )
    tracking_example = models.CharField(_("tracking number example"), max_length=40, blank=True)
    max_weight_grams = models.PositiveIntegerField(_("maximum weight (g)"), default=30_000)
    max_volume_cm3 = models.PositiveIntegerField(_("maximum volume (cm³)"), default=120_000)
    adapter = models.CharField(
        _("adapter"), max_length=16, choices=Adapter.choices, default=Adapter.SANDBOX
    )
    # The carrier's company code at the aggregator (Kuaidi100 "com": shunfeng, zhongtong...).
    aggregator_code = models.CharField(_("aggregator company code"), max_length=32, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def tracking_no_is_valid(self, tracking_no: str) -> bool:
        try:
            return re.fullmatch(self.tracking_pattern, tracking_no or "") is not None
        except re.error:
            return False


class Shipment(models.Model):
    """One parcel of a sub-order: the sub-order's own parcels (outbound), the shopper's parcel
    back to the merchant (return) and an exchange's new parcel (replacement). Only outbound
    parcels move the sub-order."""

    class Status(models.TextChoices):
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Signed for")
        REFUSED = "refused", _("Refused")
        LOST = "lost", _("Lost")
        # Intercepted on its way and back with the sender (never reached the shopper).
        RETURNED = "returned", _("Returned to sender")

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("To the shopper")
        RETURN = "return", _("Return to the merchant")
        REPLACEMENT = "replacement", _("Replacement")

    ON_ITS_WAY = (Status.SHIPPED, Status.IN_TRANSIT)
    FINAL = (Status.DELIVERED, Status.REFUSED, Status.LOST, Status.RETURNED)

    shipment_no = models.CharField(_("parcel number"), max_length=32, unique=True)
    sub_order = models.ForeignKey(
        "orders.SubOrder",
        on_delete=models.CASCADE,
        related_name="shipments",
        verbose_name=_("sub-order"),
    )
    carrier = models.ForeignKey(
        Carrier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("carrier"),
    )
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"),
        max_length=16,
        choices=Direction.choices,
        default=Direction.OUTBOUND,
        db_index=True,
    )
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PACKED, protected=True
    )
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    volume_cm3 = models.PositiveIntegerField(_("volume (cm³)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("shipped by"),
    )
    # When the carrier was asked to push this parcel's events (subscribed, or the sandbox courier
    # started its script); empty after shipping means the request was lost and is re-sent.
    tracking_started_at = models.DateTimeField(_("tracking requested"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("signed for"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)  # refused or lost
    # A refused parcel back in the warehouse: its goods were returned to stock then.
    returned_at = models.DateTimeField(_("back in the warehouse"), null=True, blank=True)
    # Cash on delivery taken at the door (payments records the money; this is the carrier's word).
    cod_collected_at = models.DateTimeField(_("cash collected"), null=True, blank=True)
    # A lost parcel settled by after-sales: its goods refunded (or, cash on delivery, no longer
    # owed) before logistics was told. Until then the sub-order's automatic receipt is on hold.
    lost_settled_at = models.DateTimeField(_("loss settled"), null=True, blank=True)
    # The carrier was asked to bring the parcel back (拦截) while it was on its way.
    intercept_requested_at = models.DateTimeField(_("intercept requested"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["sub_order_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "tracking_no"],
                condition=~Q(tracking_no=""),
                name="shipment_tracking_no_per_carrier",
            )
        ]
        indexes = [models.Index(fields=["status", "shipped_at"], name="shipment_status_shipped")]
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")

    def __str__(self):
        return self.shipment_no

    @property
    def is_shipped(self) -> bool:
        return self.status != self.Status.PACKED

    @property
    def is_on_its_way(self) -> bool:
        return self.status in self.ON_ITS_WAY

    @property
    def is_outbound(self) -> bool:
        return self.direction == self.Direction.OUTBOUND

    @property
    def is_lost_unsettled(self) -> bool:
        return self.status == self.Status.LOST and self.lost_settled_at is None

    @transition(field=status, source=Status.PACKED, target=Status.SHIPPED)
    def ship(self, *, carrier, tracking_no, at, by):
        self.carrier = carrier
        self.tracking_no = tracking_no
        self.shipped_at = at
        self.shipped_by = by

    @transition(field=status, source=Status.SHIPPED, target=Status.IN_TRANSIT)
    def move(self):
        pass

    # A parcel reported lost can still turn up and be signed for: then it is delivered.
    @transition(
        field=status,
        source=[Status.SHIPPED, Status.IN_TRANSIT, Status.LOST],
        target=Status.DELIVERED,
    )
    def deliver(self, *, at):
        self.delivered_at = at

    @transition(field=status, source=[Status.SHIPPED, Status.IN_TRANSIT], target=Status.REFUSED)
    def refuse(self, *, at, note):
        self.closed_at = at
        self.note = note[:255]

    @transition(field=status, source=[Status.SHIPPED, Status.IN_TRANSIT], target=Status.LOST)
    def lose(self, *, at, note):
        self.closed_at = at
        self.note = note[:255]

    @transition(field=status, source=[Status.SHIPPED, Status.IN_TRANSIT], target=Status.RETURNED)
    def return_to_sender(self, *, at, note):
        self.closed_at = at
        self.note = note[:255]


class ShipmentEvent(models.Model):
    """Append-only history of a parcel: one row per change of its state, naming who made it
    (merchant staff, operations, a shopper, or the system for couriers and timers). The
    courier's own scans are TrackingEvent; this is who moved the parcel and how."""

    class What(models.TextChoices):
        SHIP = "ship", _("Handed to the carrier")
        MOVE = "move", _("In transit")
        DELIVER = "deliver", _("Signed for")
        REFUSE = "refuse", _("Refused")
        LOSE = "lose", _("Lost")
        RETURN_TO_SENDER = "return_to_sender", _("Returned to sender")
        INTERCEPT_REQUEST = "intercept_request", _("Intercept requested")
        BACK_IN_WAREHOUSE = "back_in_warehouse", _("Back in the warehouse")
        LOST_SETTLE = "lost_settle", _("Lost parcel settled")
        COD_COLLECT = "cod_collect", _("Cash on delivery collected")

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="history", verbose_name=_("shipment")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_role = models.CharField(_("acting as"), max_length=16, choices=Role.choices)
    what = models.CharField(_("change"), max_length=32, choices=What.choices)
    from_state = models.CharField(_("from status"), max_length=16, blank=True)
    to_state = models.CharField(_("to status"), max_length=16)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["shipment", "created_at"], name="shipment_event_by_time")]
        verbose_name = _("parcel history entry")
        verbose_name_plural = _("parcel history")

    def __str__(self):
        return f"{self.what}: {self.from_state} -> {self.to_state}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("parcel")
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="shipment_lines",
        verbose_name=_("order line"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["shipment_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "order_line"], name="one_shipment_line_per_order_line"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_qty_gt_0"),
        ]
        verbose_name = _("parcel line")
        verbose_name_plural = _("parcel lines")

    def __str__(self):
        return f"{self.quantity} × {self.order_line.product_title}"


class TrackingEvent(models.Model):
    class Status(models.TextChoices):
        COLLECTED = "collected", _("Collected by the courier")
        IN_TRANSIT = "in_transit", _("In transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        SIGNED = "signed", _("Signed for")
        REFUSED = "refused", _("Refused")
        LOST = "lost", _("Lost")
        EXCEPTION = "exception", _("Problem with the parcel")
        RETURNING = "returning", _("Returning to sender")
        # Back with the sender and signed for by the merchant (a refused or intercepted parcel).
        RETURNED = "returned", _("Returned to sender")

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="events", verbose_name=_("parcel")
    )
    # The carrier's event id, or a hash of what identifies the event: the same push twice is
    # stored once.
    dedupe_key = models.CharField(_("deduplication key"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    carrier_status = models.CharField(_("carrier's status"), max_length=32, blank=True)
    description = models.CharField(_("description"), max_length=500)
    location = models.CharField(_("location"), max_length=128, blank=True)
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("reached the shop"), auto_now_add=True)

    class Meta:
        # By when it happened, not when it arrived: pushes come out of order.
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "dedupe_key"], name="tracking_event_once_per_shipment"
            )
        ]
        indexes = [models.Index(fields=["shipment", "occurred_at"], name="tracking_by_time")]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")

    def __str__(self):
        return f"{self.get_status_display()} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class ShortageRecord(models.Model):
    """Units of an order line the warehouse could not find at picking, and the refund made
    (by after-sales through payments; logistics records what it was told)."""

    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="shortages",
        verbose_name=_("order line"),
    )
    sub_order = models.ForeignKey(
        "orders.SubOrder",
        on_delete=models.CASCADE,
        related_name="shortages",
        verbose_name=_("sub-order"),
    )
    quantity = models.PositiveIntegerField(_("quantity short"))
    reason = models.CharField(_("reason"), max_length=255)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by"),
    )
    refund_amount = models.DecimalField(_("refund amount"), max_digits=12, decimal_places=2)
    # payments' refund_no, or a note that nothing was collected yet (cash on delivery).
    refund_reference = models.CharField(_("refund reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shortage_qty_gt_0")
        ]
        verbose_name = _("shortage")
        verbose_name_plural = _("shortages")

    def __str__(self):
        return f"{self.quantity} short of {self.order_line.product_title}"


class FulfilmentQueue(SubOrder):
    """Sub-orders as the warehouse sees them: the admin's fulfilment queue."""

    class Meta:
        proxy = True
        verbose_name = _("sub-order to fulfil")
        verbose_name_plural = _("fulfilment queue")
