"""Chinese first: the storefront speaks Simplified Chinese to a browser that asks for it (or
after the language switch) and English otherwise; the zh-hans catalogue is complete and
compiled; and a template of the translated areas cannot gain a visible English string that
skips translation."""

import re
import runpy
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.template.base import Lexer, TokenType
from django.urls import reverse

from aftersales.models import CaseType
from tests.aftersales.admin_fixtures import (
    act_url,
    change_url,
    page_messages,
    requested_return,
    staff_of,
)
from tests.aftersales.admin_fixtures import signed_in as admin_signed_in
from tests.aftersales.api_helpers import client_for
from tests.aftersales.factories import ask, paid_sub_order, receive
from tests.aftersales.page_fixtures import signed_in
from tests.catalog.factories import stocked_sku
from tests.orders.factories_web import place_order, put_in_cart, sellable_sku, shopper_with_address

PO_FILE = Path(settings.BASE_DIR, "locale", "zh_Hans", "LC_MESSAGES", "django.po")
TEMPLATES = Path(settings.BASE_DIR, "templates")

# The templates translated so far (a directory or one file). Every template added to these areas
# is checked too; an area joins the list when all its templates are translated.
TRANSLATED_TEMPLATES = (
    "base.html",
    "403.html",
    "404.html",
    "500.html",
    "partials",
    "aftersales",
    "admin/aftersales",
    "knowledge",
    "admin/knowledge",
    "admin/base_site.html",
    "admin/workbench.html",
    "admin/workbench_cases.html",
    "admin/payments",
    "admin/catalog",
    "logistics/admin",
    "payments/admin",
    "catalog",
    "orders",
    "payments/cashier.html",
    "payments/pay.html",
    "payments/result.html",
    "accounts",
    "notifications",
    "logistics/_tracking.html",
    "logistics/pick_list.html",
)


def test_every_message_has_a_chinese_translation_and_the_compiled_catalogue_matches():
    po = polib.pofile(str(PO_FILE))
    untranslated = [entry.msgid for entry in po if not entry.translated()]
    assert untranslated == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []

    # Keyed by context too: "Checkout" the button and "Checkout" the page title are two entries.
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in polib.mofile(str(PO_FILE.with_suffix(".mo")))
    }
    written = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in po
        if not entry.obsolete
    }
    assert {k: v for k, v in compiled.items() if k[1]} == written, "run `make messages`"


# --- a template lint: visible text outside {% translate %} and {% blocktranslate %} --------------

# Translated blocks, comments and the admin's layout class (never shown): text the lint skips.
_BLOCK_START = re.compile(r"^(blocktranslate|blocktrans|comment|block coltype)\b")
_BLOCK_END = re.compile(r"^(endblocktranslate|endblocktrans|endcomment|endblock)\b")
_ATTRIBUTE = re.compile(r'\b(?:placeholder|title|alt|aria-label)="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S)
_WORD = re.compile(r"[A-Za-z]{2,}")


def _visible_text(html: str) -> list[str]:
    """The words a reader sees in an HTML fragment: text between tags and the texts of the
    attributes that are read out or shown (placeholder, title, alt, aria-label)."""
    html = _SCRIPT_OR_STYLE.sub(" ", html)
    words = []
    for value in _ATTRIBUTE.findall(html):
        words += _WORD.findall(value)
    text = _TAG.sub(" ", html).replace("&nbsp;", " ")
    words += _WORD.findall(re.sub(r"&\w+;", " ", text))
    return words


def untranslated_words(source: str) -> list[str]:
    """The template with every tag, variable and translated block replaced by a blank, read
    as the HTML a reader sees: what words are left were written bare."""
    parts, in_block = [], False
    for token in Lexer(source).tokenize():
        content = token.contents.strip()
        if token.token_type == TokenType.BLOCK:
            in_block = in_block or bool(_BLOCK_START.match(content))
            in_block = in_block and not _BLOCK_END.match(content)
            parts.append(" ")
        elif token.token_type == TokenType.TEXT and not in_block:
            parts.append(token.contents)
        else:
            parts.append(" ")
    return _visible_text("".join(parts))


def _templates_to_check():
    for name in TRANSLATED_TEMPLATES:
        path = TEMPLATES / name
        yield from sorted(path.rglob("*.html")) if path.is_dir() else [path]


@pytest.mark.parametrize(
    "path", list(_templates_to_check()), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_translated_templates_show_no_untranslated_english(path):
    assert untranslated_words(path.read_text()) == []


def test_the_lint_catches_a_bare_english_string():
    assert untranslated_words('<p title="Go on">{% translate "Fine" %} Left out</p>') == [
        "Go",
        "on",
        "Left",
        "out",
    ]
    assert untranslated_words("{% blocktranslate %}Fine {{ x }}{% endblocktranslate %}") == []
    assert engines["django"]  # the lint reads templates as the engine does


# --- the shop in Chinese -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_browser_asking_for_chinese_gets_the_after_sales_pages_in_chinese(
    client, django_capture_on_commit_callbacks
):
    sub_order = receive(paid_sub_order(quantities=(1,), capture=django_capture_on_commit_callbacks))
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    signed_in(client, sub_order.order.user)

    listing = client.get(reverse("aftersales:list"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    detail = client.get(
        reverse("aftersales:detail", args=[case.case_no]), HTTP_ACCEPT_LANGUAGE="zh-CN"
    )

    assert '<html lang="zh-CN">' in listing.content.decode()
    assert "我的售后" in listing.content.decode() and "退货退款" in listing.content.decode()
    assert "待商家处理" in detail.content.decode() and "处理进度" in detail.content.decode()
    english = client.get(reverse("aftersales:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8")
    assert "My after-sales" in english.content.decode()


@pytest.mark.django_db
def test_the_language_switch_keeps_its_choice_over_the_browsers(client):
    page = reverse("catalog:home")

    switched = client.post(reverse("set_language"), {"language": "zh-hans", "next": page})
    assert switched.status_code == 302 and switched.url == page
    assert "搜索商品" in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": page})
    assert "Search products" in client.get(page, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


@pytest.mark.django_db
def test_api_errors_speak_the_language_asked_for(django_capture_on_commit_callbacks):
    sub_order = receive(paid_sub_order(quantities=(1,), capture=django_capture_on_commit_callbacks))
    line = sub_order.lines.get()
    body = {
        "sub_order_no": sub_order.sub_order_no,
        "type": "return_refund",
        "reason": "no-such-reason",
        "lines": [{"sku_id": line.sku_id, "quantity": 1}],
    }

    response = client_for(sub_order.order.user).post(
        "/api/aftersales/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_reason"
    assert response.json()["detail"] == "请从列出的原因中选择一个。"


@pytest.mark.django_db
def test_a_merchant_works_a_case_in_chinese_in_the_admin(
    client, django_capture_on_commit_callbacks
):
    case = requested_return(capture=django_capture_on_commit_callbacks)
    admin_signed_in(client, staff_of(case))

    page = client.get(change_url(case), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "待商家处理" in page  # the case's state
    assert "提出协商方案" in page and "给买家看的原因" in page  # the buttons and their forms

    response = client.post(
        act_url(case, "approve"), {"note": ""}, HTTP_ACCEPT_LANGUAGE="zh-CN", follow=True
    )
    assert any(f"售后单 {case.case_no} 已同意" in text for text in page_messages(response))


@pytest.mark.django_db
def test_a_chinese_shopper_browses_and_fills_the_cart_in_chinese(client):
    sku = stocked_sku(on_hand=3)
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}

    home = client.get(reverse("catalog:home"), **zh).content.decode()
    product = client.get(reverse("catalog:product", args=[sku.product_id]), **zh).content.decode()
    added = client.post(
        reverse("catalog:cart_add"), {"sku_id": sku.pk, "quantity": 1}, follow=True, **zh
    ).content.decode()

    assert "商品分类" in home and "新品上架" in home
    assert "加入购物车" in product and "库存 3 件" in product and "商品评价" in product
    assert "已加入购物车" in added and "我的购物车" in added and "去结算" in added
    assert "Add to cart" not in product and "Checkout" not in added


@pytest.mark.django_db
def test_a_chinese_shopper_checks_out_pays_and_reads_the_order_in_chinese(client):
    user, address = shopper_with_address()
    client.force_login(user)
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
    put_in_cart(user, sellable_sku())
    order = place_order(user=user, address=address, sku=sellable_sku())

    checkout = client.get(reverse("orders:checkout"), **zh).content.decode()
    pay = client.get(reverse("payments:pay", args=[order.order_no]), **zh).content.decode()
    detail = client.get(reverse("orders:detail", args=[order.order_no]), **zh).content.decode()
    orders = client.get(reverse("orders:list"), **zh).content.decode()
    addresses = client.get(reverse("accounts:addresses"), **zh).content.decode()

    assert "确认订单" in checkout and "提交订单" in checkout and "支付宝" in checkout
    assert "支付订单" in pay and "微信支付" in pay and "货到付款" in pay
    assert "待付款" in detail and "去支付" in detail and "取消订单" in detail
    assert "我的订单" in orders and "待发货" in orders  # a tab
    assert "收货地址" in addresses and "默认" in addresses
    for page in (checkout, pay, detail, orders):
        assert "Place order" not in page and "Awaiting payment" not in page


def test_the_shop_speaks_chinese_to_a_request_that_asks_for_no_language(monkeypatch):
    # The suite pins English (settings_test); production's own settings default to Chinese.
    monkeypatch.delenv("LANGUAGE_CODE", raising=False)
    production = runpy.run_path(str(Path(settings.BASE_DIR, "shop", "settings.py")))
    assert production["LANGUAGE_CODE"] == "zh-hans"
    assert settings.LANGUAGE_CODE == "en"


@pytest.mark.django_db
def test_with_the_production_default_a_page_without_accept_language_is_chinese(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"

    home = client.get(reverse("catalog:home")).content.decode()

    assert '<html lang="zh-CN">' in home and "商品分类" in home and "新品上架" in home


@pytest.mark.django_db
def test_address_errors_speak_the_language_asked_for(client):
    user, _address = shopper_with_address()
    client.force_login(user)
    form = {
        "recipient": "张三",
        "phone": "12345",
        "province": "浙江",
        "city": "杭州市",
        "detail": "西湖区 1 号",
    }

    chinese = client.post(reverse("accounts:address_add"), form, HTTP_ACCEPT_LANGUAGE="zh-CN")
    english = client.post(reverse("accounts:address_add"), form)

    assert "请输入 11 位中国大陆手机号。" in chinese.content.decode()
    assert "Enter an 11-digit mainland mobile number." in english.content.decode()


@pytest.mark.django_db
def test_checkout_errors_and_the_bill_speak_chinese_when_asked(api_client):
    user, address = shopper_with_address()
    sku = sellable_sku(price="50.00", stock=10)
    api_client.force_authenticate(user)
    body = {
        "address_id": str(address.public_id),
        "items": [{"sku_id": sku.pk, "quantity": 1}],
        "payment_method": "alipay",
    }

    refused = api_client.post(
        "/api/orders/", {**body, "coupon_code": "NOPE"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    placed = api_client.post("/api/orders/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert refused.status_code == 400 and refused.json()["code"] == "invalid_coupon"
    assert refused.json()["detail"] == "您没有券码为“NOPE”的优惠券。"
    assert placed.status_code == 201, placed.content
    labels = " ".join(row["label"] for row in placed.json()["breakdown"])
    assert "商品" in labels and "运费" in labels
