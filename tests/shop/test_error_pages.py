"""With DEBUG off, a shopper never sees Django's error pages: the shop's own, and a favicon."""

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_the_shops_404(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="error-404"' in page and 'role="search"' in page
    assert "Django" not in page


def test_an_unknown_api_url_answers_json_as_the_api_does(client, settings):
    settings.DEBUG = False

    response = client.get("/api/help/articles/%22%C3%AB%3Eq/")  # no route takes this slug

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_api_error_nobody_caught_answers_json_and_a_page_error_the_shops_500(rf):
    from shop.errors import server_error

    api = server_error(rf.get("/api/orders/"))
    page = server_error(rf.get("/orders/"))

    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert page.status_code == 500 and 'data-testid="error-500"' in page.content.decode()


def test_the_500_page_renders_without_a_request_or_a_database():
    page = render_to_string("500.html")

    assert 'data-testid="error-500"' in page and "Shop" in page


def test_every_page_and_the_browser_find_the_favicon(client):
    assert "favicon.svg" in client.get("/").content.decode()

    response = client.get("/favicon.ico")

    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
