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
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("help topic")
        verbose_name_plural = _("help topics")

    def __str__(self):
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # Markdown; rendered by knowledge.markdown, which escapes every raw HTML tag of the author.
    body = models.TextField(_("body (Markdown)"))
    # Words shoppers use that the text may not (退钱, 没收到, "money back"): searched, not shown.
    keywords = models.CharField(_("search keywords"), max_length=300, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.SHOPPER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    topic = models.ForeignKey(
        Topic,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("help topic"),
    )
    # What the article answers: after-sales reasons, case types (aftersales CaseType values),
    # product categories and order stages (aftersales Stage values). Empty means "any".
    reasons = models.ManyToManyField(
        "aftersales.CaseReason", blank=True, related_name="+", verbose_name=_("after-sales reasons")
    )
    case_types = models.JSONField(_("case types"), default=list, blank=True)
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("product categories")
    )
    stages = models.JSONField(_("order stages"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    # Stale answers surface in the admin's "review due" filter and on the workbench.
    review_due_on = models.DateField(_("review due"), null=True, blank=True)
    source_case_no = models.CharField(_("written from case"), max_length=32, blank=True)

    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful votes"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("not helpful votes"), default=0)
    search_document = SearchVectorField(_("search document"), null=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
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
        verbose_name_plural = _("help articles")

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleVersion(models.Model):
    """Append-only: the article as it was after each change, who made it and why."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("help article")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=16, choices=Article.Status.choices)
    note = models.CharField(_("change note"), max_length=255, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("edited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="one_version_number")
        ]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self):
        return f"{self.article_id} v{self.number}"


class ArticleFeedback(models.Model):
    """One "was this helpful?" answer; one per user (or browser session) and article."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("help article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("browser session"), max_length=64, blank=True)
    helpful = models.BooleanField(_("helpful"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

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
        verbose_name = _("article feedback")


class SuggestionImpression(models.Model):
    """A shopper on an after-sales request form was shown suggested articles (deflection).

    Deflection is counted from these rows and the cases themselves (knowledge.metrics): no case
    on the sub-order within 72 h is a deflection, one within 7 days a re-contact (a false one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shopper"),
    )
    sub_order = models.ForeignKey(
        "orders.SubOrder", on_delete=models.CASCADE, related_name="+", verbose_name=_("sub-order")
    )
    merchant = models.ForeignKey(
        "catalog.Merchant", on_delete=models.CASCADE, related_name="+", verbose_name=_("merchant")
    )
    article_ids = models.JSONField(_("suggested articles"), default=list)
    reason_code = models.CharField(_("after-sales reason"), max_length=40, blank=True)
    opened_article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("article opened"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "sub_order"], name="impression_user_sub_order")]
        verbose_name = _("article suggestion")
        verbose_name_plural = _("article suggestions")


class ContactRequest(models.Model):
    """A question no article answered, to the merchant of an order or to the platform."""

    class Recipient(models.TextChoices):
        MERCHANT = "merchant", _("The shop (merchant)")
        PLATFORM = "platform", _("Platform customer service")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shopper"),
    )
    recipient = models.CharField(_("addressed to"), max_length=16, choices=Recipient.choices)
    merchant = models.ForeignKey(
        "catalog.Merchant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    sub_order = models.ForeignKey(
        "orders.SubOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sub-order"),
    )
    subject = models.CharField(_("subject"), max_length=120)
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")


class CannedReply(models.Model):
    """A snippet for the case thread. Variables in braces are filled from the case:
    {case_no} {order_no} {sub_order_no} {refund_amount} {return_address} {deadline}
    {shopper} {merchant}."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("body"))
    # None: shared by every merchant (written by ops).
    merchant = models.ForeignKey(
        "catalog.Merchant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.MERCHANT
    )
    reasons = models.ManyToManyField(
        "aftersales.CaseReason", blank=True, related_name="+", verbose_name=_("after-sales reasons")
    )
    case_types = models.JSONField(_("case types"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

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

    name = models.CharField(_("name"), max_length=100)
    reply = models.ForeignKey(
        CannedReply, on_delete=models.PROTECT, related_name="macros", verbose_name=_("canned reply")
    )
    action = models.CharField(
        _("case action"), max_length=16, choices=Action.choices, default=Action.NONE
    )
    merchant = models.ForeignKey(
        "catalog.Merchant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")

    def __str__(self):
        return self.name


class ServiceWorkbench(SuggestionImpression):
    """The admin's operations workbench (queues, service figures, charts): a page, not data."""

    class Meta:
        proxy = True
        verbose_name = _("operations workbench")
        verbose_name_plural = _("operations workbench")
