"""The cart service (cart.services) and its selector (cart.selectors.cart_contents)."""

import threading
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cart.models import Cart, CartItem
from cart.selectors import cart_contents
from cart.services import (
    SessionCart,
    cart_add,
    cart_clear_skus,
    cart_merge_into_user,
    cart_remove,
    cart_set_quantity,
)
from shop.errors import Conflict, InvalidInput, NotFound, OutOfStock
from tests.accounts.factories import PASSWORD, UserFactory
from tests.cart.factories import CartFactory, CartItemFactory
from tests.catalog.factories import (
    MerchantFactory,
    SKUFactory,
    StockRecordFactory,
    stocked_sku,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart():
    return CartFactory()


@pytest.fixture
def session_cart():
    session = SessionStore()
    session.create()
    return SessionCart(session)


@pytest.fixture(params=["user", "session"])
def any_cart(request):
    if request.param == "user":
        return CartFactory()
    session = SessionStore()
    session.create()
    return SessionCart(session)


def lines_of(cart) -> dict[int, int]:
    return {line.sku.pk: line.quantity for line in cart_contents(cart).lines}


# --- Adding ------------------------------------------------------------------------------


def test_adding_the_same_sku_twice_adds_up(any_cart):
    # given
    sku = stocked_sku(on_hand=10)

    # when
    cart_add(cart=any_cart, sku_id=sku.pk, quantity=2)
    item = cart_add(cart=any_cart, sku_id=str(sku.pk), quantity="3")

    # then
    assert item.quantity == 5
    assert lines_of(any_cart) == {sku.pk: 5}


@pytest.mark.parametrize("quantity", [0, -1, "abc", 1.5, "1.5", "", None, True, [1], "1e2"])
def test_a_quantity_that_is_not_a_positive_whole_number_is_refused(any_cart, quantity):
    # given
    sku = stocked_sku(on_hand=10)

    # when / then
    with pytest.raises(InvalidInput) as error:
        cart_add(cart=any_cart, sku_id=sku.pk, quantity=quantity)
    assert error.value.code == "invalid_quantity"
    assert error.value.status_code == 400
    assert lines_of(any_cart) == {}


def test_an_unknown_sku_is_not_found(any_cart):
    with pytest.raises(NotFound) as error:
        cart_add(cart=any_cart, sku_id=987654, quantity=1)
    assert error.value.status_code == 404


@pytest.mark.parametrize("sku_id", ["abc", None, "", "1.5"])
def test_a_sku_id_that_is_not_an_id_is_bad_input(any_cart, sku_id):
    with pytest.raises(InvalidInput):
        cart_add(cart=any_cart, sku_id=sku_id, quantity=1)


@pytest.mark.parametrize("what", ["sku", "product", "merchant"])
def test_an_inactive_sku_product_or_merchant_cannot_be_added(any_cart, what):
    # given
    sku = stocked_sku(on_hand=10)
    target = {"sku": sku, "product": sku.product, "merchant": sku.product.merchant}[what]
    target.is_active = False
    target.save()

    # when / then
    with pytest.raises(InvalidInput) as error:
        cart_add(cart=any_cart, sku_id=sku.pk, quantity=1)
    assert error.value.code == "sku_unavailable"


def test_more_than_sellable_is_refused_with_what_is_left(any_cart):
    # given: 10 on hand, 7 allocated to orders -> 3 sellable
    sku = stocked_sku(on_hand=10, allocated=7)
    cart_add(cart=any_cart, sku_id=sku.pk, quantity=2)

    # when / then: 2 + 2 > 3
    with pytest.raises(OutOfStock) as error:
        cart_add(cart=any_cart, sku_id=sku.pk, quantity=2)
    assert error.value.status_code == 409
    assert error.value.extra["available"] == 3
    assert lines_of(any_cart) == {sku.pk: 2}


def test_stock_in_an_inactive_warehouse_is_not_sellable(any_cart):
    # given
    sku = stocked_sku(on_hand=10)
    warehouse = sku.stock_records.get().warehouse
    warehouse.is_active = False
    warehouse.save()

    # when / then
    with pytest.raises(OutOfStock):
        cart_add(cart=any_cart, sku_id=sku.pk, quantity=1)


def test_stock_of_several_warehouses_adds_up(any_cart):
    # given
    sku = stocked_sku(on_hand=2)
    StockRecordFactory(sku=sku, on_hand=3)

    # when
    cart_add(cart=any_cart, sku_id=sku.pk, quantity=5)

    # then
    assert lines_of(any_cart) == {sku.pk: 5}


def test_the_per_line_limit_applies_even_with_stock(any_cart, settings):
    # given
    settings.CART_MAX_QUANTITY_PER_LINE = 5
    sku = stocked_sku(on_hand=100)

    # when / then
    with pytest.raises(Conflict) as error:
        cart_add(cart=any_cart, sku_id=sku.pk, quantity=6)
    assert error.value.code == "quantity_limit"


# --- Changing and removing --------------------------------------------------------------


def test_set_quantity_changes_the_line(any_cart):
    # given
    sku = stocked_sku(on_hand=10)
    item = cart_add(cart=any_cart, sku_id=sku.pk, quantity=1)

    # when
    cart_set_quantity(cart=any_cart, item_id=item.id, quantity=4)

    # then
    assert lines_of(any_cart) == {sku.pk: 4}


def test_set_quantity_above_stock_is_refused_but_lowering_always_works(any_cart):
    # given: 5 in the cart, then orders take all but 2
    sku = stocked_sku(on_hand=10)
    item = cart_add(cart=any_cart, sku_id=sku.pk, quantity=5)
    sku.stock_records.update(allocated=8)

    # when / then
    with pytest.raises(OutOfStock):
        cart_set_quantity(cart=any_cart, item_id=item.id, quantity=6)
    cart_set_quantity(cart=any_cart, item_id=item.id, quantity=3)
    assert lines_of(any_cart) == {sku.pk: 3}


@pytest.mark.parametrize("quantity", [0, -1, "abc", 1.5])
def test_set_quantity_refuses_bad_numbers(any_cart, quantity):
    sku = stocked_sku(on_hand=10)
    item = cart_add(cart=any_cart, sku_id=sku.pk, quantity=1)
    with pytest.raises(InvalidInput):
        cart_set_quantity(cart=any_cart, item_id=item.id, quantity=quantity)


def test_another_shoppers_line_is_not_found(cart):
    # given
    theirs = CartItemFactory(sku=stocked_sku())

    # when / then
    with pytest.raises(NotFound):
        cart_set_quantity(cart=cart, item_id=theirs.pk, quantity=1)
    with pytest.raises(NotFound):
        cart_remove(cart=cart, item_id=theirs.pk)
    assert CartItem.objects.filter(pk=theirs.pk).exists()


def test_remove_takes_the_line_out(any_cart):
    # given
    sku = stocked_sku()
    item = cart_add(cart=any_cart, sku_id=sku.pk, quantity=1)

    # when
    cart_remove(cart=any_cart, item_id=item.id)

    # then
    assert lines_of(any_cart) == {}
    with pytest.raises(NotFound):
        cart_remove(cart=any_cart, item_id=item.id)


def test_clear_skus_removes_only_those(any_cart):
    # given
    kept, ordered = stocked_sku(), stocked_sku()
    cart_add(cart=any_cart, sku_id=kept.pk, quantity=1)
    cart_add(cart=any_cart, sku_id=ordered.pk, quantity=2)

    # when
    removed = cart_clear_skus(cart=any_cart, sku_ids=[ordered.pk])

    # then
    assert removed == 1
    assert lines_of(any_cart) == {kept.pk: 1}


# --- Contents ----------------------------------------------------------------------------


def test_contents_group_by_merchant_and_flag_problems(cart, django_assert_max_num_queries):
    # given
    shop_a, shop_b = MerchantFactory(name="A"), MerchantFactory(name="B")
    fine = stocked_sku(product__merchant=shop_a, price=Decimal("10.00"), on_hand=5)
    short = stocked_sku(product__merchant=shop_a, price=Decimal("3.50"), on_hand=5)
    gone = stocked_sku(product__merchant=shop_b, price=Decimal("7.00"), on_hand=5)
    CartItemFactory(cart=cart, sku=fine, quantity=2)
    CartItemFactory(cart=cart, sku=short, quantity=4)
    CartItemFactory(cart=cart, sku=gone, quantity=1)
    short.stock_records.update(allocated=3)  # 2 left, 4 wanted
    gone.product.is_active = False
    gone.product.save()

    # when
    with django_assert_max_num_queries(4):
        contents = cart_contents(cart)

    # then
    assert [group.merchant.name for group in contents.groups] == ["A", "B"]
    merchant, lines = contents.groups[0]
    assert merchant == shop_a
    assert [(line.sku, line.line_total, line.sellable) for line in lines] == [
        (fine, Decimal("20.00"), True),
        (short, Decimal("14.00"), False),
    ]
    assert lines[1].problem == "Only 2 left: lower the quantity."
    assert contents.groups[1].lines[0].problem == "No longer sold."
    assert contents.total == Decimal("20.00")
    assert contents.count == 7


def test_an_out_of_stock_line_says_so(cart):
    sku = stocked_sku(on_hand=1)
    CartItemFactory(cart=cart, sku=sku, quantity=1)
    sku.stock_records.update(allocated=1)
    assert cart_contents(cart).lines[0].problem == "Out of stock."


# --- Merge at sign-in ---------------------------------------------------------------------


def test_merge_adds_the_session_cart_to_the_users_cart(session_cart):
    # given
    user = UserFactory()
    both, only_session, only_user = stocked_sku(on_hand=10), stocked_sku(), stocked_sku()
    cart = CartFactory(user=user)
    CartItemFactory(cart=cart, sku=both, quantity=2)
    CartItemFactory(cart=cart, sku=only_user, quantity=1)
    cart_add(cart=session_cart, sku_id=both.pk, quantity=3)
    cart_add(cart=session_cart, sku_id=only_session.pk, quantity=1)
    session_cart.session.save()

    # when
    cart_merge_into_user(session_key=session_cart.session.session_key, user=user)

    # then
    assert lines_of(cart) == {both.pk: 5, only_session.pk: 1, only_user.pk: 1}
    assert SessionStore(session_key=session_cart.session.session_key).get("cart") is None


def test_merge_caps_at_stock_and_drops_what_is_no_longer_sold(session_cart):
    # given
    user = UserFactory()
    scarce, retired = stocked_sku(on_hand=4), stocked_sku()
    cart_add(cart=session_cart, sku_id=scarce.pk, quantity=3)
    cart_add(cart=session_cart, sku_id=retired.pk, quantity=1)
    CartItemFactory(cart=CartFactory(user=user), sku=scarce, quantity=2)
    retired.is_active = False
    retired.save()

    # when
    cart = cart_merge_into_user(user=user, session=session_cart.session)

    # then
    assert lines_of(cart) == {scarce.pk: 4}


def _merge_queries(lines: int) -> int:
    session = SessionStore()
    session.create()
    session_cart = SessionCart(session)
    for _ in range(lines):
        cart_add(cart=session_cart, sku_id=stocked_sku(on_hand=5).pk, quantity=1)
    with CaptureQueriesContext(connection) as queries:
        cart = cart_merge_into_user(user=UserFactory(), session=session)
    assert sum(lines_of(cart).values()) == lines
    return len(queries)


def test_merge_reads_stock_for_the_whole_cart_at_once():
    # given / when: a one-line and a six-line session cart are merged
    one, six = _merge_queries(1), _merge_queries(6)

    # then: the five extra lines cost their five inserts, no stock query each
    assert six - one == 5


def test_signing_in_merges_the_anonymous_cart(client):
    # given: an anonymous shopper puts something in the cart
    user = UserFactory()
    sku = stocked_sku(product__title="Green tea")
    client.post(reverse("cart:cart_add"), {"sku_id": sku.pk, "quantity": "2"})
    key_before = client.session.session_key

    # when: they sign in (Django changes the session key here)
    assert client.login(username=user.username, password=PASSWORD)

    # then
    assert client.session.session_key != key_before
    assert lines_of(Cart.objects.get(user=user)) == {sku.pk: 2}
    page = client.get(reverse("cart:cart")).content.decode()
    assert "Green tea" in page


@pytest.mark.django_db(transaction=True)
def test_two_adds_at_once_add_up():
    # given
    sku = stocked_sku(on_hand=100)
    cart = CartFactory()
    barrier = threading.Barrier(2)
    errors = []

    def add():
        try:
            barrier.wait()
            cart_add(cart=Cart.objects.get(pk=cart.pk), sku_id=sku.pk, quantity=3)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=add) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert errors == []
    assert CartItem.objects.get(cart=cart, sku=sku).quantity == 6


def test_sku_of_factory_without_stock_cannot_be_added(any_cart):
    sku = SKUFactory()
    with pytest.raises(OutOfStock):
        cart_add(cart=any_cart, sku_id=sku.pk, quantity=1)
