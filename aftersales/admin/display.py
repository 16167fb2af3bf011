"""Small pieces of HTML and text the after-sales admin pages share."""

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from ..models import CaseEvidence


def url_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def evidence_url(evidence: CaseEvidence) -> str:
    """The storefront's private evidence file (it checks who may see it), or "" without it."""
    return url_or_blank("aftersales:evidence", evidence.public_id)


def evidence_thumbnails(items) -> str:
    """Photos as small thumbnails and videos as links, each opening the file."""
    shown = []
    for evidence in items:
        url = evidence_url(evidence)
        if not url:
            shown.append(format_html("<span>{}</span>", evidence))
        elif evidence.kind == CaseEvidence.Kind.IMAGE:
            shown.append(
                format_html(
                    '<a href="{}" target="_blank" data-testid="evidence"><img src="{}" alt="{}" '
                    'style="max-height:64px;max-width:96px;margin:0 4px 4px 0;'
                    'border:1px solid #ccc"></a>',
                    url,
                    url,
                    evidence,
                )
            )
        else:
            shown.append(
                format_html(
                    '<a href="{}" target="_blank" data-testid="evidence">▶ {}</a>', url, evidence
                )
            )
    return format_html_join(" ", "{}", ((item,) for item in shown)) if shown else "—"


def form_errors(form: forms.Form) -> str:
    return " ".join(
        (error if field == "__all__" else f"{form.fields[field].label or field}: {error}")
        for field, errors in form.errors.items()
        for error in errors
    )
