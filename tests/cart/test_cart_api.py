"""Cart API: /api/cart/ and its lines, for a session or a signed-in shopper."""

import pytest
from rest_framework.authtoken.models import Token

from cart.models import Cart
from tests.accounts.factories import UserFactory
from tests.cart.factories import CartItemFactory
from tests.catalog.factories import SearchCatalogue, stocked_sku

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def test_anonymous_cart_lives_in_the_session(api_client, cat):
    # when
    added = api_client.post(
        "/api/cart/items/", {"sku_id": cat.mate.sku.pk, "quantity": 2}, format="json"
    )

    # then
    assert added.status_code == 201
    cart = api_client.get("/api/cart/").json()
    line = cart["groups"][0]["lines"][0]
    assert (line["sku_id"], line["quantity"], line["line_total"]) == (
        cat.mate.sku.pk,
        2,
        "11998.00",
    )
    assert cart["groups"][0]["merchant"]["name"] == "Huawei Store"
    assert cart["total"] == "11998.00"
    assert cart["count"] == 2


def test_token_cart_add_patch_delete(api_client, cat):
    # given
    user = UserFactory()
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    # when
    api_client.post("/api/cart/items/", {"sku_id": cat.mate.sku.pk, "quantity": 1}, format="json")
    again = api_client.post(
        "/api/cart/items/", {"sku_id": cat.mate.sku.pk, "quantity": 2}, format="json"
    )

    # then: the same SKU adds up, in the user's own cart
    line = again.json()["groups"][0]["lines"][0]
    assert line["quantity"] == 3
    item_id = line["id"]
    assert Cart.objects.get(user=user).items.get().pk == item_id

    # when
    patched = api_client.patch(f"/api/cart/items/{item_id}/", {"quantity": 5}, format="json")

    # then
    assert patched.status_code == 200
    assert patched.json()["groups"][0]["lines"][0]["quantity"] == 5

    # when
    deleted = api_client.delete(f"/api/cart/items/{item_id}/")

    # then
    assert deleted.status_code == 200
    assert deleted.json()["groups"] == []


def test_session_signed_in_cart(api_client, cat):
    user = UserFactory()
    api_client.force_login(user)
    response = api_client.post(
        "/api/cart/items/", {"sku_id": cat.iphone.sku.pk, "quantity": 1}, format="json"
    )
    assert response.status_code == 201
    assert Cart.objects.get(user=user).items.get().quantity == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"sku_id": "SKU", "quantity": 1}, 400, "invalid_id"),
        ({"quantity": 1}, 400, "invalid_id"),
        ({"sku_id": 999999, "quantity": 1}, 404, "unknown_sku"),
        ({"sku_id": "SKU_OF_MATE", "quantity": 0}, 400, "invalid_quantity"),
        ({"sku_id": "SKU_OF_MATE", "quantity": -1}, 400, "invalid_quantity"),
        ({"sku_id": "SKU_OF_MATE", "quantity": "abc"}, 400, "invalid_quantity"),
        ({"sku_id": "SKU_OF_MATE", "quantity": 1.5}, 400, "invalid_quantity"),
        ({"sku_id": "SKU_OF_MATE", "quantity": True}, 400, "invalid_quantity"),
        ({"sku_id": "SKU_OF_MATE", "quantity": 11}, 409, "out_of_stock"),
        ({"sku_id": "SKU_OF_MATE", "quantity": 100000}, 409, "quantity_limit"),
        ({"sku_id": "SKU_OF_HIDDEN", "quantity": 1}, 400, "sku_unavailable"),
    ],
)
def test_bad_cart_input_is_json_with_the_right_status(api_client, cat, body, status, code):
    # given
    sku_ids = {"SKU_OF_MATE": cat.mate.sku.pk, "SKU_OF_HIDDEN": cat.hidden.sku.pk}
    body = {k: sku_ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}

    # when
    response = api_client.post("/api/cart/items/", body, format="json")

    # then
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_a_body_that_is_not_an_object_is_400(api_client, cat):
    response = api_client.post("/api/cart/items/", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_body"


def test_another_shoppers_line_is_404(api_client, cat):
    theirs = CartItemFactory(sku=stocked_sku(), quantity=1)
    api_client.force_login(UserFactory())
    assert (
        api_client.patch(
            f"/api/cart/items/{theirs.pk}/", {"quantity": 2}, format="json"
        ).status_code
        == 404
    )
    assert api_client.delete(f"/api/cart/items/{theirs.pk}/").status_code == 404
