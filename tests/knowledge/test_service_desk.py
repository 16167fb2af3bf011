"""The service desk next to a case in the admin, and the operations workbench."""

import pytest
from django.urls import reverse

from aftersales.models import AfterSalesCase, CaseMessage
from catalog.actors import actor_for
from knowledge import services
from knowledge.models import Article, CannedReply, Macro
from tests.aftersales.admin_fixtures import change_url, page_messages, requested_return, staff_of
from tests.aftersales.factories import ops_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(django_capture_on_commit_callbacks):
    return requested_return(capture=django_capture_on_commit_callbacks)


def _desk(name, case, *args):
    return reverse(f"admin:aftersales_aftersalescase_desk_{name}", args=[case.pk, *args])


def test_the_case_page_shows_articles_replies_and_macros(client, case):
    # given
    client.force_login(staff_of(case))

    # when
    page = client.get(change_url(case))

    # then
    assert page.status_code == 200
    desk = page.context["service_desk"]
    slugs = [a.slug for a in desk["articles"]]
    assert {"damaged-quality-zh", "how-to-return-zh"} <= set(slugs[:3])  # quality, return
    texts = [item["text"] for item in desk["replies"]]
    photos = next(t for t in texts if t.startswith("您好，为了尽快处理订单"))
    assert case.order.order_no in photos  # {order_no} filled in
    assert desk["macros"] and desk["make_article_url"] is None  # making articles is for ops


def test_a_canned_reply_goes_into_the_thread_in_one_click(client, case):
    # given
    client.force_login(staff_of(case))
    reply = CannedReply.objects.get(title__startswith="请补充照片")

    # when
    response = client.post(_desk("reply", case, reply.pk))

    # then
    assert response.status_code == 302
    message = CaseMessage.objects.get(case=case)
    assert message.role == "merchant" and case.order.order_no in message.text
    assert "{order_no}" not in message.text


def test_a_macro_approves_and_sends_the_return_address(client, case):
    # given
    client.force_login(staff_of(case))
    macro = Macro.objects.get(action="approve")

    # when
    client.post(_desk("macro", case, macro.pk))

    # then
    case = AfterSalesCase.objects.get(pk=case.pk)
    assert case.status == AfterSalesCase.Status.AWAITING_RETURN
    text = CaseMessage.objects.get(case=case).text
    assert "上海市浦东新区退货路 1 号" in text  # {return_address}
    assert case.return_ship_by.astimezone().strftime("%Y-%m-%d") in text  # {deadline}


def test_a_macro_on_a_case_that_moved_on_is_a_message(client, case):
    # given: approved already
    client.force_login(staff_of(case))
    macro = Macro.objects.get(action="approve")
    client.post(_desk("macro", case, macro.pk))

    # when: a reject macro without an offer or evidence
    reject = Macro.objects.create(name="Reject", reply=macro.reply, action="reject")
    response = client.post(_desk("macro", case, reject.pk))

    # then
    assert response.status_code == 302
    assert any("reject" in m.lower() for m in page_messages(response))


def test_another_merchants_staff_cannot_use_the_desk(
    client, case, django_capture_on_commit_callbacks
):
    other = requested_return(capture=django_capture_on_commit_callbacks)
    client.force_login(staff_of(other))
    reply = CannedReply.objects.first()
    assert client.post(_desk("reply", case, reply.pk)).status_code == 404
    assert not CaseMessage.objects.filter(case=case).exists()


def test_ops_make_a_draft_article_from_a_case(client, case):
    # given
    ops = ops_user()
    client.force_login(ops)

    # when
    response = client.post(_desk("make_article", case))

    # then
    article = Article.objects.get(source_case_no=case.case_no)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:knowledge_article_change", args=[article.pk])
    assert article.status == Article.Status.DRAFT and article.reasons.get().code == "quality"
    assert article.versions.get().edited_by == ops


def test_the_workbench_shows_queues_figures_and_exports_csv(client, case):
    # given
    client.force_login(ops_user())
    url = reverse("admin:knowledge_serviceworkbench_changelist")

    # when
    page = client.get(url)
    export = client.get(url, {"format": "csv", "days": "7"})
    odd_window = client.get(url, {"days": "1000"})

    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert case.case_no in html  # due for the merchant's answer
    assert "<svg" in html and "<script" not in html.split('id="content-main"')[1]
    assert 'data-testid="workbench-questions"' in html
    assert export["Content-Type"] == "text/csv"
    assert "service-figures-7d-" in export["Content-Disposition"]
    assert odd_window.status_code == 200 and odd_window.context["window_days"] == 30
    assert export.content.decode().splitlines()[0].startswith("merchant,orders,request_rate")


def test_a_merchant_sees_its_own_row_next_to_the_platform(client, case):
    client.force_login(staff_of(case))
    page = client.get(reverse("admin:knowledge_serviceworkbench_changelist"))
    names = [row[0] for row in page.context["rows"]]
    assert names == ["Platform", case.merchant.name]


def test_a_shopper_cannot_open_the_workbench(client, case):
    client.force_login(case.user)
    response = client.get(reverse("admin:knowledge_serviceworkbench_changelist"))
    assert response.status_code == 302  # to the admin's sign-in


def test_saving_an_article_in_the_admin_keeps_a_version(client):
    # given
    client.force_login(ops_user(is_superuser=True))
    article = Article.objects.get(slug="invoice-en")
    url = reverse("admin:knowledge_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "title": "Invoices (fapiao)",
            "body": article.body,
            "reasons": [],
            "categories": [],
            "case_types": "[]",
            "stages": "[]",
            "topic": article.topic_id,
            "review_due_on": "2027-06-01",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        }
    )

    # when
    response = client.post(url, data)

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(pk=article.pk)
    assert article.title == "Invoices (fapiao)"
    assert article.versions.count() == 2
    assert "+0 −0, title" in client.get(url).content.decode()  # what changed, in the history


def test_the_workbench_costs_the_same_with_more_merchants(
    client, case, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # given: another merchant with a case
    requested_return(capture=django_capture_on_commit_callbacks)
    client.force_login(ops_user())

    # then
    with django_assert_max_num_queries(16):
        client.get(reverse("admin:knowledge_serviceworkbench_changelist"))


def test_merchant_articles_are_for_merchants_staff_only(client, case, django_user_model):
    # given: a published article for merchants about this case's reason
    author = ops_user()
    article = services.article_save(
        actor=actor_for(author),
        title="质量问题如何举证 · proving a quality claim",
        slug="merchant-quality-evidence",
        body="商家拒绝质量问题申请前，请先提出方案或上传检测照片。",
        audience="merchant",
        status=Article.Status.PUBLISHED,
        reasons=[case.reason_id],
    )
    url = reverse("help:article", args=[article.slug])

    # when / then: the merchant's staff see it next to the case and can read it
    client.force_login(staff_of(case))
    desk = client.get(change_url(case)).context["service_desk"]
    assert article in desk["articles"]
    assert client.get(url).status_code == 200

    # and a shopper cannot
    client.force_login(case.user)
    assert client.get(url).status_code == 404
