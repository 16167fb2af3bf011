"""Push rules, the outbox of messages to deliver, the in-site inbox and shoppers' preferences.

The outbox status is a delivery log driven by workers and the relay sweep (conditional UPDATEs
on locked rows), not a business state machine, so it is a plain choices field.
"""

import secrets
import uuid
from string import Formatter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.nodes import NODE_CHOICES


class Target(models.TextChoices):
    SHOPPER = "shopper", _("Shopper")
    MERCHANT = "merchant", _("Merchant staff")
    WAREHOUSE = "warehouse", _("Warehouse staff")
    # Active members of the platform operations group (shop.roles.PLATFORM_OPS): appeals, failed
    # refunds, evidence nobody sent. Superusers are not in it by being superusers.
    OPS = "ops", _("Platform operations")


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-site inbox")
    APP_PUSH = "app_push", _("App push")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    # Not a rule channel: every event about a merchant goes to its webhook, when it has one.
    WEBHOOK = "webhook", _("Merchant webhook")


RULE_CHANNEL_CHOICES = [choice for choice in Channel.choices if choice[0] != Channel.WEBHOOK]


def validate_template(value: str) -> None:
    """A template is str.format syntax with named placeholders only: "Order {order_no} paid"."""
    try:
        fields = [parts[1] for parts in Formatter().parse(value) if parts[1] is not None]
    except ValueError as error:
        raise ValidationError(
            _("Template syntax error: %(error)s") % {"error": error}, code="syntax"
        ) from error
    for name in fields:
        if not name or not name.isidentifier():
            raise ValidationError(
                _("Use named placeholders such as {order_no}, not {%(name)s}.") % {"name": name},
                code="placeholder",
            )


class PushRule(models.Model):
    """Who is told what, on which channel, when a node (a domain event) happens."""

    node = models.CharField(_("event"), max_length=40, choices=NODE_CHOICES)
    target = models.CharField(_("recipients"), max_length=16, choices=Target.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=RULE_CHANNEL_CHOICES)
    # English (the first pair) and Simplified Chinese: a recipient reads the one of their
    # account's language, the other when theirs is empty (rendering.templates_for_language).
    title_template = models.CharField(
        _("title (English)"),
        max_length=200,
        blank=True,
        validators=[validate_template],
        help_text=_("Placeholders such as {order_no} are filled from the event."),
    )
    body_template = models.TextField(
        _("body (English)"), blank=True, validators=[validate_template]
    )
    title_template_zh_hans = models.CharField(
        _("title (Chinese)"),
        max_length=200,
        blank=True,
        # A database default too: code of before this field (migration 0012's historical
        # model, a worker of the previous release during a deploy) still inserts rules.
        default="",
        db_default="",
        validators=[validate_template],
        help_text=_("Empty: Chinese-speaking recipients read the English text."),
    )
    body_template_zh_hans = models.TextField(
        _("body (Chinese)"),
        blank=True,
        default="",
        db_default="",
        validators=[validate_template],
        help_text=_("Empty: Chinese-speaking recipients read the English text."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The last rendering problem (a placeholder the event did not carry, a broken template):
    # shown in the admin so that ops fix the rule instead of shoppers getting odd messages.
    last_render_error = models.TextField(_("last rendering problem"), blank=True)
    last_render_error_at = models.DateTimeField(_("problem seen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("push rule")
        verbose_name_plural = _("push rules")
        ordering = ["node", "target", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "target", "channel"], name="pushrule_unique_node_target_channel"
            )
        ]

    def __str__(self):
        return f"{self.node} -> {self.target} / {self.channel}"

    def clean(self):
        if not (self.title_template or self.title_template_zh_hans):
            raise ValidationError(
                {"title_template": _("Write the title in at least one language.")}
            )
        if not (self.body_template or self.body_template_zh_hans):
            raise ValidationError({"body_template": _("Write the body in at least one language.")})


def new_webhook_secret() -> str:
    return secrets.token_hex(24)


class MerchantWebhook(models.Model):
    """A merchant's own system (ERP/WMS): every event about that merchant is POSTed to it as
    signed JSON (HMAC-SHA256 with `secret`, see notifications.channels.signed_http)."""

    merchant = models.OneToOneField(
        "catalog.Merchant",
        on_delete=models.CASCADE,
        related_name="notification_webhook",
        verbose_name=_("merchant"),
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=64, default=new_webhook_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("merchant webhook")
        verbose_name_plural = _("merchant webhooks")

    def __str__(self):
        return f"Webhook of {self.merchant}: {self.url}"


class OutboxMessage(models.Model):
    """One message to one recipient on one channel, written in the emitter's transaction."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (will retry)")
        DEAD = "dead", _("Dead (gave up)")
        # Nothing to send it to (an SMS to a person with no phone number): never tried, and the
        # reason is in last_error. Ops may "Retry now" once the number is known.
        SKIPPED = "skipped", _("Skipped (no address to send to)")

    # The event's identity (node + subject + sequence): with rule and recipient it makes the
    # dedupe key, so the same event emitted twice never writes a second row.
    event_key = models.CharField(_("event key"), max_length=200)
    node = models.CharField(_("event"), max_length=40, choices=NODE_CHOICES)
    subject_type = models.CharField(_("subject type"), max_length=20)
    subject_id = models.BigIntegerField(_("subject id"))
    rule = models.ForeignKey(
        PushRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("push rule"),
    )
    # A person (rule rows) or a merchant's webhook (webhook rows), never both.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        verbose_name=_("recipient"),
    )
    webhook = models.ForeignKey(
        MerchantWebhook,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("merchant webhook"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # The recipient's account language when the row was written: what the text is worded in,
    # and what "Retry now" words it in again. Empty for webhook rows (JSON, no words).
    language = models.CharField(_("language"), max_length=8, blank=True, default="", db_default="")
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=255, blank=True)
    data = models.JSONField(_("event data"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "rule", "recipient"], name="outbox_unique_event_rule_recipient"
            ),
            models.UniqueConstraint(
                fields=["event_key", "webhook"],
                condition=models.Q(webhook__isnull=False),
                name="outbox_unique_event_webhook",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | models.Q(webhook__isnull=False),
                name="outbox_has_recipient_or_webhook",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due"),
            models.Index(fields=["event_key"], name="outbox_event_key"),
        ]

    def __str__(self):
        to = self.recipient or self.webhook
        return f"{self.title} to {to} by {self.get_channel_display()} ({self.get_status_display()})"

    @property
    def idempotency_key(self) -> str:
        """What a provider dedupes on: the same row is never sent twice as two messages."""
        return f"shop-outbox-{self.pk}"


class InboxMessage(models.Model):
    """An in-site message: stored per recipient, read or unread."""

    # What the API and the pages call a message by; the sequential pk stays internal.
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inbox_messages",
        verbose_name=_("user"),
    )
    # One inbox row per outbox row: a redelivered send finds the row it already made.
    outbox = models.OneToOneField(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_message",
        verbose_name=_("outbox message"),
    )
    node = models.CharField(_("event"), max_length=40, choices=NODE_CHOICES, blank=True)
    # As rendered for the recipient, in their language when it was sent (never re-worded).
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=255, blank=True)
    is_read = models.BooleanField(_("read"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["is_read", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "is_read", "-created_at"], name="inbox_user_unread_recent")
        ]

    def __str__(self):
        return f"{self.title} to {self.user}"


class NotificationPreference(models.Model):
    """A shopper's choice to silence one channel for one kind of message (absent: on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    node = models.CharField(_("kind of message"), max_length=40, choices=NODE_CHOICES)
    channel = models.CharField(_("channel"), max_length=16, choices=RULE_CHANNEL_CHOICES)
    enabled = models.BooleanField(_("on"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "node", "channel"], name="notificationpref_unique_user_node_channel"
            )
        ]

    def __str__(self):
        state = "on" if self.enabled else "off"
        return f"{self.user}: {self.get_node_display()} by {self.get_channel_display()} {state}"
