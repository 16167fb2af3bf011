"""Charts for the admin's workbench pages, drawn on the server as inline SVG with pygal.

Server-side so that nothing loads from a CDN and the pages work under a strict
Content-Security-Policy (no scripts: pygal's tooltips are switched off). Every chart of the shop
goes through these two functions, so they all share one look.
"""

import re
from collections.abc import Callable, Sequence
from decimal import Decimal

import pygal
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#bbb",
    colors=("#e4393c", "#417690", "#79aec8", "#f5a623"),
    font_family="-apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=10,
    title_font_size=13,
)

Number = int | float | Decimal

# pygal writes its tooltip configuration as an inline <script> even with no script to load; the
# CSP would refuse it and nothing reads it, so it is cut from the SVG.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _chart(kind, title: str, labels: Sequence[str], series: dict[str, Sequence[Number]], fmt):
    chart = kind(
        title=title,
        style=_STYLE,
        width=640,
        height=260,
        js=(),  # no tooltip script: the page's CSP allows none, and the values are printed
        disable_xml_declaration=True,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        print_values=len(labels) <= 14,
        value_formatter=fmt,
        x_label_rotation=0 if len(labels) <= 8 else 30,
        include_x_axis=True,
        margin=8,
    )
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, [float(v) for v in values])
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    # A described image: the chart's title is its accessible name, the values are in the SVG.
    return format_html(
        '<figure class="chart" role="img" aria-label="{}">{}</figure>', title, mark_safe(svg)
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    value_formatter: Callable[[float], str] | None = None,
) -> SafeString:
    """Bars per label, one colour per series (e.g. {"orders": [...]} per day)."""
    return _chart(pygal.Bar, title, labels, series, value_formatter or _plain)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    value_formatter: Callable[[float], str] | None = None,
) -> SafeString:
    """A line per series over the labels (e.g. a rate per day)."""
    return _chart(pygal.Line, title, labels, series, value_formatter or _plain)


def _plain(value: float) -> str:
    return f"{value:g}"
