"""Article bodies: Markdown to safe HTML.

Authors write Markdown, never HTML: Python-Markdown's raw-HTML passes are switched off, so a
`<script>` or `<img onerror=...>` in a body is shown as text. nh3 (the Rust ammonia sanitiser)
then cleans the result as a second wall: only the tags Markdown itself makes, links limited to
http(s), mailto and the site's own paths, every link `rel="noopener noreferrer"`.
"""

from html import unescape

import markdown as python_markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def _markdown() -> python_markdown.Markdown:
    md = python_markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    # Raw HTML blocks and inline tags stay text (escaped) instead of passing through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def render_markdown(text: str) -> SafeString:
    html = _markdown().convert(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)


def plain_text(text: str, limit: int = 160) -> str:
    """The body without Markdown marks, for snippets and meta descriptions."""
    html = _markdown().convert(text or "")
    words = " ".join(unescape(nh3.clean(html, tags=set())).split())
    return words if len(words) <= limit else words[: limit - 1] + "…"
