"""Orders: the parent order (one payment, one address), its sub-orders (one per merchant and
warehouse, created when the order is paid), lines, price breakdown and timeline.

State fields are django-fsm `FSMField(protected=True)`: only the transition methods below change
them, and only orders.services calls those (inside a transaction, on a locked row, writing one
OrderEvent and one domain event per transition).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from catalog.actors import Role

money = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}


class PaymentMethod(models.TextChoices):
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    COD = "cod", _("Cash on delivery")


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")

    order_no = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, protected=True
    )
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)

    # Address snapshot: later edits of the address book do not move a placed order.
    recipient = models.CharField(max_length=64)
    phone = models.CharField(max_length=11)
    province = models.CharField(max_length=16)
    city = models.CharField(max_length=64)
    district = models.CharField(max_length=64, blank=True)
    address_detail = models.CharField(max_length=255)
    buyer_note = models.CharField(max_length=255, blank=True)

    goods_amount = models.DecimalField(**money)
    promotion_discount = models.DecimalField(**money)
    member_discount = models.DecimalField(**money)
    shipping_fee = models.DecimalField(**money)
    payable_amount = models.DecimalField(**money)

    held_coupon = models.ForeignKey(
        "accounts.HeldCoupon", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, blank=True)
    # SHA-256 of what the request asked for: the same key with another request is refused
    # (422 idempotency_key_reused) instead of answering with an order the client did not ask for.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    payment_due_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The expiry sweep reads only due unpaid rows: its cost follows them, not the table.
            models.Index(
                fields=["payment_due_at"],
                condition=Q(status="pending_payment"),
                name="order_unpaid_due",
            ),
            models.Index(fields=["user", "-created_at"], name="order_user_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_key_per_user",
            ),
            models.CheckConstraint(
                condition=Q(payable_amount__gte=0), name="order_payable_non_negative"
            ),
        ]

    def __str__(self):
        return self.order_no

    # Transitions: in-memory only; orders.services saves and records them.
    @transition(field=status, source=Status.PENDING_PAYMENT, target=Status.PAID)
    def pay_succeeded(self, *, paid_at):
        self.paid_at = paid_at

    @transition(field=status, source=Status.PENDING_PAYMENT, target=Status.PAID)
    def cod_confirmed(self, *, confirmed_at):
        self.paid_at = None  # cash is collected at the door, recorded by payments then
        self.payment_method = PaymentMethod.COD

    @transition(field=status, source=Status.PENDING_PAYMENT, target=Status.CANCELLED)
    def cancel(self, *, at, reason):
        self.closed_at = at
        self.close_reason = reason

    @transition(field=status, source=Status.PENDING_PAYMENT, target=Status.CANCELLED)
    def expire(self, *, at):
        self.closed_at = at
        self.close_reason = "Not paid in time"

    @transition(field=status, source=Status.PENDING_PAYMENT, target=Status.PAYMENT_FAILED)
    def pay_failed(self, *, at, reason):
        self.closed_at = at
        self.close_reason = reason


class SubOrder(models.Model):
    """What one merchant ships from one warehouse. Its amounts are the order's, apportioned."""

    class Status(models.TextChoices):
        AWAITING_SHIPMENT = "awaiting_shipment", _("Awaiting shipment")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        RECEIVED = "received", _("Received")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")

    sub_order_no = models.CharField(max_length=32, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="sub_orders")
    merchant = models.ForeignKey(
        "catalog.Merchant", on_delete=models.PROTECT, related_name="sub_orders"
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, related_name="sub_orders"
    )
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_SHIPMENT, protected=True
    )

    goods_amount = models.DecimalField(**money)
    discount_amount = models.DecimalField(**money)
    shipping_fee = models.DecimalField(**money)
    payable_amount = models.DecimalField(**money)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=255, blank=True)
    # Deadlines for the beat sweeps (DESIGN.md): set when the state that starts them is entered.
    auto_confirm_at = models.DateTimeField(null=True, blank=True)
    auto_complete_at = models.DateTimeField(null=True, blank=True)
    # Set by aftersales while a case on this sub-order is open: it holds automatic receipt and
    # completion; when the last case ends, both deadlines move on by the time it was held.
    aftersales_open = models.BooleanField(default=False)
    aftersales_held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sub-order")
        verbose_name_plural = _("sub-orders")
        ordering = ["order_id", "id"]
        indexes = [
            models.Index(
                fields=["auto_confirm_at"],
                condition=Q(status__in=["shipped", "delivered"]),
                name="suborder_confirm_due",
            ),
            models.Index(
                fields=["auto_complete_at"],
                condition=Q(status="received"),
                name="suborder_complete_due",
            ),
            models.Index(fields=["merchant", "status", "created_at"], name="suborder_queue"),
        ]

    def __str__(self):
        return self.sub_order_no

    @transition(field=status, source=Status.AWAITING_SHIPMENT, target=Status.SHIPPED)
    def ship(self, *, at, auto_confirm_at):
        self.shipped_at = at
        self.auto_confirm_at = auto_confirm_at

    @transition(field=status, source=Status.AWAITING_SHIPMENT, target=Status.CLOSED)
    def out_of_stock(self, *, at, reason):
        self.closed_at = at
        self.close_reason = reason

    @transition(field=status, source=Status.AWAITING_SHIPMENT, target=Status.CLOSED)
    def refund(self, *, at, reason):
        self.closed_at = at
        self.close_reason = reason

    @transition(field=status, source=Status.SHIPPED, target=Status.DELIVERED)
    def deliver(self, *, at):
        self.delivered_at = at

    @transition(field=status, source=[Status.SHIPPED, Status.DELIVERED], target=Status.RECEIVED)
    def confirm(self, *, at, auto_complete_at):
        self.received_at = at
        self.auto_complete_at = auto_complete_at

    @transition(field=status, source=Status.SHIPPED, target=Status.CLOSED)
    def refuse(self, *, at, reason):
        self.closed_at = at
        self.close_reason = reason

    @transition(field=status, source=Status.SHIPPED, target=Status.CLOSED)
    def lost_refunded(self, *, at, reason):
        """Nothing of it reached the shopper: its parcels were lost (and refunded) or refused.
        Automatic receipt has nothing left to confirm."""
        self.closed_at = at
        self.close_reason = reason
        self.auto_confirm_at = None

    @transition(field=status, source=[Status.SHIPPED, Status.DELIVERED], target=Status.CLOSED)
    def close_refunded(self, *, at, reason):
        """After-sales refunded every unit while the goods were on their way (or delivered but
        not confirmed): nothing is left to confirm automatically."""
        self.closed_at = at
        self.close_reason = reason
        self.auto_confirm_at = None

    @transition(field=status, source=Status.RECEIVED, target=Status.COMPLETED)
    def complete(self, *, at):
        self.completed_at = at

    @transition(field=status, source=Status.RECEIVED, target=Status.CLOSED)
    def refund_all(self, *, at, reason):
        self.closed_at = at
        self.close_reason = reason


class OrderLine(models.Model):
    """One SKU from one warehouse. A line whose quantity had to come from two warehouses is
    stored as two lines, so that each belongs to exactly one sub-order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sub_order = models.ForeignKey(
        SubOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines"
    )
    merchant = models.ForeignKey("catalog.Merchant", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.PROTECT, related_name="order_lines")

    # Snapshot at order time.
    product_title = models.CharField(max_length=200)
    sku_code = models.CharField(max_length=64)
    sku_attributes = models.CharField(max_length=255, blank=True)
    image_url = models.CharField(max_length=500, blank=True)
    unit_price = models.DecimalField(**money)
    quantity = models.PositiveIntegerField()

    # Where every cent went, per line (the apportioned parts sum to the order's totals).
    goods_amount = models.DecimalField(**money)  # unit_price x quantity
    promotion_discount = models.DecimalField(**money)
    member_discount = models.DecimalField(**money)  # tier + coupons
    shipping_share = models.DecimalField(**money)
    paid_amount = models.DecimalField(**money)  # goods - discounts + shipping share

    refunded_amount = models.DecimalField(**money)
    refunded_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("paid_amount")),
                name="line_refund_le_paid",
            ),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=models.F("quantity")),
                name="line_refund_qty_le_quantity",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku_code}"


class PriceLine(models.Model):
    """One row of the bill: goods, each promotion, each member benefit, shipping, per merchant."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        PROMOTION = "promotion", _("Promotion")
        MEMBER_TIER = "member_tier", _("Membership discount")
        COUPON = "coupon", _("Coupon")
        SHIPPING = "shipping", _("Shipping")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="price_lines")
    merchant = models.ForeignKey(
        "catalog.Merchant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    label = models.CharField(max_length=128)
    # Discounts are negative, goods and shipping positive: the rows sum to the payable amount.
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order_id", "position", "id"]


class OrderEvent(models.Model):
    """Append-only timeline: one row per transition of an order or one of its sub-orders."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    sub_order = models.ForeignKey(
        SubOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The role the actor acted in (catalog.actors.Role: shopper, merchant, ops, system).
    actor_kind = models.CharField(max_length=16, choices=Role.choices)
    transition = models.CharField(max_length=32)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.transition}: {self.from_state} -> {self.to_state}"
