"""Storefront pages of reviews: the form for one order line and a product's full review list.

Views read through reviews.selectors and write only through reviews.services;
anything a shopper can get wrong becomes a message on the form, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from catalog.actors import actor_for
from catalog.models import Product
from reviews.selectors import order_line_for_review, reviews_for_product
from reviews.services import (
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    MAX_TEXT_LENGTH,
    review_create,
    review_refusal,
)
from shop.errors import DomainError

REVIEWS_PAGE_SIZE = 20


def _form_context(line, **extra) -> dict:
    return {
        "line": line,
        "order": line.order,
        "product": line.sku.product,
        "max_images": MAX_IMAGES,
        "max_image_mb": MAX_IMAGE_BYTES // (1024 * 1024),
        "max_text": MAX_TEXT_LENGTH,
        "ratings": [5, 4, 3, 2, 1],
        **extra,
    }


@login_required
def review_create_page(request, order_no: str, line_id: int):
    line = order_line_for_review(user=request.user, order_no=order_no, line_id=line_id)
    if line is None:
        raise Http404("No such order line.")
    if line.review_pk is not None:
        messages.info(request, _("You have already reviewed this item."))
        return redirect("orders:detail", order_no=order_no)
    refusal = review_refusal(line)
    if refusal is not None:
        messages.warning(request, refusal.detail)
        return redirect("orders:detail", order_no=order_no)

    if request.method != "POST":
        return render(request, "reviews/review_form.html", _form_context(line))
    try:
        review_create(
            actor=actor_for(request.user),
            order_line_id=line.pk,
            rating=request.POST.get("rating"),
            text=request.POST.get("text", ""),
            images=request.FILES.getlist("images"),
        )
    except DomainError as error:
        return render(
            request,
            "reviews/review_form.html",
            _form_context(
                line,
                error=error.detail,
                rating=request.POST.get("rating", ""),
                text=request.POST.get("text", ""),
            ),
            status=error.status_code,
        )
    messages.success(request, _("Thank you for your review."))
    return redirect("orders:detail", order_no=order_no)


def product_reviews_page(request, pk: int):
    product = (
        Product.objects.filter(pk=pk, is_active=True, merchant__is_active=True)
        .select_related("merchant")
        .first()
    )
    if product is None:
        raise Http404("No such product.")
    page = Paginator(reviews_for_product(product.pk), REVIEWS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/product_reviews.html",
        {"product": product, "page": page, "reviews": page.object_list},
    )
