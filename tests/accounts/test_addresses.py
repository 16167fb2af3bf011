import pytest
from django.urls import reverse

from shop.accounts import selectors, services
from shop.accounts.models import Address
from shop.errors import InvalidInput, NotFound
from tests.accounts.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "recipient": "李四",
    "phone": "13912345678",
    "province": "广东",
    "city": "广州市",
    "district": "天河区",
    "detail": "体育西路 1 号",
}


def _defaults(user) -> list[int]:
    return list(Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True))


# --- services ------------------------------------------------------------------------------


def test_first_address_becomes_the_default():
    # given
    user = UserFactory()

    # when
    first = services.address_create(user=user, **GOOD)
    second = services.address_create(user=user, **{**GOOD, "recipient": "王五"})

    # then
    assert _defaults(user) == [first.pk]
    second.refresh_from_db()
    assert second.is_default is False


def test_a_new_default_replaces_the_old_one():
    # given
    user = UserFactory()
    first = services.address_create(user=user, **GOOD)

    # when
    second = services.address_create(user=user, **GOOD, is_default=True)

    # then
    assert _defaults(user) == [second.pk]
    assert selectors.default_address_for_user(user) == second
    assert first.pk in [a.pk for a in selectors.addresses_for_user(user)]


def test_set_default_keeps_exactly_one_default():
    # given
    user = UserFactory()
    first = services.address_create(user=user, **GOOD)
    second = services.address_create(user=user, **GOOD)

    # when
    services.address_set_default(user=user, public_id=second.public_id)
    services.address_set_default(user=user, public_id=second.public_id)

    # then
    assert _defaults(user) == [second.pk]
    assert first.pk not in _defaults(user)


def test_deleting_the_default_promotes_another():
    # given
    user = UserFactory()
    first = services.address_create(user=user, **GOOD)
    second = services.address_create(user=user, **GOOD)

    # when
    services.address_delete(user=user, public_id=first.public_id)

    # then
    assert _defaults(user) == [second.pk]


def test_deleting_the_last_address_leaves_none():
    # given
    user = UserFactory()
    only = services.address_create(user=user, **GOOD)

    # when
    services.address_delete(user=user, public_id=only.public_id)

    # then
    assert not Address.objects.filter(user=user).exists()


def test_update_changes_only_the_given_fields():
    # given
    user = UserFactory()
    address = services.address_create(user=user, **GOOD)

    # when
    services.address_update(user=user, public_id=address.public_id, city="深圳市", district="")

    # then
    address.refresh_from_db()
    assert (address.city, address.district, address.recipient) == ("深圳市", "", "李四")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"phone": "12345"}, "invalid_phone"),
        ({"phone": "23912345678"}, "invalid_phone"),
        ({"province": "Atlantis"}, "invalid_province"),
        ({"recipient": "  "}, "invalid_recipient"),
        ({"detail": ""}, "invalid_detail"),
        ({"city": "x" * 65}, "invalid_city"),
    ],
)
def test_invalid_address_is_refused(change, code):
    # given
    user = UserFactory()

    # when / then
    with pytest.raises(InvalidInput) as error:
        services.address_create(user=user, **{**GOOD, **change})
    assert error.value.code == code
    assert not Address.objects.filter(user=user).exists()


def test_another_users_address_is_not_found():
    # given
    owner, stranger = UserFactory(), UserFactory()
    address = services.address_create(user=owner, **GOOD)

    # when / then
    for call in (
        lambda: services.address_update(user=stranger, public_id=address.public_id, city="X"),
        lambda: services.address_delete(user=stranger, public_id=address.public_id),
        lambda: services.address_set_default(user=stranger, public_id=address.public_id),
        lambda: selectors.address_get_for_user(user=stranger, public_id=address.public_id),
    ):
        with pytest.raises(NotFound):
            call()
    address.refresh_from_db()
    assert address.city == "广州市"


# --- pages ---------------------------------------------------------------------------------


def test_address_book_lists_only_my_addresses(client, django_assert_max_num_queries):
    # given
    me, other = UserFactory(), UserFactory()
    AddressFactory(user=me, recipient="我的地址", is_default=True)
    AddressFactory(user=me, recipient="我的第二个")
    AddressFactory(user=other, recipient="别人的地址")
    client.force_login(me)

    # when
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:addresses"))

    # then
    page = response.content.decode()
    assert "我的地址" in page and "我的第二个" in page
    assert "别人的地址" not in page
    assert page.count('data-testid="default-badge"') == 1


def test_add_an_address_from_the_page(client):
    # given
    user = UserFactory()
    client.force_login(user)

    # when
    response = client.post(reverse("accounts:address_add"), GOOD, follow=True)

    # then
    assert response.redirect_chain[-1][0] == reverse("accounts:addresses")
    assert "Address saved." in response.content.decode()
    assert Address.objects.get(user=user).is_default is True


def test_add_page_returns_to_next(client):
    # given
    user = UserFactory()
    client.force_login(user)

    # when
    response = client.post(reverse("accounts:address_add"), {**GOOD, "next": "/orders/checkout/"})

    # then
    assert response["Location"] == "/orders/checkout/"


def test_add_page_shows_the_phone_error(client):
    # given
    client.force_login(UserFactory())

    # when
    response = client.post(reverse("accounts:address_add"), {**GOOD, "phone": "555"})

    # then
    assert response.status_code == 200
    assert "11-digit mainland mobile number" in response.content.decode()


def test_edit_set_default_and_delete_from_the_page(client):
    # given
    user = UserFactory()
    first = services.address_create(user=user, **GOOD)
    second = services.address_create(user=user, **GOOD)
    client.force_login(user)

    # when
    edit_page = client.get(reverse("accounts:address_edit", args=[second.public_id]))
    client.post(
        reverse("accounts:address_edit", args=[second.public_id]),
        {**GOOD, "city": "佛山市", "district": "南海区"},
    )
    client.post(reverse("accounts:address_set_default", args=[second.public_id]))
    deleted = client.post(reverse("accounts:address_delete", args=[first.public_id]), follow=True)

    # then
    assert edit_page.status_code == 200
    assert "广州市" in edit_page.content.decode()
    second.refresh_from_db()
    assert second.city == "佛山市"
    assert _defaults(user) == [second.pk]
    assert "Address deleted." in deleted.content.decode()
    assert not Address.objects.filter(pk=first.pk).exists()


def test_another_shoppers_address_pages_are_404(client):
    # given
    owner = UserFactory()
    address = services.address_create(user=owner, **GOOD)
    client.force_login(UserFactory())

    # when
    responses = [
        client.get(reverse("accounts:address_edit", args=[address.public_id])),
        client.post(reverse("accounts:address_edit", args=[address.public_id]), GOOD),
        client.post(reverse("accounts:address_delete", args=[address.public_id])),
        client.post(reverse("accounts:address_set_default", args=[address.public_id])),
    ]

    # then
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Address.objects.filter(pk=address.pk, is_default=True).exists()


def test_address_book_needs_sign_in(client):
    # when
    response = client.get(reverse("accounts:addresses"))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- API -----------------------------------------------------------------------------------


def test_api_create_list_and_read(api_client, django_assert_max_num_queries):
    # given
    user = UserFactory()
    api_client.force_authenticate(user)

    # when
    created = api_client.post("/api/addresses/", GOOD, format="json")
    with django_assert_max_num_queries(3):
        listed = api_client.get("/api/addresses/")
    detail = api_client.get(f"/api/addresses/{created.json()['id']}/")

    # then
    assert created.status_code == 201
    assert created.json()["is_default"] is True
    assert [a["recipient"] for a in listed.json()["results"]] == ["李四"]
    assert detail.json()["province"] == "广东"


def test_api_patch_delete_and_set_default(api_client):
    # given
    user = UserFactory()
    first = services.address_create(user=user, **GOOD)
    second = services.address_create(user=user, **GOOD)
    api_client.force_authenticate(user)

    # when
    patched = api_client.patch(
        f"/api/addresses/{second.public_id}/",
        {"city": "珠海市", "district": "香洲区"},
        format="json",
    )
    made_default = api_client.post(f"/api/addresses/{second.public_id}/set-default/")
    deleted = api_client.delete(f"/api/addresses/{first.public_id}/")

    # then
    assert patched.status_code == 200 and patched.json()["city"] == "珠海市"
    assert patched.json()["is_default"] is False
    assert made_default.status_code == 200 and made_default.json()["is_default"] is True
    assert deleted.status_code == 204
    assert _defaults(user) == [second.pk]


def test_api_patch_can_make_an_address_the_default(api_client):
    # given
    user = UserFactory()
    services.address_create(user=user, **GOOD)
    second = services.address_create(user=user, **GOOD)
    api_client.force_authenticate(user)

    # when
    response = api_client.patch(
        f"/api/addresses/{second.public_id}/", {"is_default": True}, format="json"
    )

    # then
    assert response.json()["is_default"] is True
    assert _defaults(user) == [second.pk]


@pytest.mark.parametrize(
    "body",
    [
        {**GOOD, "phone": "123"},
        {**GOOD, "province": "Atlantis"},
        {k: v for k, v in GOOD.items() if k != "detail"},
        {**GOOD, "recipient": ""},
    ],
)
def test_api_validation_errors_are_400_json(api_client, body):
    # given
    user = UserFactory()
    api_client.force_authenticate(user)

    # when
    response = api_client.post("/api/addresses/", body, format="json")

    # then
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}
    assert not Address.objects.filter(user=user).exists()


def test_api_another_users_address_is_404(api_client):
    # given
    address = services.address_create(user=UserFactory(), **GOOD)
    api_client.force_authenticate(UserFactory())
    url = f"/api/addresses/{address.public_id}/"

    # when
    responses = [
        api_client.get(url),
        api_client.patch(url, {"city": "X"}, format="json"),
        api_client.delete(url),
        api_client.post(url + "set-default/"),
    ]

    # then
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert all(r.json()["code"] == "not_found" for r in responses)
    assert Address.objects.filter(pk=address.pk, city="广州市").exists()


def test_api_addresses_need_authentication(api_client):
    # when
    response = api_client.get("/api/addresses/")

    # then
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_addresses_leave_exactly_one_default():
    # given
    import threading

    from django.db import connection

    user = UserFactory()
    barrier = threading.Barrier(4)
    errors = []

    def add(n):
        try:
            barrier.wait()
            services.address_create(user=user, **{**GOOD, "recipient": f"收件人{n}"})
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert errors == []
    assert Address.objects.filter(user=user).count() == 4
    assert len(_defaults(user)) == 1


def test_a_city_and_district_are_checked_against_the_province_and_written_in_full():
    user = UserFactory()

    # a city typed without its suffix is written as the division data names it
    address = services.address_create(user=user, **{**GOOD, "city": "广州", "district": "天河"})
    assert (address.city, address.district) == ("广州市", "天河区")

    # a city of another province, or a district of another city, is refused with nothing written
    with pytest.raises(InvalidInput) as wrong_city:
        services.address_create(user=user, **{**GOOD, "city": "杭州市"})
    assert wrong_city.value.code == "invalid_city" and "广东" in wrong_city.value.detail
    with pytest.raises(InvalidInput) as wrong_district:
        services.address_update(user=user, public_id=address.public_id, district="西湖区")
    assert wrong_district.value.code == "invalid_district"
    assert Address.objects.filter(user=user).count() == 1
    assert Address.objects.get(pk=address.pk).district == "天河区"

    # moving to another city checks the district it keeps; a blank district is fine
    with pytest.raises(InvalidInput):
        services.address_update(user=user, public_id=address.public_id, city="深圳市")
    moved = services.address_update(
        user=user, public_id=address.public_id, city="深圳", district=""
    )
    assert (moved.city, moved.district) == ("深圳市", "")


def test_the_api_names_the_field_of_a_mismatched_region(api_client):
    user = UserFactory()
    api_client.force_authenticate(user)

    response = api_client.post(
        "/api/addresses/", {**GOOD, "city": "上海市", "district": "浦东新区"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_city"
