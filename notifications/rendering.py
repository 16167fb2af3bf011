"""Turning a rule's templates and an event's data into the text a person reads."""

from dataclasses import dataclass
from datetime import datetime
from string import Formatter

from django.conf import settings
from django.utils import timezone

# Event data keys that hold a moment as ISO 8601 text (aftersales' "deadline"): a person reads
# it in the shop's time zone to the minute, not "2026-12-04T03:54:37.123456+00:00".
MOMENT_KEYS = frozenset({"deadline"})


def human_moment(value):
    """An ISO datetime as "2026-12-04 11:54" local time; anything else unchanged."""
    if not isinstance(value, str) or not value:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


class _Lenient(dict):
    """Event data for str.format_map: a placeholder the event did not carry renders empty."""

    def __init__(self, data: dict):
        super().__init__(
            {
                key: human_moment(value) if key in MOMENT_KEYS else value
                for key, value in data.items()
                if isinstance(key, str)
            }
        )
        self.missing: set[str] = set()

    def __missing__(self, key: str) -> str:
        self.missing.add(key)
        return ""


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    # A problem ops should see (missing placeholders); the text is still usable.
    warning: str = ""


class TemplateBroken(Exception):
    """The template itself cannot be rendered (bad syntax, attribute or index access)."""


# How a broken template is told in an outbox row's last_error (and recognised on "Retry now").
TEMPLATE_ERROR_PREFIX = "Template error: "


def render_message(*, title_template: str, body_template: str, data: dict) -> Rendered:
    values = _Lenient(data)
    try:
        title = Formatter().vformat(title_template, (), values)
        body = Formatter().vformat(body_template, (), values)
    except (ValueError, IndexError, AttributeError, TypeError, KeyError) as error:
        raise TemplateBroken(f"{type(error).__name__}: {error}") from error
    warning = ""
    if values.missing:
        warning = "Missing placeholders: " + ", ".join(sorted(values.missing))
    return Rendered(title=" ".join(title.split())[:255], body=body.strip(), warning=warning)


def render_for_page(*, title_template: str, body_template: str, data: dict, link: str) -> Rendered:
    """A rule's message about the page `link` (a site path): `{link}` is its full URL."""
    return render_message(
        title_template=title_template,
        body_template=body_template,
        data={**data, "link": absolute_link(link)},
    )


def safe_link(path) -> str:
    """Only a site-relative path may become a link in the inbox (no other hosts)."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        return ""
    if "\\" in path or len(path) > 255:
        return ""
    return path


def absolute_link(path: str) -> str:
    """The `{link}` placeholder: a site path as a full URL (SITE_URL + path) that an SMS, a push
    or a WeChat message can open; the site's home when there is no page to point at."""
    site = settings.SITE_URL.rstrip("/")
    return f"{site}{path or '/'}"


# Where a merchant's or warehouse's staff handle a subject: its admin page (the storefront path
# in the event is the shopper's and would be a 404 for them).
ADMIN_PAGES = {
    "order": "admin:orders_order_change",
    "suborder": "admin:orders_suborder_change",
    "payment": "admin:payments_payment_change",
    "refund": "admin:payments_refund_change",
    "shipment": "admin:logistics_shipment_change",
    "case": "admin:aftersales_aftersalescase_change",
}


def link_for_target(*, target: str, subject_type: str, subject_id: int, data: dict) -> str:
    if target == "shopper":
        return safe_link(data.get("path"))
    if data.get("admin_path"):
        return safe_link(data.get("admin_path"))
    from django.urls import NoReverseMatch, reverse

    name = ADMIN_PAGES.get(subject_type)
    if name is None:
        return ""
    try:
        return safe_link(reverse(name, args=[subject_id]))
    except NoReverseMatch:
        return ""
