"""The after-sales knowledge base (售后知识库) and the service desk's tools.

Articles answer shoppers before a case and help merchants' staff and ops while handling one;
canned replies and macros make answers fast and alike. Writes go through knowledge.services
(which keeps an ArticleVersion per change and the search document current); pages, the API and
the admin read through knowledge.selectors and knowledge.search.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    SHOPPER = "shopper", _("Shoppers")
    MERCHANT = "merchant", _("Merchants")
    OPS = "ops", _("Operations")


class Language(models.TextChoices):
    ZH = "zh-hans", "中文"
    EN = "en", "English"


class Topic(models.Model):
    """A section of the help centre (退货退款, 物流配送, ...)."""

    name = models.CharField(_("name"), max_length=64)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("help topic")

    def __str__(self):
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # Markdown; rendered by knowledge.markdown, which escapes every raw HTML tag of the author.
    body = models.TextField(_("body (Markdown)"))
    # Words shoppers use that the text may not (退钱, 没收到, "money back"): searched, not shown.
    keywords = models.CharField(_("search keywords"), max_length=300, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ZH)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.SHOPPER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    # What the article answers: after-sales reasons, case types (aftersales CaseType values),
    # product categories and order stages (aftersales Stage values). Empty means "any".
    reasons = models.ManyToManyField("aftersales.CaseReason", blank=True, related_name="+")
    case_types = models.JSONField(default=list, blank=True)
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+")
    stages = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    # Stale answers surface in the admin's "review due" filter and on the workbench.
    review_due_on = models.DateField(_("review due"), null=True, blank=True)
    source_case_no = models.CharField(max_length=32, blank=True)

    view_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    not_helpful_count = models.PositiveIntegerField(default=0)
    search_document = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("help article")
        indexes = [
            models.Index(fields=["status", "audience", "language"], name="article_listed"),
            models.Index(
                fields=["review_due_on"],
                condition=Q(review_due_on__isnull=False),
                name="article_review_due",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleVersion(models.Model):
    """Append-only: the article as it was after each change, who made it and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Article.Status.choices)
    note = models.CharField(max_length=255, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="one_version_number")
        ]

    def __str__(self):
        return f"{self.article_id} v{self.number}"


class ArticleFeedback(models.Model):
    """One "was this helpful?" answer; one per user (or browser session) and article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True)
    helpful = models.BooleanField()
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("article feedback")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="one_feedback_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=Q(user__isnull=True) & ~Q(session_key=""),
                name="one_feedback_per_session",
            ),
        ]


class SuggestionImpression(models.Model):
    """A shopper on an after-sales request form was shown suggested articles (deflection).

    Deflection is counted from these rows and the cases themselves (knowledge.metrics): no case
    on the sub-order within 72 h is a deflection, one within 7 days a re-contact (a false one)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sub_order = models.ForeignKey("orders.SubOrder", on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey("catalog.Merchant", on_delete=models.CASCADE, related_name="+")
    article_ids = models.JSONField(default=list)
    reason_code = models.CharField(max_length=40, blank=True)
    opened_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "sub_order"], name="impression_user_sub_order")]


class ContactRequest(models.Model):
    """A question no article answered, to the merchant of an order or to the platform."""

    class Recipient(models.TextChoices):
        MERCHANT = "merchant", _("The shop (merchant)")
        PLATFORM = "platform", _("Platform customer service")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipient = models.CharField(max_length=16, choices=Recipient.choices)
    merchant = models.ForeignKey(
        "catalog.Merchant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sub_order = models.ForeignKey(
        "orders.SubOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=120)
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact request")


class CannedReply(models.Model):
    """A snippet for the case thread. Variables in braces are filled from the case:
    {case_no} {order_no} {sub_order_no} {refund_amount} {return_address} {deadline}
    {shopper} {merchant}."""

    title = models.CharField(max_length=100)
    body = models.TextField()
    # None: shared by every merchant (written by ops).
    merchant = models.ForeignKey(
        "catalog.Merchant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.MERCHANT)
    reasons = models.ManyToManyField("aftersales.CaseReason", blank=True, related_name="+")
    case_types = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self):
        return self.title


class Macro(models.Model):
    """Reply and act in one click: a canned reply posted to the thread, then a case action."""

    class Action(models.TextChoices):
        NONE = "none", _("Reply only")
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    name = models.CharField(max_length=100)
    reply = models.ForeignKey(CannedReply, on_delete=models.PROTECT, related_name="macros")
    action = models.CharField(max_length=16, choices=Action.choices, default=Action.NONE)
    merchant = models.ForeignKey(
        "catalog.Merchant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class ServiceWorkbench(SuggestionImpression):
    """The admin's operations workbench (queues, service figures, charts): a page, not data."""

    class Meta:
        proxy = True
        verbose_name = _("operations workbench")
        verbose_name_plural = _("operations workbench")
