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

    order_no = models.CharField(_("order number"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("shopper"),
    )
    status = FSMField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING_PAYMENT,
        protected=True,
    )
    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PaymentMethod.choices
    )

    # Address snapshot: later edits of the address book do not move a placed order.
    recipient = models.CharField(_("recipient"), max_length=64)
    phone = models.CharField(_("mobile"), max_length=11)
    province = models.CharField(_("province"), max_length=16)
    city = models.CharField(_("city"), max_length=64)
    district = models.CharField(_("district"), max_length=64, blank=True)
    address_detail = models.CharField(_("street address"), max_length=255)
    buyer_note = models.CharField(_("buyer's note"), max_length=255, blank=True)

    goods_amount = models.DecimalField(_("goods amount"), **money)
    promotion_discount = models.DecimalField(_("promotion discount"), **money)
    member_discount = models.DecimalField(_("member discount"), **money)
    shipping_fee = models.DecimalField(_("shipping fee"), **money)
    payable_amount = models.DecimalField(_("amount payable"), **money)

    held_coupon = models.ForeignKey(
        "accounts.HeldCoupon",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("coupon used"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    # SHA-256 of what the request asked for: the same key with another request is refused
    # (422 idempotency_key_reused) instead of answering with an order the client did not ask for.
    idempotency_fingerprint = models.CharField(
        _("idempotency fingerprint"), max_length=64, blank=True, editable=False
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    payment_due_at = models.DateTimeField(_("pay by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.CharField(_("close reason"), max_length=255, blank=True)

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
        verbose_name = _("order")
        verbose_name_plural = _("orders")

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

    sub_order_no = models.CharField(_("sub-order number"), max_length=32, unique=True)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="sub_orders", verbose_name=_("order")
    )
    merchant = models.ForeignKey(
        "catalog.Merchant",
        on_delete=models.PROTECT,
        related_name="sub_orders",
        verbose_name=_("merchant"),
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        related_name="sub_orders",
        verbose_name=_("warehouse"),
    )
    status = FSMField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.AWAITING_SHIPMENT,
        protected=True,
    )

    goods_amount = models.DecimalField(_("goods amount"), **money)
    discount_amount = models.DecimalField(_("discount amount"), **money)
    shipping_fee = models.DecimalField(_("shipping fee"), **money)
    payable_amount = models.DecimalField(_("amount payable"), **money)

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.CharField(_("close reason"), max_length=255, blank=True)
    # Deadlines for the beat sweeps (DESIGN.md): set when the state that starts them is entered.
    auto_confirm_at = models.DateTimeField(_("automatic receipt at"), null=True, blank=True)
    auto_complete_at = models.DateTimeField(_("automatic completion at"), null=True, blank=True)
    # Set by aftersales while a case on this sub-order is open: it holds automatic receipt and
    # completion; when the last case ends, both deadlines move on by the time it was held.
    aftersales_open = models.BooleanField(_("after-sales case open"), default=False)
    aftersales_held_at = models.DateTimeField(_("held by after-sales since"), null=True, blank=True)

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

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    sub_order = models.ForeignKey(
        SubOrder,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lines",
        verbose_name=_("sub-order"),
    )
    merchant = models.ForeignKey(
        "catalog.Merchant", on_delete=models.PROTECT, related_name="+", verbose_name=_("merchant")
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    sku = models.ForeignKey(
        "catalog.SKU", on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("SKU")
    )

    # Snapshot at order time.
    product_title = models.CharField(_("product title"), max_length=200)
    sku_code = models.CharField(_("SKU code"), max_length=64)
    sku_attributes = models.CharField(_("SKU attributes"), max_length=255, blank=True)
    image_url = models.CharField(_("image URL"), max_length=500, blank=True)
    unit_price = models.DecimalField(_("unit price"), **money)
    quantity = models.PositiveIntegerField(_("quantity"))

    # Where every cent went, per line (the apportioned parts sum to the order's totals).
    goods_amount = models.DecimalField(_("goods amount"), **money)  # unit_price x quantity
    promotion_discount = models.DecimalField(_("promotion discount"), **money)
    member_discount = models.DecimalField(_("member discount"), **money)  # tier + coupons
    shipping_share = models.DecimalField(_("share of shipping"), **money)
    paid_amount = models.DecimalField(
        _("amount paid"), **money
    )  # goods - discounts + shipping share

    refunded_amount = models.DecimalField(_("refunded amount"), **money)
    refunded_quantity = models.PositiveIntegerField(_("refunded quantity"), default=0)

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
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

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

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="price_lines", verbose_name=_("order")
    )
    merchant = models.ForeignKey(
        "catalog.Merchant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=128)
    # Discounts are negative, goods and shipping positive: the rows sum to the payable amount.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["order_id", "position", "id"]
        verbose_name = _("bill row")
        verbose_name_plural = _("bill rows")


class OrderEvent(models.Model):
    """Append-only timeline: one row per transition of an order or one of its sub-orders."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
    )
    sub_order = models.ForeignKey(
        SubOrder,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("sub-order"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    # The role the actor acted in (catalog.actors.Role: shopper, merchant, ops, system).
    actor_kind = models.CharField(_("acting as"), max_length=16, choices=Role.choices)
    transition = models.CharField(_("transition"), max_length=32)
    from_state = models.CharField(_("from status"), max_length=20, blank=True)
    to_state = models.CharField(_("to status"), max_length=20)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("order timeline event")
        verbose_name_plural = _("order timeline events")

    def __str__(self):
        return f"{self.transition}: {self.from_state} -> {self.to_state}"
