"""After-sales: one case per request about a sub-order's lines, its reasons, evidence, thread,
offers, events, and the merchants' return addresses.

`AfterSalesCase.status` is a django-fsm `FSMField(protected=True)`: only the transition methods
below change it, and only aftersales.services calls them (inside a transaction, on a locked row,
writing one CaseEvent and one domain event per transition). Deadlines are columns with partial
indexes, swept by beat (aftersales.tasks) like the order deadlines.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from .storage import evidence_storage

money = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}


class CaseType(models.TextChoices):
    REFUND_ONLY = "refund_only", _("Refund only")
    RETURN_REFUND = "return_refund", _("Return and refund")
    EXCHANGE = "exchange", _("Exchange")
    OUT_OF_STOCK = "out_of_stock", _("Out-of-stock refund")
    REFUSAL = "refusal", _("Refused parcel refund")
    LOST = "lost", _("Lost parcel refund")


# Types a shopper can ask for; the others are opened by the merchant, the carrier or ops.
SHOPPER_TYPES = (CaseType.REFUND_ONLY, CaseType.RETURN_REFUND, CaseType.EXCHANGE)


class Responsibility(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    MERCHANT = "merchant", _("Merchant")
    CARRIER = "carrier", _("Carrier")
    PLATFORM = "platform", _("Platform")


class Stage(models.TextChoices):
    """Where the sub-order is, as a reason sees it."""

    NOT_SHIPPED = "not_shipped", _("Not shipped yet")
    IN_TRANSIT = "in_transit", _("On its way")
    RECEIVED = "received", _("Received")


class CaseReason(models.Model):
    """Why a case is opened: data ops edit in the admin (seeded with the Taobao list)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=100)
    # Stages and case types this reason may be chosen for (values of Stage and CaseType).
    stages = models.JSONField(_("order stages"), default=list, blank=True)
    types = models.JSONField(_("case types"), default=list, blank=True)
    responsibility = models.CharField(
        _("responsibility"),
        max_length=16,
        choices=Responsibility.choices,
        default=Responsibility.BUYER,
    )
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    # "7 days no reason": refused on products or categories marked not returnable that way.
    is_no_reason = models.BooleanField(_("7-day no-reason return"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("after-sales reason")
        verbose_name_plural = _("after-sales reasons")

    def __str__(self):
        return self.label

    @property
    def merchant_pays_shipping(self) -> bool:
        return self.responsibility in (Responsibility.MERCHANT, Responsibility.PLATFORM)


class ReturnAddress(models.Model):
    """Where returns go: per merchant, optionally per warehouse (the warehouse's own wins)."""

    merchant = models.ForeignKey(
        "catalog.Merchant",
        on_delete=models.CASCADE,
        related_name="return_addresses",
        verbose_name=_("merchant"),
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="return_addresses",
        verbose_name=_("warehouse"),
    )
    recipient = models.CharField(_("recipient"), max_length=64)
    phone = models.CharField(_("phone"), max_length=20)
    address = models.CharField(_("street address"), max_length=255)

    class Meta:
        ordering = ["merchant_id", "warehouse_id"]
        verbose_name = _("return address")
        verbose_name_plural = _("return addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "warehouse"], name="one_return_address_per_place"
            ),
            models.UniqueConstraint(
                fields=["merchant"],
                condition=Q(warehouse__isnull=True),
                name="one_default_return_address_per_merchant",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}, {self.address}"


class AfterSalesCase(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting the merchant")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        APPEALED = "appealed", _("Platform reviewing")
        AWAITING_RETURN = "awaiting_return", _("Awaiting your return")
        INTERCEPTING = "intercepting", _("Intercepting the parcel")
        RETURN_RECEIVED = "return_received", _("Return received")
        REFUNDING = "refunding", _("Refunding")
        REFUNDED = "refunded", _("Refunded")
        RESHIPPED = "reshipped", _("Replacement shipped")
        CANCELLED = "cancelled", _("Withdrawn")
        CLOSED = "closed", _("Closed")

    OPEN = (
        Status.REQUESTED,
        Status.APPROVED,
        Status.REJECTED,
        Status.APPEALED,
        Status.AWAITING_RETURN,
        Status.INTERCEPTING,
        Status.RETURN_RECEIVED,
        Status.REFUNDING,
    )
    FINAL = (Status.REFUNDED, Status.RESHIPPED, Status.CANCELLED, Status.CLOSED)

    class Party(models.TextChoices):
        SHOPPER = "shopper", _("Shopper")
        MERCHANT = "merchant", _("Merchant")

    case_no = models.CharField(_("case number"), max_length=32, unique=True)
    sub_order = models.ForeignKey(
        "orders.SubOrder",
        on_delete=models.PROTECT,
        related_name="aftersales_cases",
        verbose_name=_("sub-order"),
    )
    # Denormalised from the sub-order for the queues and the "only yours" filters.
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="aftersales_cases",
        verbose_name=_("shopper"),
    )
    merchant = models.ForeignKey(
        "catalog.Merchant",
        on_delete=models.PROTECT,
        related_name="aftersales_cases",
        verbose_name=_("merchant"),
    )
    type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED, protected=True
    )
    reason = models.ForeignKey(
        CaseReason, on_delete=models.PROTECT, related_name="cases", verbose_name=_("reason")
    )
    description = models.TextField(_("description"), blank=True)
    # The stage of the sub-order when the case was opened (Stage).
    stage = models.CharField(_("order stage"), max_length=16, choices=Stage.choices)
    refund_amount = models.DecimalField(
        _("refund amount"), **money
    )  # what the case gives back (0 for exchange)
    # Shipping refunded with it (part of refund_amount), and who bears the cost.
    shipping_refund = models.DecimalField(_("shipping refunded"), **money)
    responsibility = models.CharField(
        _("responsibility"), max_length=16, choices=Responsibility.choices
    )
    platform_funded = models.BooleanField(_("paid by the platform"), default=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)

    # The parcel this case is about (refusal, lost, intercept); logistics.Shipment.
    shipment = models.ForeignKey(
        "logistics.Shipment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("parcel"),
    )
    # The shopper's return parcel (a logistics.Shipment of direction "return").
    return_shipment = models.ForeignKey(
        "logistics.Shipment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("return parcel"),
    )
    return_resellable = models.BooleanField(_("return resellable"), null=True, blank=True)
    # The exchange's replacement parcel.
    replacement_shipment = models.ForeignKey(
        "logistics.Shipment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("replacement parcel"),
    )
    reject_reason = models.CharField(_("rejection reason"), max_length=255, blank=True)
    appeal_reason = models.TextField(_("appeal reason"), blank=True)
    decision_note = models.CharField(_("platform decision"), max_length=255, blank=True)
    # Ops asked one side for more evidence, until evidence_due_by.
    evidence_requested_from = models.CharField(
        _("evidence requested from"), max_length=16, choices=Party.choices, blank=True
    )
    evidence_request_note = models.CharField(_("evidence request note"), max_length=255, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    appealed_at = models.DateTimeField(_("appealed"), null=True, blank=True)
    return_shipped_at = models.DateTimeField(_("return shipped"), null=True, blank=True)
    return_signed_at = models.DateTimeField(_("return signed for"), null=True, blank=True)
    return_received_at = models.DateTimeField(_("return received"), null=True, blank=True)
    refund_started_at = models.DateTimeField(_("refund started"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # Deadlines (each the default action for the side that did not act), swept every minute.
    respond_by = models.DateTimeField(
        _("merchant to respond by"), null=True, blank=True
    )  # merchant answers, else approved
    appeal_by = models.DateTimeField(
        _("appeal by"), null=True, blank=True
    )  # shopper appeals, else closed
    return_ship_by = models.DateTimeField(
        _("return to be shipped by"), null=True, blank=True
    )  # shopper ships, else closed
    receive_by = models.DateTimeField(
        _("return to be received by"), null=True, blank=True
    )  # merchant confirms, else refunded
    evidence_due_by = models.DateTimeField(
        _("evidence due by"), null=True, blank=True
    )  # evidence request expires

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("after-sales case")
        indexes = [
            models.Index(
                fields=["respond_by"], condition=Q(status="requested"), name="case_respond_due"
            ),
            models.Index(
                fields=["appeal_by"], condition=Q(status="rejected"), name="case_appeal_due"
            ),
            models.Index(
                fields=["return_ship_by"],
                condition=Q(status="awaiting_return"),
                name="case_return_ship_due",
            ),
            models.Index(
                fields=["receive_by"],
                condition=Q(status__in=["awaiting_return", "approved"]),
                name="case_receive_due",
            ),
            models.Index(
                fields=["evidence_due_by"],
                condition=Q(evidence_due_by__isnull=False),
                name="case_evidence_due",
            ),
            models.Index(fields=["user", "-created_at"], name="case_user_recent"),
            models.Index(fields=["merchant", "status", "created_at"], name="case_merchant_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["opened_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="case_idempotency_key_per_user",
            ),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="case_refund_ge_0"),
        ]
        verbose_name_plural = _("after-sales cases")

    def __str__(self):
        return self.case_no

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def needs_return(self) -> bool:
        return self.type in (CaseType.RETURN_REFUND, CaseType.EXCHANGE)

    @property
    def next_deadline(self):
        """(deadline, what happens then) of the open deadline the case page counts down to."""
        candidates = {
            self.Status.REQUESTED: (self.respond_by, _("approved automatically")),
            self.Status.REJECTED: (self.appeal_by, _("closed if not appealed")),
            self.Status.AWAITING_RETURN: (
                (self.receive_by, _("refunded automatically"))
                if self.receive_by
                else (self.return_ship_by, _("closed if not shipped back"))
            ),
            self.Status.APPROVED: (self.receive_by, _("refunded by the platform")),
        }
        deadline, outcome = candidates.get(self.status, (None, ""))
        if deadline is None and self.evidence_due_by:
            return self.evidence_due_by, _("evidence request expires")
        return (deadline, outcome) if deadline else (None, "")

    # --- transitions: in memory only; aftersales.services saves and records them ------------

    @transition(field=status, source=[Status.REQUESTED, Status.APPEALED], target=Status.APPROVED)
    def approve(self, *, at):
        self.approved_at = at
        self.respond_by = None

    @transition(field=status, source=Status.REQUESTED, target=Status.REJECTED)
    def reject(self, *, at, reason, appeal_by):
        self.rejected_at = at
        self.reject_reason = reason[:255]
        self.respond_by = None
        self.appeal_by = appeal_by

    @transition(field=status, source=Status.REQUESTED, target=Status.REQUESTED)
    def renegotiate(self, *, type, refund_amount, respond_by):
        """The shopper accepted a merchant's offer: the case goes on as the offer says."""
        self.type = type
        self.refund_amount = refund_amount
        self.respond_by = respond_by

    @transition(field=status, source=Status.REJECTED, target=Status.APPEALED)
    def appeal(self, *, at, reason):
        self.appealed_at = at
        self.appeal_reason = reason
        self.appeal_by = None

    @transition(field=status, source=Status.APPROVED, target=Status.AWAITING_RETURN)
    def await_return(self, *, return_ship_by):
        self.return_ship_by = return_ship_by

    @transition(field=status, source=Status.APPROVED, target=Status.INTERCEPTING)
    def intercept(self):
        pass

    @transition(field=status, source=Status.INTERCEPTING, target=Status.AWAITING_RETURN)
    def intercept_failed(self, *, return_ship_by):
        self.return_ship_by = return_ship_by

    @transition(
        field=status,
        source=[Status.AWAITING_RETURN, Status.INTERCEPTING],
        target=Status.RETURN_RECEIVED,
    )
    def receive_return(self, *, at, resellable):
        self.return_received_at = at
        self.return_resellable = resellable
        self.return_ship_by = None
        self.receive_by = None

    @transition(
        field=status, source=[Status.APPROVED, Status.RETURN_RECEIVED], target=Status.REFUNDING
    )
    def start_refund(self, *, at):
        self.refund_started_at = at
        self.receive_by = None

    @transition(field=status, source=Status.REFUNDING, target=Status.REFUNDED)
    def refunded(self, *, at):
        self.refunded_at = at
        self.closed_at = at

    @transition(field=status, source=Status.RETURN_RECEIVED, target=Status.RESHIPPED)
    def reship(self, *, at):
        self.closed_at = at

    @transition(
        field=status,
        source=[Status.REQUESTED, Status.APPROVED, Status.AWAITING_RETURN],
        target=Status.CANCELLED,
    )
    def cancel(self, *, at):
        self.closed_at = at
        self._clear_deadlines()

    @transition(
        field=status,
        source=[Status.REJECTED, Status.APPEALED, Status.AWAITING_RETURN],
        target=Status.CLOSED,
    )
    def close(self, *, at, decision):
        self.closed_at = at
        self.decision_note = decision[:255]
        self._clear_deadlines()

    def _clear_deadlines(self):
        self.respond_by = self.appeal_by = self.return_ship_by = self.receive_by = None
        self.evidence_due_by = None
        self.evidence_requested_from = ""


class CaseLine(models.Model):
    """Units of one order line the case is about, and what it refunds for them."""

    case = models.ForeignKey(
        AfterSalesCase,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("after-sales case"),
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="case_lines",
        verbose_name=_("order line"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    refund_amount = models.DecimalField(
        _("refund amount"), **money
    )  # goods share + shipping_amount
    shipping_amount = models.DecimalField(_("of which shipping"), **money)  # of which shipping

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order_line"], name="one_case_line_per_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="case_line_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(shipping_amount__lte=models.F("refund_amount")),
                name="case_line_shipping_le_refund",
            ),
        ]
        verbose_name = _("case line")
        verbose_name_plural = _("case lines")

    def __str__(self):
        return f"{self.quantity} x line {self.order_line_id}"


class CaseEvent(models.Model):
    """Append-only: one row per change of a case (its timeline)."""

    class Role(models.TextChoices):
        SHOPPER = "shopper", _("Shopper")
        MERCHANT = "merchant", _("Merchant")
        OPS = "ops", _("Operations")
        SYSTEM = "system", _("System")

    case = models.ForeignKey(
        AfterSalesCase,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("after-sales case"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    role = models.CharField(_("acting as"), max_length=16, choices=Role.choices)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from status"), max_length=20, blank=True)
    to_state = models.CharField(_("to status"), max_length=20)
    note = models.CharField(_("note"), max_length=500, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case timeline event")
        verbose_name_plural = _("case timeline events")

    def __str__(self):
        return f"{self.action}: {self.from_state} -> {self.to_state}"


class CaseEvidence(models.Model):
    """A photo (or short video) uploaded by one user, attached to a case, message or appeal."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    public_id = models.CharField(_("public id"), max_length=32, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    case = models.ForeignKey(
        AfterSalesCase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("after-sales case"),
    )
    message = models.ForeignKey(
        "CaseMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
        verbose_name=_("case message"),
    )
    file = models.FileField(_("file"), upload_to="aftersales/%Y/%m/", storage=evidence_storage)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name or self.public_id


class CaseMessage(models.Model):
    """The negotiation thread: shopper, merchant staff and ops."""

    case = models.ForeignKey(
        AfterSalesCase,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("after-sales case"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    role = models.CharField(_("role"), max_length=16, choices=CaseEvent.Role.choices)
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")

    def __str__(self):
        return f"{self.get_role_display()}: {self.text[:40]}"


class CaseOffer(models.Model):
    """The merchant's structured proposal (another type, a lower amount) to the shopper."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the shopper")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    case = models.ForeignKey(
        AfterSalesCase,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("after-sales case"),
    )
    type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    refund_amount = models.DecimalField(_("refund amount"), **money)
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("offered by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="one_pending_offer_per_case"
            )
        ]
        verbose_name = _("merchant offer")
        verbose_name_plural = _("merchant offers")

    def __str__(self):
        return f"{self.get_type_display()} {self.refund_amount} ({self.status})"


class AppealQueue(AfterSalesCase):
    """Cases as operations see them: appeals, overdue cases and failed refunds."""

    class Meta:
        proxy = True
        verbose_name = _("case for operations")
        verbose_name_plural = _("operations queue")
