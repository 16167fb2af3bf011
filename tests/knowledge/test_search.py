"""Help search relevance: for each query a shopper would type, the article that must come
first. Chinese (no spaces: two-character pieces over pg_trgm-indexed text) and English
(full-text with stems), typos included."""

import pytest

from catalog.actors import actor_for
from knowledge import selectors, services
from knowledge.models import Article

FIRST_RESULT = [
    # Chinese
    ("退款", "how-to-return-zh"),
    ("退货", "how-to-return-zh"),
    ("退款多久到账", "refund-arrival-zh"),
    ("钱什么时候退回来", "refund-arrival-zh"),
    ("七天无理由", "seven-day-exclusions-zh"),
    ("哪些商品不能无理由退货", "seven-day-exclusions-zh"),
    ("包裹没收到", "parcel-not-arrived-zh"),
    ("快递丢了", "parcel-not-arrived-zh"),
    ("拒收", "refused-parcel-zh"),
    ("尺码不合适", "exchange-size-zh"),
    ("开发票", "invoice-zh"),
    ("优惠券退回", "coupon-after-refund-zh"),
    ("退货运费谁出", "return-shipping-fee-zh"),
    ("商品破损", "damaged-quality-zh"),
    ("取消订单", "cancel-before-shipping-zh"),
    # English
    ("refund", "refund-arrival-en"),
    ("how long does a refund take", "refund-arrival-en"),
    ("how long until my refund arrives", "refund-arrival-en"),
    ("how to return", "how-to-return-en"),
    ("parcel not arrived", "parcel-not-arrived-en"),
    ("refused parcel", "refused-parcel-en"),
    ("exchange size", "exchange-size-en"),
    ("invoice", "invoice-en"),
    ("coupon", "coupon-after-refund-en"),
    ("7 day no reason", "seven-day-exclusions-en"),
    ("damaged", "damaged-quality-en"),
    ("return shipping", "return-shipping-fee-en"),
    # Typos
    ("refnud", "refund-arrival-en"),
    ("retrun shipping", "return-shipping-fee-en"),
    ("invocie", "invoice-en"),
    ("exchnage size", "exchange-size-en"),
    ("coupn", "coupon-after-refund-en"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), FIRST_RESULT)
def test_the_right_article_comes_first(query, expected):
    # when
    results = list(selectors.article_list(search=query)[:3])

    # then
    assert results, f"nothing found for {query!r}"
    assert results[0].slug == expected, [a.slug for a in results]


@pytest.mark.django_db
def test_chinese_queries_find_only_articles_about_them():
    # when
    found = {a.slug for a in selectors.article_list(search="发票")}

    # then: the invoice articles (the English one holds 发票 nowhere), nothing about parcels
    assert found == {"invoice-zh"}


@pytest.mark.django_db
def test_drafts_and_other_audiences_are_not_found(django_user_model):
    # given
    ops = django_user_model.objects.create_user("ops-writer", password="x")
    services.article_save(
        actor=actor_for(ops),
        title="退款内部流程",
        body="内部：退款审核步骤",
        status=Article.Status.DRAFT,
    )
    services.article_save(
        actor=actor_for(ops),
        title="退款 for merchants",
        body="How merchants refund",
        audience="merchant",
        status=Article.Status.PUBLISHED,
    )

    # when
    found = [a.title for a in selectors.article_list(search="退款")]

    # then
    assert "退款内部流程" not in found and "退款 for merchants" not in found


@pytest.mark.django_db
def test_an_edited_article_is_found_by_its_new_words(django_user_model):
    # given
    editor = django_user_model.objects.create_user("editor", password="x")
    article = Article.objects.get(slug="invoice-en")

    # when
    services.article_save(
        actor=actor_for(editor),
        article=article,
        body=article.body + "\nAsk for a tax-stamped fapiao.",
    )

    # then
    assert [a.slug for a in selectors.article_list(search="stamped")] == ["invoice-en"]
    assert article.versions.count() == 2
    assert article.versions.first().edited_by == editor


@pytest.mark.django_db
def test_nonsense_finds_nothing():
    assert list(selectors.article_list(search="xyzzyqq")) == []
    assert list(selectors.article_list(search="   ")) != []  # no query: the whole list
