"""The help centre (/help/): topics, search, article pages with "was this helpful?", the
contact path, and the suggestions the after-sales request form fetches. Thin callers of
knowledge.selectors and knowledge.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales import selectors as aftersales_selectors
from catalog.actors import actor_for
from orders.models import SubOrder
from shop.errors import DomainError

from . import selectors, services
from .forms import ContactForm, FeedbackForm
from .markdown import render_markdown
from .models import Language

RESULTS_PER_PAGE = 10


def _language(request) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in Language.values else ""


@require_GET
def help_home(request):
    language = _language(request)
    return render(
        request,
        "knowledge/home.html",
        {
            "topics": selectors.topics_with_articles(language=language),
            "most_read": selectors.most_read_articles(language=language),
            "language": language,
            "languages": Language.choices,
        },
    )


@require_GET
def help_search(request):
    query = " ".join(request.GET.get("q", "").split())[:100]
    articles = selectors.article_list(
        search=query,
        reason=request.GET.get("reason", "")[:40],
        topic=request.GET.get("topic", "")[:64],
        language=_language(request),
    )
    page = Paginator(articles, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/search.html",
        {"query": query, "page": page, "articles": list(page)},
    )


@require_GET
def topic_detail(request, slug: str):
    topic = next((t for t in selectors.topics_with_articles() if t.slug == slug), None)
    if topic is None:
        raise Http404(_("No such help topic."))
    return render(request, "knowledge/topic.html", {"topic": topic})


@require_GET
def article_detail(request, slug: str):
    article = selectors.article_get(slug=slug, audiences=selectors.audiences_of(request.user))
    if article is None:
        raise Http404(_("No such article."))
    services.article_viewed(article=article)
    from_request = request.GET.get("from", "")[:32]
    if from_request and request.user.is_authenticated:
        services.suggestion_opened(user=request.user, article=article, sub_order_no=from_request)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "body": render_markdown(article.body),
            "related": selectors.related_articles(article),
            "from_request": from_request,
            "feedback_form": FeedbackForm(),
            "voted": request.session.get(f"help-voted-{article.pk}"),
        },
    )


@require_POST
def article_feedback(request, slug: str):
    article = selectors.article_get(slug=slug, audiences=selectors.audiences_of(request.user))
    if article is None:
        raise Http404(_("No such article."))
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell us whether the article helped."))
        return redirect("help:article", slug=slug)
    if not request.session.session_key:
        request.session.save()
    try:
        services.article_feedback_record(
            article=article,
            actor=actor_for(request.user) if request.user.is_authenticated else None,
            session_key=request.session.session_key or "",
            helpful=form.cleaned_data["helpful"] == "yes",
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("help:article", slug=slug)
    request.session[f"help-voted-{article.pk}"] = form.cleaned_data["helpful"]
    messages.success(request, _("Thank you for your feedback."))
    return redirect(reverse("help:article", args=[slug]) + "#feedback")


@login_required
@require_http_methods(["GET", "POST"])
def contact(request):
    sub_orders = list(
        SubOrder.objects.filter(order__user=request.user)
        .select_related("merchant")
        .order_by("-id")[:20]
    )
    initial = {"sub_order": request.GET.get("order", ""), "recipient": "merchant"}
    form = ContactForm(request.POST or None, sub_orders=sub_orders, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_request_create(
                actor=actor_for(request.user),
                recipient=data["recipient"],
                subject=data["subject"],
                message=data["message"],
                sub_order=data["sub_order"],
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Message sent. The answer will appear below."))
            return redirect("help:contact")
    return render(
        request,
        "knowledge/contact.html",
        {"form": form, "asked": selectors.contact_requests_of(user=request.user)},
    )


@login_required
@require_GET
def suggest(request):
    """Up to three articles for the request form of one of the shopper's sub-orders, as JSON;
    records that the shopper saw them (deflection)."""
    sub_order_no = request.GET.get("sub_order", "")[:32]
    sub_order = SubOrder.objects.filter(order__user=request.user, sub_order_no=sub_order_no).first()
    if sub_order is None:
        return JsonResponse({"detail": _("No such order."), "code": "not_found"}, status=404)
    reason = request.GET.get("reason", "")[:40]
    text = " ".join(request.GET.get("q", "").split())[:100]
    articles = selectors.suggested_articles(
        reason_code=reason,
        category_ids=selectors.sub_order_category_ids(sub_order),
        stage=aftersales_selectors.stage_of(sub_order) or "",
        text=text,
        case_type=request.GET.get("type", "")[:16],
    )
    services.suggestion_impression_record(
        user=request.user,
        sub_order=sub_order,
        article_ids=[a.pk for a in articles],
        reason_code=reason,
    )
    link = "?from=" + sub_order.sub_order_no
    return JsonResponse(
        {
            "articles": [
                {
                    "slug": a.slug,
                    "title": a.title,
                    "summary": a.summary,
                    "url": reverse("help:article", args=[a.slug]) + link,
                }
                for a in articles
            ]
        }
    )
