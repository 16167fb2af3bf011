"""orders.events.order_path: every order event carries the order page's path, reversed once per
script prefix and then filled in."""

from django.urls import reverse, set_script_prefix

from orders.events import order_path
from orders.models import Order


def test_the_path_is_the_order_pages_as_reverse_gives_it():
    for number in ("O202612071234567890", "O202612080000000001"):
        assert order_path(Order(order_no=number)) == reverse("orders:detail", args=[number])
    assert order_path(Order(order_no="O202612071234567890")) == "/orders/O202612071234567890/"


def test_under_a_script_prefix_the_path_has_it():
    try:
        set_script_prefix("/shop/")
        assert order_path(Order(order_no="O2026120700000000042")) == (
            "/shop/orders/O2026120700000000042/"
        )
    finally:
        set_script_prefix("/")
    assert order_path(Order(order_no="O2026120700000000042")) == "/orders/O2026120700000000042/"
