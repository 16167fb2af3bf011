"""Pushes, SMS and inbox messages are worded in the recipient's language (their account's)."""

import pytest

from catalog.actors import SYSTEM
from notifications.models import InboxMessage, OutboxMessage, PushRule
from notifications.services.delivery import outbox_retry
from tests.accounts.factories import CustomerProfileFactory, UserFactory
from tests.notifications.backends import RecordingBackend
from tests.notifications.factories import PushRuleFactory
from tests.orders.factories import paid_order, stocked_sku

pytestmark = pytest.mark.django_db


@pytest.fixture
def recording_phone_and_push(settings):
    """SMS and app pushes go to a backend that keeps what it was given to send."""
    RecordingBackend.sent = []
    recording = {"BACKEND": "tests.notifications.backends.RecordingBackend"}
    settings.NOTIFICATION_BACKENDS = {"sms": recording, "app_push": recording}
    return RecordingBackend


def _sent_to(backend, user) -> dict[str, tuple[str, str]]:
    return {d.channel: (d.title, d.body) for d in backend.sent if d.recipient_id == user.pk}


def test_a_paid_order_tells_a_chinese_shopper_in_chinese_and_an_english_one_in_english(
    default_rules, recording_phone_and_push, django_capture_on_commit_callbacks, settings
):
    # given two shoppers with a phone number, one whose account speaks Chinese, one English
    chinese = CustomerProfileFactory(language="zh-hans", phone="13800138001").user
    english = CustomerProfileFactory(language="en", phone="13800138002").user
    sku = stocked_sku()

    # when each pays for an order (the outbox rows are delivered by the Celery task)
    with django_capture_on_commit_callbacks(execute=True):
        chinese_order = paid_order(user=chinese, items=[(sku, 1)])
    with django_capture_on_commit_callbacks(execute=True):
        english_order = paid_order(user=english, items=[(sku, 1)])

    # then the Chinese shopper's inbox, app push and SMS are in Chinese
    link = f"{settings.SITE_URL}/orders/{chinese_order.order_no}/"
    inbox = InboxMessage.objects.get(user=chinese, node="order.paid")
    assert (inbox.title, inbox.body) == (
        f"订单 {chinese_order.order_no} 已付款",
        f"我们已收到您订单 {chinese_order.order_no} 的付款，商家正在备货。",
    )
    chinese_body = f"我们已收到您订单 {chinese_order.order_no} 的付款，商家正在备货。 {link}"
    assert _sent_to(recording_phone_and_push, chinese) == {
        "sms": (f"订单 {chinese_order.order_no} 已付款", chinese_body),
        "app_push": (f"订单 {chinese_order.order_no} 已付款", chinese_body),
    }
    # and the English shopper's in English
    inbox = InboxMessage.objects.get(user=english, node="order.paid")
    assert inbox.title == f"Order {english_order.order_no} paid"
    sms_title, sms_body = _sent_to(recording_phone_and_push, english)["sms"]
    assert sms_title == f"Order {english_order.order_no} paid"
    assert sms_body.startswith(f"We received your payment for order {english_order.order_no}.")
    # and every row says which language it was worded in, and went out
    assert set(
        OutboxMessage.objects.filter(recipient=chinese).values_list("language", "status")
    ) == {("zh-hans", "sent")}
    assert set(
        OutboxMessage.objects.filter(recipient=english).values_list("language", "status")
    ) == {("en", "sent")}


def test_statuses_and_answers_in_the_data_are_read_in_the_recipients_language(
    only_rules, make_event, commit_emit
):
    # given a tracking push and an offer answer, worded with data the emitter wrote in English
    chinese = CustomerProfileFactory(language="zh-hans").user
    english = CustomerProfileFactory(language="en").user
    PushRuleFactory(
        node="shipment.tracking",
        title_template="Tracking {tracking_no}: {status_text}",
        body_template="Your parcel {tracking_no}: {status_text}",
        title_template_zh_hans="运单 {tracking_no}：{status_text}",
        body_template_zh_hans="您的包裹 {tracking_no}：{status_text}",
    )

    # when a tracking update of each shopper's parcel is emitted
    for shopper, subject_id in ((chinese, 1), (english, 2)):
        commit_emit(
            make_event(
                node="shipment.tracking",
                subject_type="shipment",
                subject_id=subject_id,
                shopper_id=shopper.pk,
                data={"tracking_no": f"SF{subject_id}", "status_text": "In transit"},
            )
        )

    # then the status label is the recipient's language's
    assert InboxMessage.objects.get(user=chinese).body == "您的包裹 SF1：运输中"
    assert InboxMessage.objects.get(user=english).body == "Your parcel SF2: In transit"


def test_a_rule_without_a_chinese_text_speaks_english_to_a_chinese_shopper(
    only_rules, make_event, commit_emit
):
    # given a rule ops wrote in English only
    chinese = CustomerProfileFactory(language="zh-hans").user
    PushRuleFactory(title_template="Order {order_no}", body_template="Order {order_no} changed.")

    # when its event happens
    commit_emit(make_event(shopper_id=chinese.pk))

    # then the Chinese shopper gets the English text rather than nothing
    message = InboxMessage.objects.get(user=chinese)
    assert (message.title, message.body) == (
        "Order O2026112500001",
        "Order O2026112500001 changed.",
    )


def test_staff_without_a_profile_read_the_shops_language(
    only_rules, make_event, commit_emit, settings
):
    # given the shop's default language is Chinese, and a shopper who never had a profile
    settings.LANGUAGE_CODE = "zh-hans"
    user = UserFactory()
    PushRuleFactory(
        title_template="Order {order_no}",
        body_template="Order {order_no} changed.",
        title_template_zh_hans="订单 {order_no}",
        body_template_zh_hans="订单 {order_no} 有变化。",
    )

    # when its event happens
    commit_emit(make_event(shopper_id=user.pk))

    # then the message is in the shop's language
    assert InboxMessage.objects.get(user=user).title == "订单 O2026112500001"


def test_retrying_a_broken_template_words_it_again_in_the_rows_language(
    only_rules, make_event, commit_emit, django_capture_on_commit_callbacks
):
    # given a Chinese shopper's message left dead by a broken Chinese template
    chinese = CustomerProfileFactory(language="zh-hans").user
    rule = PushRuleFactory(
        title_template="Order {order_no}",
        body_template="Order {order_no} changed.",
        title_template_zh_hans="订单 {order_no}",
        body_template_zh_hans="订单 {order_no.x} 有变化。",
    )
    commit_emit(make_event(shopper_id=chinese.pk))
    row = OutboxMessage.objects.get(recipient=chinese)
    assert row.status == OutboxMessage.Status.DEAD

    # when ops fix the Chinese text and retry it
    PushRule.objects.filter(pk=rule.pk).update(body_template_zh_hans="订单 {order_no} 有变化。")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(outbox_id=row.pk, actor=SYSTEM)

    # then the shopper gets it in Chinese
    assert OutboxMessage.objects.get(pk=row.pk).status == OutboxMessage.Status.SENT
    assert InboxMessage.objects.get(user=chinese).body == "订单 O2026112500001 有变化。"


def test_a_case_changed_in_a_chinese_request_reaches_an_english_merchant_in_english(
    default_rules, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from aftersales.models import CaseType
    from aftersales.seed import ensure_reasons
    from logistics.seed import ensure_default_carriers
    from tests.aftersales.factories import ask, paid_sub_order
    from tests.catalog.factories import MerchantFactory, MerchantStaffFactory

    # given a merchant whose manager reads English, and a shopper's paid sub-order
    ensure_default_carriers()
    ensure_reasons()
    merchant = MerchantFactory()
    manager = MerchantStaffFactory(merchant=merchant).user
    CustomerProfileFactory(user=manager, language="en")
    shopper = CustomerProfileFactory(language="zh-hans").user
    sub_order = paid_sub_order(
        merchant=merchant, user=shopper, capture=django_capture_on_commit_callbacks
    )

    # when the shopper asks for a refund from the storefront in Chinese
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        ask(sub_order, type=CaseType.REFUND_ONLY, reason="dont-want")

    # then the English manager reads the case's type and state in English, the shopper in Chinese
    to_manager = " ".join(f"{m.title} {m.body}" for m in InboxMessage.objects.filter(user=manager))
    assert "Refund only" in to_manager
    assert "仅退款" not in to_manager
    to_shopper = " ".join(f"{m.title} {m.body}" for m in InboxMessage.objects.filter(user=shopper))
    assert "Refund only" not in to_shopper
