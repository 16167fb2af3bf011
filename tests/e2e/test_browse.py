"""A shopper browses in a real browser: search, open a product, pick a SKU, add it to the cart
and find it there."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cart.models import CartItem
from tests.catalog.factories import (
    AttributeFactory,
    AttributeValueFactory,
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    ProductImageFactory,
    SKUFactory,
    StockRecordFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone():
    """华为手机 Mate 60 in Black (5999, in stock), White (6299, in stock) and Gold (sold
    out)."""
    colour = AttributeFactory(code="colour", name="Colour")
    product = ProductFactory(
        title="华为手机 Mate 60",
        subtitle="卫星通话 5G",
        merchant=MerchantFactory(name="华为官方旗舰店", slug="huawei-flagship"),
        category=CategoryFactory(name="手机", slug="phones"),
        price_from=Decimal("5999.00"),
    )
    ProductImageFactory(product=product)
    skus = {}
    for name, price, stock in [
        ("Black", "5999.00", 8),
        ("White", "6299.00", 5),
        ("Gold", "6999.00", 0),
    ]:
        sku = SKUFactory(
            product=product,
            code=f"MATE60-{name.upper()}",
            price=Decimal(price),
            market_price=Decimal("7999.00"),
        )
        sku.attribute_values.set([AttributeValueFactory(attribute=colour, value=name)])
        StockRecordFactory(sku=sku, on_hand=stock)
        skus[name] = sku
    ProductFactory(title="Phone case", category=product.category, price_from=Decimal("29.00"))
    return product, skus


def test_search_pick_a_sku_and_find_it_in_the_cart(page, live_server, phone):
    product, skus = phone

    # given: the shopper searches from the home page with part of the name
    page.goto(f"{live_server.url}{reverse('catalog:home')}")
    page.fill("header input[name=q]", "手机")
    page.press("header input[name=q]", "Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    results = page.get_by_test_id("product-card")
    expect(results).to_have_count(1)

    # when: they open the product
    results.first.click()

    # then: the cheapest SKU in stock is offered first
    expect(page.get_by_test_id("product-title")).to_have_text("华为手机 Mate 60")
    expect(page.get_by_test_id("sku-price")).to_have_text("¥5,999.00")
    expect(page.get_by_test_id("sku-availability")).to_have_text("库存 8 件")

    # when: they pick White
    white = skus["White"].attribute_values.get()
    page.get_by_test_id(f"option-{white.pk}").click()

    # then: its price, market price and stock show
    expect(page.get_by_test_id("sku-price")).to_have_text("¥6,299.00")
    expect(page.get_by_test_id("sku-market-price")).to_have_text("¥7,999.00")
    expect(page.get_by_test_id("sku-availability")).to_have_text("库存 5 件")

    # and Gold is marked sold out; choosing it disables the button
    gold = skus["Gold"].attribute_values.get()
    expect(page.get_by_test_id(f"option-{gold.pk}")).to_have_class(re.compile("unavailable"))
    page.get_by_test_id(f"option-{gold.pk}").click()
    expect(page.get_by_test_id("add-to-cart")).to_be_disabled()
    page.get_by_test_id(f"option-{white.pk}").click()
    expect(page.get_by_test_id("add-to-cart")).to_be_enabled()

    # when: two of them go in the cart
    page.get_by_test_id("quantity").fill("2")
    page.get_by_test_id("add-to-cart").click()

    # then: the cart shows the line, its merchant and the total
    expect(page).to_have_url(f"{live_server.url}{reverse('cart:cart')}")
    line = page.get_by_test_id("cart-line")
    expect(line).to_have_count(1)
    expect(line.get_by_test_id("cart-line-title")).to_have_text("华为手机 Mate 60")
    expect(line.get_by_test_id("cart-line-sku")).to_have_text("Colour: White")
    expect(line.get_by_test_id("cart-line-quantity")).to_have_value("2")
    expect(page.get_by_test_id("cart-merchant")).to_contain_text("华为官方旗舰店")
    expect(page.get_by_test_id("cart-total")).to_have_text("¥12,598.00")
    expect(page.get_by_test_id("cart-count")).to_have_text("2")


def test_the_cart_on_a_phone_changes_quantity_and_shows_the_limit(browser, live_server, phone):
    # given: a phone-sized screen and one White in the cart
    product, skus = phone
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{reverse('catalog:product', args=[product.pk])}")
        page.get_by_test_id(f"option-{skus['White'].attribute_values.get().pk}").click()
        page.get_by_test_id("add-to-cart").click()
        expect(page.get_by_test_id("cart-line")).to_have_count(1)

        # when: they ask for more than there is
        page.get_by_test_id("cart-line-quantity").fill("9")
        page.locator("[data-testid=cart-update-form] button").click()

        # then: a message says how many are left and the line keeps its quantity
        expect(page.locator(".message.error")).to_contain_text("华为手机 Mate 60 仅剩 5 件")
        expect(page.get_by_test_id("cart-line-quantity")).to_have_value("1")

        # when: they remove it
        page.get_by_test_id("cart-line-remove").click()

        # then
        expect(page.get_by_test_id("cart-empty")).to_be_visible()
    finally:
        context.close()


def test_buy_now_goes_to_checkout_with_the_chosen_sku(page, live_server, phone):
    # given: a signed-in shopper with an address
    from django.test import Client

    from tests.accounts.factories import AddressFactory, UserFactory

    product, skus = phone
    user = UserFactory(username="buy-now-shopper")
    AddressFactory(user=user, is_default=True)
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{reverse('catalog:product', args=[product.pk])}")

    # when: they pick White, two of them, and buy now
    page.get_by_test_id(f"option-{skus['White'].attribute_values.get().pk}").click()
    page.get_by_test_id("quantity").fill("2")
    page.get_by_test_id("buy-now").click()

    # then: checkout prices exactly that SKU; the cart is untouched
    expect(page).to_have_url(
        re.compile(rf"/orders/checkout/\?sku_id={skus['White'].pk}&quantity=2$")
    )
    expect(page.get_by_test_id("checkout-line")).to_contain_text("华为手机 Mate 60")
    assert not CartItem.objects.filter(cart__user=user).exists()
