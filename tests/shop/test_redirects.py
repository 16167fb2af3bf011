from django.test import RequestFactory

from shop.redirects import safe_next


def test_a_posted_next_on_this_site_is_kept():
    # given / when
    request = RequestFactory().post("/x/", {"next": "/orders/?page=2"})

    # then
    assert safe_next(request) == "/orders/?page=2"


def test_next_in_the_query_string_counts_when_nothing_is_posted():
    # given / when
    request = RequestFactory().get("/x/", {"next": "/cart/"})

    # then
    assert safe_next(request) == "/cart/"


def test_another_host_is_never_a_next():
    # given / when
    for target in ("https://evil.example/", "//evil.example/path", "javascript:alert(1)"):
        request = RequestFactory().post("/x/", {"next": target})

        # then
        assert safe_next(request) == "", target


def test_no_next_is_empty():
    assert safe_next(RequestFactory().post("/x/")) == ""
