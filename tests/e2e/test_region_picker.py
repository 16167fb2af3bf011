"""In a browser: choosing a province offers its cities, typing a city offers its districts
(static/js/region-picker.js filling the address form's datalists from the regions API)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.e2e.test_checkout import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_choosing_a_province_then_a_city_offers_what_lies_in_them(page, live_server):
    # given: a shopper on the new-address page
    user = UserFactory(username="region-picker")
    sign_in(page, live_server, user.username)
    page.goto(f"{live_server.url}{reverse('accounts:address_add')}")
    cities = page.locator("#region-cities option")
    districts = page.locator("#region-districts option")
    expect(cities).to_have_count(0)
    # when: the province is chosen
    page.select_option("select[name=province]", "浙江")
    # then: its cities are offered
    expect(page.locator('#region-cities option[value="杭州市"]')).to_have_count(1)
    expect(page.locator('#region-cities option[value="深圳市"]')).to_have_count(0)
    # when: a city is typed and left
    page.fill("input[name=city]", "杭州市")
    page.locator("input[name=city]").dispatch_event("change")
    # then: its districts are offered
    expect(page.locator('#region-districts option[value="西湖区"]')).to_have_count(1)
    assert districts.count() > 5
