"""The only code that changes the knowledge base and the service desk's records."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from aftersales import selectors as aftersales_selectors
from aftersales import services as aftersales_services
from aftersales.models import AfterSalesCase, CaseEvent
from catalog.actors import Actor
from shop.errors import InvalidInput, NotFound

from .models import (
    Article,
    ArticleFeedback,
    ArticleVersion,
    Audience,
    CannedReply,
    ContactRequest,
    Macro,
    SuggestionImpression,
)
from .search import search_documents_refresh

REVIEW_EVERY = timedelta(days=180)
ARTICLE_FIELDS = (
    "title", "summary", "body", "keywords", "language", "audience", "status", "topic",
    "case_types", "stages", "position", "review_due_on", "source_case_no", "slug",
)  # fmt: skip


def _unique_slug(title: str, slug: str = "") -> str:
    base = slugify(slug or title)[:70] or "article"
    candidate, n = base, 1
    while Article.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def version_record(*, article: Article, actor: Actor, note: str = "") -> ArticleVersion:
    last = article.versions.aggregate(last=Max("number"))["last"] or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        status=article.status,
        note=note[:255],
        edited_by=actor.user,
    )


@transaction.atomic
def article_save(
    *,
    actor: Actor,
    article: Article | None = None,
    reasons=None,
    categories=None,
    note: str = "",
    **fields,
) -> Article:
    """Create or change an article; every save is a new version (who, when, what, why)."""
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown article fields: {sorted(unknown)}")
    creating = article is None or article._state.adding
    article = article or Article()
    for name, value in fields.items():
        setattr(article, name, value)
    if not (article.title or "").strip() or not (article.body or "").strip():
        raise InvalidInput(_("An article needs a title and a body."), code="article_incomplete")
    if creating or not article.slug:
        article.slug = _unique_slug(article.title, article.slug)
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    if article.review_due_on is None:
        article.review_due_on = (timezone.now() + REVIEW_EVERY).date()
    article.updated_by = actor.user
    article.save()
    if reasons is not None:
        article.reasons.set(reasons)
    if categories is not None:
        article.categories.set(categories)
    version_record(article=article, actor=actor, note=note or ("created" if creating else ""))
    search_documents_refresh(Article, [article.pk])
    return article


def article_viewed(*, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@transaction.atomic
def article_feedback_record(
    *,
    article: Article,
    actor: Actor | None,
    session_key: str = "",
    helpful: bool,
    comment: str = "",
) -> ArticleFeedback:
    """One answer per user (or browser session): a second one replaces the first, and the
    article's counters move accordingly. `actor` None is an anonymous visitor, known by the
    browser session only."""
    user = actor.user if actor is not None else None
    if not article.is_published:
        raise NotFound(_("No such article."))
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise InvalidInput(_("A comment is at most 500 characters."), code="comment_too_long")
    owner = {"user": user} if user is not None else {"user": None, "session_key": session_key}
    kept = {} if user is None else {"session_key": session_key}
    if user is None and not session_key:
        raise InvalidInput(_("Feedback needs a session."), code="no_session")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    previous = ArticleFeedback.objects.filter(article=locked, **owner).first()
    new = "helpful_count" if helpful else "not_helpful_count"
    if previous is None:
        feedback = ArticleFeedback.objects.create(
            article=locked, helpful=helpful, comment=comment, **owner, **kept
        )
        Article.objects.filter(pk=locked.pk).update(**{new: F(new) + 1})
        return feedback
    if previous.helpful != helpful:
        old = "helpful_count" if previous.helpful else "not_helpful_count"
        Article.objects.filter(pk=locked.pk).update(**{old: F(old) - 1, new: F(new) + 1})
    previous.helpful, previous.comment = helpful, comment or previous.comment
    previous.save(update_fields=["helpful", "comment"])
    feedback = previous
    return feedback


def suggestion_impression_record(
    *, user, sub_order, article_ids: list[int], reason_code: str = ""
) -> SuggestionImpression | None:
    """The shopper saw these suggestions on the request form of this sub-order. One row per
    form visit: a later fetch within the hour (another reason chosen, words typed) updates it.

    A record of what `user` was shown (the deflection figures), not an action of theirs: no
    Actor, and no role lookups on a request made at every keystroke."""
    if not article_ids:
        return None
    recent = (
        SuggestionImpression.objects.filter(
            user=user, sub_order=sub_order, created_at__gte=timezone.now() - timedelta(hours=1)
        )
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        shown = list(dict.fromkeys([*recent.article_ids, *article_ids]))
        recent.article_ids, recent.reason_code = shown, reason_code or recent.reason_code
        recent.save(update_fields=["article_ids", "reason_code"])
        return recent
    return SuggestionImpression.objects.create(
        user=user,
        sub_order=sub_order,
        merchant_id=sub_order.merchant_id,
        article_ids=list(article_ids),
        reason_code=reason_code,
    )


def suggestion_opened(*, user, article: Article, sub_order_no: str) -> None:
    """The shopper opened a suggested article from the request form (a record, like the
    impression: no Actor)."""
    impression = (
        SuggestionImpression.objects.filter(
            user=user, sub_order__sub_order_no=sub_order_no, opened_article__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    if impression is not None and article.pk in impression.article_ids:
        impression.opened_article = article
        impression.save(update_fields=["opened_article"])


def contact_request_create(
    *, actor: Actor, recipient: str, subject: str, message: str, sub_order=None
) -> ContactRequest:
    """A signed-in shopper's question to a shop (about one of their sub-orders) or to the
    platform."""
    subject, message = (subject or "").strip(), (message or "").strip()
    if not subject or not message:
        raise InvalidInput(_("Write a subject and a message."), code="text_required")
    if len(subject) > 120 or len(message) > 2000:
        raise InvalidInput(_("The message is too long."), code="text_too_long")
    if recipient not in ContactRequest.Recipient.values:
        raise InvalidInput(_("Choose who should answer."), code="invalid_recipient")
    if recipient == ContactRequest.Recipient.MERCHANT and sub_order is None:
        raise InvalidInput(_("Choose the order the shop should look at."), code="order_required")
    return ContactRequest.objects.create(
        user=actor.user,
        recipient=recipient,
        sub_order=sub_order,
        merchant_id=sub_order.merchant_id if sub_order is not None else None,
        subject=subject,
        message=message,
    )


def contact_request_answer(*, contact: ContactRequest, actor: Actor, answer: str) -> ContactRequest:
    """The shop's staff (its own questions) or ops answer; the shopper reads it on the
    contact page."""
    if not actor.reaches_merchant(contact.merchant_id):
        raise NotFound(_("No such question."))
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput(_("Write the answer."), code="text_required")
    contact.answer, contact.status = answer[:2000], ContactRequest.Status.ANSWERED
    contact.answered_by, contact.answered_at = actor.user, timezone.now()
    contact.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    return contact


def article_from_case(*, case, actor: Actor) -> Article:
    """A draft article for ops from a handled case: its reason, type, stage and categories,
    and the thread's answers as a starting body (personal details left out)."""
    answers = [
        m.text
        for m in case.messages.all()
        if m.role in (CaseEvent.Role.MERCHANT, CaseEvent.Role.OPS) and m.text
    ]
    lines = [
        f"## {_('The question')}",
        "",
        case.reason.label,
        "",
        f"## {_('The answer')}",
        "",
        *([f"- {text}" for text in answers] or [_("Write the answer here.")]),
    ]
    categories = {line.order_line.sku.product.category_id for line in case.lines.all()}
    return article_save(
        actor=actor,
        title=f"{case.reason.label}: {case.get_type_display()}",
        body="\n".join(lines),
        audience=Audience.SHOPPER,
        status=Article.Status.DRAFT,
        case_types=[case.type],
        stages=[case.stage],
        source_case_no=case.case_no,
        reasons=[case.reason_id],
        categories=[c for c in categories if c],
        note=f"from case {case.case_no}",
    )


# --- service desk ------------------------------------------------------------------------------


def canned_reply_render(*, reply, case) -> str:
    """The reply's text with the case's values in its {variables}; unknown braces stay."""
    address = aftersales_selectors.return_address_for(case)
    deadline, _outcome = case.next_deadline
    values = {
        "case_no": case.case_no,
        "order_no": case.order.order_no,
        "sub_order_no": case.sub_order.sub_order_no,
        "refund_amount": f"{case.refund_amount:.2f}",
        "return_address": (
            f"{address.recipient} {address.phone} {address.address}" if address else ""
        ),
        "deadline": (timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") if deadline else ""),
        "shopper": case.user.get_username(),
        "merchant": case.merchant.name,
    }
    text = reply.body
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _usable(model, *, pk, merchant_id):
    found = (
        model.objects.filter(pk=pk, is_active=True)
        .filter(Q(merchant__isnull=True) | Q(merchant_id=merchant_id))
        .first()
    )
    if found is None:
        raise NotFound(_("No such reply."))
    return found


@transaction.atomic
def canned_reply_post(*, case_no: str, reply_id: int, actor: Actor):
    """Post a canned reply, filled in for the case, to its thread (as the actor)."""
    case = AfterSalesCase.objects.select_related("order", "sub_order", "user", "merchant").get(
        case_no=case_no
    )
    reply = _usable(CannedReply, pk=reply_id, merchant_id=case.merchant_id)
    return aftersales_services.case_message_post(
        case_no=case_no, actor=actor, text=canned_reply_render(reply=reply, case=case)
    )


@transaction.atomic
def macro_apply(*, case_no: str, macro_id: int, actor: Actor):
    """Act, then reply: the action first, so that the reply's deadline and return address are
    those the action set (approve -> the return deadline). All or nothing."""
    case = AfterSalesCase.objects.get(case_no=case_no)
    macro = _usable(Macro, pk=macro_id, merchant_id=case.merchant_id)
    if macro.action == Macro.Action.APPROVE:
        aftersales_services.case_approve(case_no=case_no, actor=actor, note=macro.name)
    elif macro.action == Macro.Action.REJECT:
        case = AfterSalesCase.objects.select_related("order", "sub_order", "user", "merchant").get(
            pk=case.pk
        )
        aftersales_services.case_reject(
            case_no=case_no,
            actor=actor,
            reason=canned_reply_render(reply=macro.reply, case=case)[:255],
        )
    return canned_reply_post(case_no=case_no, reply_id=macro.reply_id, actor=actor)
