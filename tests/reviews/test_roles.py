"""The role groups hold the permissions on reviews and carts under their own apps' labels,
the same rights they had when the models were catalog's."""

import pytest
from django.contrib.auth.models import Group

from shop.roles import MERCHANT_STAFF, PLATFORM_OPS

pytestmark = pytest.mark.django_db


def _permissions(group_name: str, *app_labels: str) -> set[tuple[str, str]]:
    group = Group.objects.get(name=group_name)
    return set(
        group.permissions.filter(content_type__app_label__in=app_labels).values_list(
            "content_type__app_label", "codename"
        )
    )


def test_merchant_staff_read_and_answer_reviews_and_never_touch_carts():
    # given / when: the groups as migrate leaves them
    perms = _permissions(MERCHANT_STAFF, "reviews", "cart", "catalog")

    # then
    assert perms >= {("reviews", "view_review"), ("reviews", "change_review")}
    assert ("reviews", "delete_review") not in perms
    assert not {p for p in perms if p[0] == "cart" or p[1].endswith("review")} - {
        ("reviews", "view_review"),
        ("reviews", "change_review"),
    }


def test_ops_view_change_and_add_reviews_and_carts_as_in_catalog():
    # given / when
    perms = _permissions(PLATFORM_OPS, "reviews", "cart")

    # then
    assert perms == {
        (app, f"{action}_{model}")
        for app, models in (("reviews", ("review", "reviewimage")), ("cart", ("cart", "cartitem")))
        for model in models
        for action in ("view", "change", "add")
    }
