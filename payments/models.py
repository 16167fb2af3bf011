"""Payments: one row per attempt to pay an order, the raw log of every gateway notification,
refunds, the history of every payment's and refund's changes, and the daily reconciliation
report. (The sandbox gateway's ledger is the sandbox app's.)

Status fields are django-fsm `FSMField(protected=True)`; only payments.services runs the
transitions, on a locked row, inside its transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from catalog.actors import Role

money = {"max_digits": 12, "decimal_places": 2}


class Method(models.TextChoices):
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    COD = "cod", _("Cash on delivery")


ONLINE_METHODS = (Method.ALIPAY, Method.WECHAT)


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Awaiting payment")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CLOSED = "closed", _("Closed")

    payment_no = models.CharField(_("payment number"), max_length=32, unique=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    method = models.CharField(_("payment method"), max_length=16, choices=Method.choices)
    amount = models.DecimalField(_("amount"), **money)
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CREATED, protected=True
    )
    # The gateway's own transaction id (Alipay trade_no, WeChat transaction_id).
    gateway_trade_no = models.CharField(
        _("gateway transaction number"), max_length=64, null=True, blank=True, unique=True
    )
    # Money that arrived when the order could no longer be paid (cancelled, expired or already
    # paid by another payment): kept as a succeeded payment and refunded automatically.
    orphaned = models.BooleanField(_("paid after the order closed"), default=False)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    # What live WeChat Pay (native) gave us to show as a QR code (weixin://...): kept so the
    # result page shows it on every refresh without asking WeChat Pay again.
    code_url = models.CharField(_("QR code link"), max_length=255, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="succeeded", orphaned=False),
                name="payment_one_success_per_order",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_non_negative"),
        ]
        indexes = [models.Index(fields=["paid_at"], name="payment_paid_at")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return self.payment_no

    @property
    def is_online(self) -> bool:
        return self.method in ONLINE_METHODS

    @transition(
        field=status, source=[Status.CREATED, Status.FAILED, Status.CLOSED], target=Status.SUCCEEDED
    )
    def succeed(self, *, trade_no, paid_at, orphaned=False):
        self.gateway_trade_no = trade_no
        self.paid_at = paid_at
        self.orphaned = orphaned

    @transition(field=status, source=Status.CREATED, target=Status.FAILED)
    def fail(self, *, reason, trade_no=None):
        self.failure_reason = reason[:255]
        if trade_no:
            self.gateway_trade_no = trade_no

    @transition(field=status, source=Status.CREATED, target=Status.CLOSED)
    def close(self, *, reason):
        self.failure_reason = reason[:255]


class PaymentNotification(models.Model):
    """Every asynchronous notification a gateway sent, verified or not, kept for audit."""

    class Outcome(models.TextChoices):
        PAID = "paid", _("Order paid")
        DUPLICATE = "duplicate", _("Duplicate (already handled)")
        ORPHANED = "orphaned", _("Paid after the order closed: refunded")
        FAILED = "failed", _("Payment failed")
        BAD_SIGNATURE = "bad_signature", _("Rejected: bad signature")
        AMOUNT_MISMATCH = "amount_mismatch", _("Rejected: amount mismatch")
        UNKNOWN_PAYMENT = "unknown_payment", _("Rejected: unknown payment")
        INVALID = "invalid", _("Rejected: malformed")

    gateway = models.CharField(_("gateway"), max_length=16)
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name=_("payment"),
    )
    notify_id = models.CharField(_("notification id"), max_length=128, blank=True)
    trade_no = models.CharField(_("gateway transaction number"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, blank=True)  # "success" | "failure"
    body = models.TextField(_("body"))
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    signature_valid = models.BooleanField(_("signature valid"), default=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One handled (signature-valid, first-seen) notification per trade and kind: a replay
            # finds this row and answers success without touching the order again.
            models.UniqueConstraint(
                fields=["gateway", "trade_no", "kind"],
                condition=Q(outcome__in=["paid", "orphaned", "failed"]),
                name="notification_once_per_trade_kind",
            ),
        ]
        verbose_name = _("gateway notification")
        verbose_name_plural = _("gateway notifications")

    def __str__(self):
        return f"{self.gateway} {self.trade_no or '-'} {self.outcome}"


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    refund_no = models.CharField(_("refund number"), max_length=32, unique=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("order line"),
    )
    amount = models.DecimalField(_("amount"), **money)
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    reason = models.CharField(_("reason"), max_length=255)
    # A caller's key (e.g. "case:A2026..."): the same key again returns the same refund.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, protected=True
    )
    gateway_refund_id = models.CharField(_("gateway refund id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    succeeded_at = models.DateTimeField(_("succeeded"), null=True, blank=True)
    # Cash taken at the door has no gateway to send it back and the shop keeps no balance:
    # operations pay it out by hand (bank transfer, Alipay/WeChat transfer) and record it.
    manual_payout = models.BooleanField(_("paid out by hand"), default=False)
    payout_reference = models.CharField(_("payout reference"), max_length=64, blank=True)
    paid_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("paid out by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["payment", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="refund_idempotency_key_per_payment",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "processing"]),
                name="refund_due",
            )
        ]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self):
        return self.refund_no

    @transition(field=status, source=[Status.PENDING, Status.PROCESSING], target=Status.PROCESSING)
    def start_attempt(self, *, at, stale_after):
        self.attempts += 1
        # Still processing then means the worker died mid-call: the sweep tries again.
        self.next_attempt_at = at + stale_after

    @transition(field=status, source=Status.PROCESSING, target=Status.SUCCEEDED)
    def succeed(self, *, at, gateway_refund_id):
        self.succeeded_at = at
        self.gateway_refund_id = gateway_refund_id
        self.last_error = ""

    @transition(field=status, source=Status.PROCESSING, target=Status.PROCESSING)
    def await_gateway(self, *, gateway_refund_id, check_at, note):
        # Accepted by the gateway but not yet paid out: asked again (queried, never re-sent)
        # at check_at, however long the bank takes.
        self.gateway_refund_id = gateway_refund_id or self.gateway_refund_id
        self.next_attempt_at = check_at
        self.last_error = note[:255]

    @transition(field=status, source=Status.PROCESSING, target=Status.PENDING)
    def attempt_failed(self, *, error, retry_at):
        self.last_error = error[:255]
        self.next_attempt_at = retry_at

    @transition(field=status, source=Status.PROCESSING, target=Status.FAILED)
    def give_up(self, *, error):
        self.last_error = error[:255]
        self.next_attempt_at = None

    @property
    def awaiting_manual_payout(self) -> bool:
        return self.manual_payout and self.status == self.Status.PROCESSING

    @transition(field=status, source=[Status.PENDING, Status.PROCESSING], target=Status.PROCESSING)
    def await_manual_payout(self):
        # No sweep picks it up (no next attempt): it waits for operations.
        self.manual_payout = True
        self.next_attempt_at = None
        self.last_error = "Awaiting manual payout by operations"

    @transition(
        field=status,
        source=Status.PROCESSING,
        target=Status.SUCCEEDED,
        conditions=[lambda refund: refund.manual_payout],
    )
    def record_manual_payout(self, *, at, reference, paid_out_by):
        self.succeeded_at = at
        self.payout_reference = reference
        self.gateway_refund_id = f"MANUAL:{reference}"[:64]
        self.paid_out_by = paid_out_by
        self.last_error = ""

    @transition(field=status, source=Status.FAILED, target=Status.PENDING)
    def retry(self, *, at):
        self.next_attempt_at = at
        self.attempts = 0


class CodCollection(models.Model):
    """Cash collected at the door for one sub-order of a cash-on-delivery order."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="collections", verbose_name=_("payment")
    )
    sub_order = models.OneToOneField(
        "orders.SubOrder",
        on_delete=models.PROTECT,
        related_name="cod_collection",
        verbose_name=_("sub-order"),
    )
    amount = models.DecimalField(_("amount"), **money)
    collected_at = models.DateTimeField(_("collected"))

    class Meta:
        verbose_name = _("cash-on-delivery collection")
        verbose_name_plural = _("cash-on-delivery collections")

    def __str__(self):
        return f"¥{self.amount} collected for {self.sub_order}"


class PaymentEvent(models.Model):
    """One change of a payment's or a refund's state: who (a user and their role, or the
    system), what, from which state to which, why. Append-only: written by payments.services in
    the transaction of the change, shown read-only in the admin history of the payment (and of
    the refund, when it is a refund's change)."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="events", verbose_name=_("payment")
    )
    # Set when the change is a refund's; the payment is then the one the refund gives back.
    refund = models.ForeignKey(
        Refund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("refund"),
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
    what = models.CharField(
        _("change"), max_length=32
    )  # the transition: "created", "succeed", "retry", ...
    from_state = models.CharField(_("from status"), max_length=16, blank=True)
    to_state = models.CharField(_("to status"), max_length=16)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("payment history entry")
        verbose_name_plural = _("payment history")

    def __str__(self):
        subject = self.refund_id and f"refund {self.refund_id}" or f"payment {self.payment_id}"
        return f"{subject}: {self.what} {self.from_state or '-'} -> {self.to_state}"


class ReconciliationRun(models.Model):
    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    payments_checked = models.PositiveIntegerField(_("payments checked"), default=0)
    refunds_checked = models.PositiveIntegerField(_("refunds checked"), default=0)
    mismatch_count = models.PositiveIntegerField(_("mismatches"), default=0)

    class Meta:
        ordering = ["-day", "-started_at"]
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")

    def __str__(self):
        return f"Reconciliation {self.day} ({self.mismatch_count} mismatches)"


class ReconciliationMismatch(models.Model):
    class Kind(models.TextChoices):
        MISSING_AT_GATEWAY = "missing_at_gateway", _("We recorded it, the gateway did not")
        MISSING_LOCALLY = "missing_locally", _("The gateway recorded it, we did not")
        AMOUNT = "amount", _("Amounts differ")
        STATUS = "status", _("Statuses differ")

    run = models.ForeignKey(
        ReconciliationRun,
        on_delete=models.CASCADE,
        related_name="mismatches",
        verbose_name=_("reconciliation run"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    subject = models.CharField(_("record type"), max_length=16)  # "payment" | "refund"
    reference = models.CharField(
        _("reference"), max_length=64
    )  # payment_no / refund_no / gateway trade no
    our_amount = models.DecimalField(_("amount in the shop"), null=True, blank=True, **money)
    gateway_amount = models.DecimalField(_("amount at the gateway"), null=True, blank=True, **money)
    our_status = models.CharField(_("status in the shop"), max_length=16, blank=True)
    gateway_status = models.CharField(_("status at the gateway"), max_length=16, blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        verbose_name = _("reconciliation mismatch")
        verbose_name_plural = _("reconciliation mismatches")

    def __str__(self):
        return f"{self.subject} {self.reference}: {self.get_kind_display()}"
