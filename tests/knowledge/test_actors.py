"""Knowledge's services learn who acts from an Actor: who edited an article, who answered a
question (a shop answers only its own), whose feedback it is."""

import pytest

from catalog.actors import SYSTEM, actor_for
from knowledge import services
from knowledge.models import Article, ArticleFeedback, ContactRequest
from shop.errors import InvalidInput, NotFound
from tests.accounts.factories import UserFactory
from tests.catalog.factories import MerchantFactory, MerchantStaffFactory

pytestmark = pytest.mark.django_db


def test_an_article_edit_records_the_person_and_a_version():
    # given an editor
    editor = UserFactory(username="kb-editor", is_superuser=True)
    # when they write an article
    article = services.article_save(
        actor=actor_for(editor), title="开发票", body="在订单页申请", status=Article.Status.DRAFT
    )
    # then the article and its first version name them
    assert article.updated_by == editor
    assert article.versions.get().edited_by == editor


def test_a_shops_staff_answer_only_their_own_shops_questions():
    # given a question to one shop and one to the platform
    shop, other_shop = MerchantFactory(), MerchantFactory()
    asker = UserFactory()
    to_shop = ContactRequest.objects.create(
        user=asker, recipient="merchant", merchant=shop, subject="发票", message="请开票"
    )
    to_platform = ContactRequest.objects.create(
        user=asker, recipient="platform", subject="投诉", message="商家不回复"
    )
    outsider = actor_for(MerchantStaffFactory(merchant=other_shop).user)
    # when another shop's staff try to answer both
    for contact in (to_shop, to_platform):
        with pytest.raises(NotFound):
            services.contact_request_answer(contact=contact, actor=outsider, answer="好的")
    # and the shop's own staff and operations answer theirs
    staff = MerchantStaffFactory(merchant=shop).user
    services.contact_request_answer(contact=to_shop, actor=actor_for(staff), answer="已开具")
    ops = UserFactory(is_superuser=True)
    services.contact_request_answer(contact=to_platform, actor=actor_for(ops), answer="已处理")
    # then each answer names who gave it
    assert ContactRequest.objects.get(pk=to_shop.pk).answered_by == staff
    assert ContactRequest.objects.get(pk=to_platform.pk).answered_by == ops


def test_feedback_is_a_persons_or_an_anonymous_sessions():
    # given a published article
    article = services.article_save(
        actor=SYSTEM, title="退货地址", body="见申请页", status=Article.Status.PUBLISHED
    )
    shopper = UserFactory()
    # when a shopper and an anonymous visitor answer, and a visitor without a session tries
    services.article_feedback_record(article=article, actor=actor_for(shopper), helpful=True)
    services.article_feedback_record(article=article, actor=None, session_key="s1", helpful=False)
    with pytest.raises(InvalidInput):
        services.article_feedback_record(article=article, actor=None, helpful=True)
    # then there is one answer each
    owners = set(ArticleFeedback.objects.values_list("user_id", "session_key", "helpful"))
    assert owners == {(shopper.pk, "", True), (None, "s1", False)}
