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


def test_the_500_page_renders_without_a_request_or_a_database():
    page = render_to_string("500.html")

    assert 'data-testid="error-500"' in page and "Shop" in page


def test_every_page_and_the_browser_find_the_favicon(client):
    assert "favicon.svg" in client.get("/").content.decode()

    response = client.get("/favicon.ico")

    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
