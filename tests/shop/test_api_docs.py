"""/api/docs/ works without the internet: Swagger UI comes from our own static files."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_docs_load_swagger_ui_from_the_site_not_a_cdn(client):
    page = client.get("/api/docs/").content.decode()

    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page and "jsdelivr" not in page and "unpkg" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
