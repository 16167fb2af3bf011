"""The checkout page places an order only at the payable amount it showed: a price that changed
between showing the page and pressing "Place order" is shown, nothing is placed, and the next
submit confirms the new amount."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from catalog.models import SKU, StockRecord
from orders.models import Order, PaymentMethod
from shop.money import format_money
from tests.orders.factories_pricing import LimitedTimePriceFactory
from tests.orders.factories_web import put_in_cart, sellable_sku, shopper_with_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client):
    user, address = shopper_with_address()
    client.force_login(user)
    return user, address


def submit(client, page, address, **fields):
    """Press "Place order" on a rendered checkout page, sending its hidden fields back."""
    form = page.context["form"]
    data = {
        "address_id": str(address.public_id),
        "payment_method": PaymentMethod.ALIPAY,
        "coupon_code": "",
        "buyer_note": "",
        "idempotency_key": form["idempotency_key"].value(),
        "expected_payable": form["expected_payable"].value(),
        "action": "place",
        **fields,
    }
    return client.post(reverse("orders:checkout"), data)


def test_the_checkout_page_carries_the_payable_amount_it_shows(shopper, client):
    user, _ = shopper
    put_in_cart(user, sellable_sku(price=Decimal("45.50")), quantity=2)

    page = client.get(reverse("orders:checkout"))

    payable = page.context["quote"].payable_amount
    assert page.context["form"]["expected_payable"].value() == str(payable)
    assert f'name="expected_payable" value="{payable}"' in page.content.decode()


def test_a_price_changed_since_the_page_opened_is_shown_and_nothing_is_placed(shopper, client):
    # given: the page shows the price, then the price goes up
    user, address = shopper
    sku = sellable_sku(price=Decimal("100.00"), stock=5)
    put_in_cart(user, sku, quantity=1)
    page = client.get(reverse("orders:checkout"))
    shown = page.context["quote"].payable_amount
    SKU.objects.filter(pk=sku.pk).update(price=Decimal("120.00"))

    # when
    response = submit(client, page, address)

    # then: the new bill with a message, the new amount to confirm, nothing placed
    assert response.status_code == 200
    now = response.context["quote"].payable_amount
    assert now == shown + Decimal("20.00")
    html = response.content.decode()
    assert 'data-testid="price-changed"' in html
    assert (
        f"The price changed from {format_money(shown)} to {format_money(now)} since you opened "
        "this page: please check and confirm."
    ) in html
    assert response.context["form"]["expected_payable"].value() == str(now)
    assert not Order.objects.exists()
    assert StockRecord.objects.get(sku=sku).sellable == 5
    assert user.cart.items.filter(sku=sku).exists()


def test_confirming_the_changed_price_places_the_order_at_it(shopper, client):
    # given: a submit refused for a changed price
    user, address = shopper
    sku = sellable_sku(price=Decimal("100.00"), stock=5)
    put_in_cart(user, sku, quantity=1)
    page = client.get(reverse("orders:checkout"))
    SKU.objects.filter(pk=sku.pk).update(price=Decimal("80.00"))
    refused = submit(client, page, address)
    assert not Order.objects.exists()

    # when: the shopper confirms the page that shows the new price
    confirmed = submit(client, refused, address)

    # then
    order = Order.objects.get(user=user)
    assert confirmed.status_code == 302
    assert order.payable_amount == refused.context["quote"].payable_amount
    assert order.goods_amount == Decimal("80.00")
    assert order.idempotency_key == page.context["form"]["idempotency_key"].value()
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_a_double_click_on_the_confirm_places_one_order(shopper, client):
    user, address = shopper
    sku = sellable_sku(price=Decimal("100.00"), stock=5)
    page = client.get(reverse("orders:checkout"), {"sku_id": sku.pk, "quantity": 1})
    SKU.objects.filter(pk=sku.pk).update(price=Decimal("90.00"))
    refused = submit(client, page, address, sku_id=sku.pk, quantity=1)

    first = submit(client, refused, address, sku_id=sku.pk, quantity=1)
    second = submit(client, refused, address, sku_id=sku.pk, quantity=1)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Order.objects.filter(user=user).count() == 1
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_a_resubmitted_page_of_a_placed_order_shows_that_order_even_if_prices_moved(
    shopper, client
):
    # given: an order placed from a page, then the price changes
    user, address = shopper
    sku = sellable_sku(price=Decimal("100.00"), stock=5)
    page = client.get(reverse("orders:checkout"), {"sku_id": sku.pk, "quantity": 1})
    first = submit(client, page, address, sku_id=sku.pk, quantity=1)
    SKU.objects.filter(pk=sku.pk).update(price=Decimal("150.00"))

    # when: the same page is sent again (back button, reload)
    again = submit(client, page, address, sku_id=sku.pk, quantity=1)

    # then: the same order at the price it was placed at, not a price-change prompt
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    order = Order.objects.get(user=user)
    assert order.goods_amount == Decimal("100.00")
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_an_unchanged_price_places_at_once(shopper, client):
    user, address = shopper
    put_in_cart(user, sellable_sku(price=Decimal("30.00")))
    page = client.get(reverse("orders:checkout"))

    response = submit(client, page, address)

    assert response.status_code == 302
    assert Order.objects.get(user=user).payable_amount == page.context["quote"].payable_amount


def test_a_garbled_expected_amount_is_priced_again_not_placed(shopper, client):
    user, address = shopper
    put_in_cart(user, sellable_sku(price=Decimal("30.00")))
    page = client.get(reverse("orders:checkout"))

    response = submit(client, page, address, expected_payable="twelve")

    assert response.status_code == 200
    assert not Order.objects.exists()
    assert response.context["form"]["expected_payable"].value() == str(
        response.context["quote"].payable_amount
    )
    assert any("place it again" in str(m) for m in response.context["messages"])


def test_a_limited_time_price_that_ends_before_the_submit_is_shown_not_charged(shopper, client):
    # given: the page shows a limited-time price that ends ten minutes later
    user, address = shopper
    sku = sellable_sku(price=Decimal("100.00"), stock=5)
    ends_at = timezone.now() + timedelta(minutes=10)
    LimitedTimePriceFactory(sku=sku, price=Decimal("79.00"), promotion__ends_at=ends_at)
    put_in_cart(user, sku)
    page = client.get(reverse("orders:checkout"))
    assert page.context["quote"].goods_amount - page.context["quote"].promotion_discount == (
        Decimal("79.00")
    )

    # when: the shopper presses "Place order" after the offer ended
    with time_machine.travel(ends_at + timedelta(minutes=1)):
        refused = submit(client, page, address)
        confirmed = submit(client, refused, address)

    # then: asked first, placed at the full price on the confirm
    assert 'data-testid="price-changed"' in refused.content.decode()
    assert refused.context["quote"].payable_amount > page.context["quote"].payable_amount
    assert confirmed.status_code == 302
    order = Order.objects.get(user=user)
    assert order.payable_amount == refused.context["quote"].payable_amount
