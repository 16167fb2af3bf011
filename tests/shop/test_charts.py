from decimal import Decimal

from shop.charts import bar_chart, line_chart


def test_a_bar_chart_is_inline_svg_with_its_title_labels_and_values_and_no_script():
    html = bar_chart(
        "本周销售额",
        ["周一", "周二"],
        {"销售额": [Decimal("120.50"), 80]},
        value_formatter=lambda v: f"¥{v:,.2f}",
    )
    assert html.startswith('<figure class="chart" role="img" aria-label="本周销售额">')
    assert "<svg" in html and "周二" in html and "¥120.50" in html
    assert "<script" not in html  # the admin's CSP allows no inline script


def test_a_line_chart_with_two_series_shows_a_legend_and_escapes_its_title():
    html = line_chart("<b>rate</b>", ["1", "2", "3"], {"refunds": [1, 2, 3], "appeals": [0, 1, 0]})
    assert 'aria-label="&lt;b&gt;rate&lt;/b&gt;"' in html
    assert "refunds" in html and "appeals" in html
