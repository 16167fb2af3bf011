"""The address forms offer the division data's cities and districts as the shopper types: the
regions API answers them and the form page carries them for what it holds (the browser side:
tests/e2e/test_region_picker.py)."""

import pytest
from django.urls import reverse

from tests.accounts.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_api_names_the_cities_of_a_province_and_the_districts_of_a_city(
    api_client, django_assert_max_num_queries
):
    # when: a city written short (杭州 for 杭州市) still finds its districts
    with django_assert_max_num_queries(0):
        cities = api_client.get("/api/regions/", {"province": "浙江"})
        districts = api_client.get("/api/regions/", {"province": "浙江", "city": "杭州"})
    # then
    assert cities.status_code == 200
    assert "杭州市" in cities.json()["names"] and "深圳市" not in cities.json()["names"]
    assert "西湖区" in districts.json()["names"]
    assert "public" in cities["Cache-Control"]


def test_a_municipality_offers_itself_and_unknown_places_offer_nothing(api_client):
    assert api_client.get("/api/regions/", {"province": "上海"}).json()["names"] == ["上海市"]
    assert api_client.get("/api/regions/", {"province": "香港"}).json()["names"] == []
    unknown_city = api_client.get("/api/regions/", {"province": "浙江", "city": "深圳"})
    assert unknown_city.json()["names"] == []


def test_an_unknown_province_is_a_400_with_the_field_named(api_client):
    response = api_client.get("/api/regions/", {"province": "火星"})
    assert response.status_code == 400
    assert "province" in response.json().get("errors", response.json())


def test_the_edit_page_offers_the_cities_and_districts_of_the_address_it_holds(client):
    # given
    user = UserFactory()
    address = AddressFactory(user=user, province="浙江", city="杭州市", district="西湖区")
    client.force_login(user)
    # when
    page = client.get(reverse("accounts:address_edit", args=[address.public_id])).content.decode()
    # then
    assert '<datalist id="region-cities">' in page and '<option value="宁波市">' in page
    assert '<option value="余杭区">' in page
    assert 'list="region-cities"' in page and 'list="region-districts"' in page
