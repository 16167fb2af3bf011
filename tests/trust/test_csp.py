"""The Content-Security-Policy allows scripts from our own static files only: no template carries
an inline script or an on...= handler, so script-src needs no 'unsafe-inline' (docs/security.md)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.catalog.factories import stocked_sku

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# Template tags and variables are blanked first: a `>` in `{% if a > b %}` is not a tag's end.
DJANGO_SYNTAX = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
HTML_TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)
JSON_TYPE = re.compile(r"""\btype\s*=\s*["']?application/json\b""", re.I)


def inline_script_problems(source: str) -> list[str]:
    """What in one template the policy would block: inline scripts and handler attributes."""
    markup = DJANGO_SYNTAX.sub(" ", source)
    problems = [
        f"inline script {match.group(0)!r}"
        for match in SCRIPT_TAG.finditer(markup)
        if not re.search(r"\ssrc\s*=", match.group(1), re.I)
        and not JSON_TYPE.search(match.group(1))
    ]
    problems += [
        f"handler in {tag.group(0)[:80]!r}"
        for tag in HTML_TAG.finditer(markup)
        if HANDLER_ATTRIBUTE.search(tag.group(0))
    ]
    return problems


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<script type="module">import "x";</script>',
        '<form onsubmit="return confirm(\'{% translate "Sure?" %}\');">',
        '<button type="button" onclick="window.print()">',
        '<a href="#" class="x" {% if a > b %}hidden{% endif %} onmouseover=go()>',
    ],
)
def test_the_check_finds_inline_script_and_handlers(source):
    assert inline_script_problems(source)


@pytest.mark.parametrize(
    "source",
    [
        "<script src=\"{% static 'js/confirm.js' %}\" defer></script>",
        '<script id="sku-data" type="application/json">{"a": 1}</script>',
        '<form data-confirm="{{ ask|force_escape }}" class="inline">',
        "<p>Carry on = keep going</p>",
    ],
)
def test_the_check_lets_static_scripts_and_data_through(source):
    assert inline_script_problems(source) == []


def test_no_template_carries_inline_script_or_handlers():
    templates = sorted(TEMPLATES_DIR.rglob("*.html"))
    assert len(templates) > 20  # the walk found our templates, admin ones included
    problems = {
        str(path.relative_to(TEMPLATES_DIR)): found
        for path in templates
        if (found := inline_script_problems(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def script_sources(policy: str) -> list[str]:
    for directive in policy.split(";"):
        name, *sources = directive.split()
        if name == "script-src":
            return sources
    raise AssertionError(f"no script-src in {policy!r}")


@pytest.mark.django_db
def test_storefront_pages_allow_scripts_from_this_origin_only(client):
    sku = stocked_sku()
    for path in ["/", reverse("catalog:product", args=[sku.product.pk])]:
        response = client.get(path)
        assert response.status_code == 200
        assert script_sources(response["Content-Security-Policy"]) == ["'self'"]
        # The page's scripts are files of ours, which 'self' allows.
        assert re.search(r'<script src="/static/js/[\w-]+\.js" defer>', response.text)
