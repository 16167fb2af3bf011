"""The sandbox gateway's own records: its ledger of trades and refunds (what its query, refund
and bill-download answers read) and the notifications it owes the shop.

The tables were payments' (payments_sandboxtrade, ...) until the sandbox became an app of its
own; sandbox/migrations/0001 renamed them to this app's prefix, rows and all."""

from django.db import models
from django.utils.translation import gettext_lazy as _

money = {"max_digits": 12, "decimal_places": 2}


class SandboxTrade(models.Model):
    """The sandbox gateway's own ledger of trades: what its query and reconciliation read."""

    class Status(models.TextChoices):
        SUCCESS = "success", _("Paid")
        FAILED = "failed", _("Failed")

    gateway = models.CharField(_("gateway"), max_length=16)
    trade_no = models.CharField(_("trade number"), max_length=64, unique=True)
    payment_no = models.CharField(_("payment number"), max_length=32)
    amount = models.DecimalField(_("amount"), **money)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "sandbox_trade"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Like a real gateway: one trade per merchant order number.
            models.UniqueConstraint(fields=["gateway", "payment_no"], name="sandbox_trade_once"),
        ]
        verbose_name = _("sandbox trade")
        verbose_name_plural = _("sandbox trades")

    def __str__(self):
        return self.trade_no


class SandboxNotification(models.Model):
    """An asynchronous notification the sandbox sends until the shop acknowledges it.

    The body is fixed when the trade settles; the signature headers (and Alipay's notify_time)
    are made afresh for every delivery, as the real gateways do, so a redelivery hours later is
    not refused as a replay. `headers` keeps the last delivery's, for the admin."""

    trade = models.ForeignKey(
        SandboxTrade,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("trade"),
    )
    body = models.TextField(_("body"))
    headers = models.JSONField(_("signature headers"), default=dict, blank=True)
    content_type = models.CharField(_("content type"), max_length=64)
    attempts = models.PositiveSmallIntegerField(_("deliveries"), default=0)
    # When the gateway's redelivery schedule sends it next; null once acknowledged or given up.
    next_attempt_at = models.DateTimeField(_("next delivery"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    last_response = models.CharField(_("last response"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        db_table = "sandbox_notification"
        verbose_name = _("sandbox notification")
        verbose_name_plural = _("sandbox notifications")

    def __str__(self):
        return f"notification {self.pk} of {self.trade_id}"


class SandboxRefund(models.Model):
    gateway = models.CharField(_("gateway"), max_length=16)
    refund_id = models.CharField(_("gateway refund id"), max_length=64, unique=True)
    out_refund_no = models.CharField(_("shop refund number"), max_length=32, unique=True)
    trade_no = models.CharField(_("trade number"), max_length=64)
    amount = models.DecimalField(_("amount"), **money)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "sandbox_refund"
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")

    def __str__(self):
        return self.out_refund_no
