"""Turning a rule's templates and an event's data into the text a person reads, in the
recipient's language (their account's `CustomerProfile.language`)."""

from dataclasses import dataclass
from datetime import datetime
from string import Formatter

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy

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


# Event data keys whose value is an English text of the catalogue when the emitter worded it in
# English (a status or type label, a timeline note of orders/wording.py, a refund's reason):
# read in the recipient's language. Free text (a merchant's note) is not in the catalogue and
# stays as written.
CATALOGUE_KEYS = frozenset({"status_text", "type", "offer_type_text", "note", "reason"})
# Event data keys that carry a code, worded here.
CODE_WORDS = {
    "offer_status": {
        "accepted": pgettext_lazy("offer answered", "accepted"),
        "declined": pgettext_lazy("offer answered", "declined"),
    },
    "party": {
        "shopper": pgettext_lazy("evidence requested from", "shopper"),
        "merchant": pgettext_lazy("evidence requested from", "merchant"),
    },
}


def _worded(key: str, value):
    """One event value as the recipient reads it (call under translation.override)."""
    if key in MOMENT_KEYS:
        return human_moment(value)
    if not isinstance(value, str) or not value:
        return value  # gettext("") would be the catalogue's header
    if key in CODE_WORDS:
        word = CODE_WORDS[key].get(value.lower())
        return str(word) if word is not None else value
    if key in CATALOGUE_KEYS:
        return gettext(value)
    return value


class _Lenient(dict):
    """Event data for str.format_map: a placeholder the event did not carry renders empty."""

    def __init__(self, data: dict):
        super().__init__(
            {key: _worded(key, value) for key, value in data.items() if isinstance(key, str)}
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


def is_chinese(language: str | None) -> bool:
    return (language or "").lower().startswith("zh")


def recipient_language(language: str | None) -> str:
    """A language of settings.LANGUAGES to word a message in; LANGUAGE_CODE for none or another."""
    language = (language or "").lower()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def templates_for_language(rule, language: str | None) -> tuple[str, str]:
    """A rule's (title, body) templates in `language`; each text that is empty in that language
    is taken from the other one (a rule ops wrote in one language only still speaks)."""
    english = (rule.title_template, rule.body_template)
    chinese = (rule.title_template_zh_hans, rule.body_template_zh_hans)
    first, other = (chinese, english) if is_chinese(language) else (english, chinese)
    return (first[0] or other[0], first[1] or other[1])


def render_message(
    *, title_template: str, body_template: str, data: dict, language: str | None = None
) -> Rendered:
    """`language`: what lazy labels and catalogue texts among the data are read in (the
    recipient's); None keeps the active language."""
    with translation.override(language or translation.get_language()):
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


def render_for_page(
    *, title_template: str, body_template: str, data: dict, link: str, language: str | None = None
) -> Rendered:
    """A rule's message about the page `link` (a site path): `{link}` is its full URL."""
    return render_message(
        title_template=title_template,
        body_template=body_template,
        data={**data, "link": absolute_link(link)},
        language=language,
    )


def render_rule(*, rule, data: dict, link: str, language: str) -> Rendered:
    """A rule's message for one recipient: their language's templates, their language's words."""
    title_template, body_template = templates_for_language(rule, language)
    return render_for_page(
        title_template=title_template,
        body_template=body_template,
        data=data,
        link=link,
        language=language,
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
