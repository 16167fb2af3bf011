"""Events become outbox rows: the right people, the right channels, once, with the state change."""

import pytest
from django.db import transaction

from catalog.actors import SYSTEM
from catalog.models import MerchantStaff
from notifications import nodes
from notifications.models import InboxMessage, OutboxMessage, PushRule
from notifications.services.delivery import outbox_retry
from orders.events import OrderChanged
from payments.events import PaymentSucceeded
from shop import events
from tests.accounts.factories import CustomerProfileFactory, UserFactory
from tests.catalog.factories import MerchantFactory, MerchantStaffFactory, WarehouseFactory
from tests.notifications.factories import NotificationPreferenceFactory, PushRuleFactory

pytestmark = pytest.mark.django_db


def all_nodes() -> set[str]:
    """Every node of shop.events that is news for a person (not the internal ones other modules
    act on, such as logistics' parcel outcomes)."""
    return {
        value
        for name, value in vars(events).items()
        if name.isupper() and isinstance(value, str) and "." in value
    } - nodes.INTERNAL_NODES


def test_every_node_has_a_default_rule(default_rules):
    # given the seeded rules
    # when ops look at the rules
    seeded = set(PushRule.objects.filter(is_active=True).values_list("node", flat=True))
    # then every node of shop.events tells somebody; a payment that succeeded only as
    # payment.orphaned (order.paid already tells the shopper of an ordinary payment), and a
    # failed payment through payment.failed alone (order.payment_failed said the same again)
    assert all_nodes() - {events.PAYMENT_SUCCEEDED, events.ORDER_PAYMENT_FAILED} <= seeded
    assert {nodes.PAYMENT_ORPHANED, nodes.ORDER_COD_CONFIRMED} <= seeded


def test_every_default_rule_renders_with_the_data_the_emitters_send(default_rules, commit_emit):
    # given every seeded rule and an event of its node carrying the usual data
    shopper = CustomerProfileFactory().user
    merchant = MerchantFactory()
    warehouse = WarehouseFactory(merchant=merchant)
    MerchantStaffFactory(merchant=merchant, user=CustomerProfileFactory().user)
    data = {
        "order_no": "O1",
        "sub_order_no": "S1",
        "payment_no": "P1",
        "refund_no": "R1",
        "case_no": "A1",
        "amount": "88.00",
        "tracking_no": "SF123",
        "carrier": "SF Express",
        "status_text": "Out for delivery",
        "path": "/orders/O1/",
        # after-sales cases (aftersales.services.base.event_record and the actions' payloads)
        "type": "Return and refund",
        "reason": "Damaged",
        "note": "A note",
        "deadline": "2026-12-04T03:54:00+00:00",
        "offer_status": "declined",
        "party": "shopper",
    }
    # when each node happens
    for node in sorted(all_nodes()):
        commit_emit(
            events.DomainEvent(
                node=node,
                subject_type="x",
                subject_id=1,
                shopper_id=shopper.pk,
                merchant_id=merchant.pk,
                warehouse_id=warehouse.pk,
                data=data,
            )
        )
    # and the pushes that depend on the data: a cash-on-delivery order, money for a closed order
    people = {"shopper_id": shopper.pk, "data": data}
    commit_emit(OrderChanged(node=events.ORDER_PAID, subject_id=2, payment_method="cod", **people))
    commit_emit(PaymentSucceeded(subject_id=2, orphaned=True, **people))
    assert OutboxMessage.objects.filter(node=nodes.ORDER_COD_CONFIRMED).exists()
    assert OutboxMessage.objects.filter(node=nodes.PAYMENT_ORPHANED).exists()
    # then every message rendered without a gap, and no rule reports a problem
    assert OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).count() == 0
    assert not PushRule.objects.exclude(last_render_error="").exists()
    assert not OutboxMessage.objects.filter(title__contains="{").exists()
    assert InboxMessage.objects.filter(user=shopper, title="Order O1 placed").exists()


def test_order_paid_reaches_the_shopper_on_inbox_push_and_sms(
    default_rules, make_event, commit_emit
):
    # given a shopper
    shopper = UserFactory()
    # when their order is paid
    commit_emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
    # then they get one message on each channel of the rule, rendered with the order number
    rows = OutboxMessage.objects.filter(recipient=shopper)
    assert sorted(rows.values_list("channel", flat=True)) == ["app_push", "inbox", "sms"]
    assert {row.title for row in rows} == {"Order O2026112500001 paid"}
    assert all(row.link == "/orders/O2026112500001/" for row in rows)
    assert InboxMessage.objects.get(user=shopper).title == "Order O2026112500001 paid"


def test_merchant_rules_reach_only_that_merchants_office_staff(
    default_rules, make_event, commit_emit
):
    # given two merchants, each with staff, one of them with warehouse staff too
    merchant, other = MerchantFactory(), MerchantFactory()
    manager = MerchantStaffFactory(merchant=merchant).user
    operator = MerchantStaffFactory(merchant=merchant, role=MerchantStaff.Role.OPERATOR).user
    packer = MerchantStaffFactory(merchant=merchant, role=MerchantStaff.Role.WAREHOUSE).user
    outsider = MerchantStaffFactory(merchant=other).user
    gone = MerchantStaffFactory(merchant=merchant, user=UserFactory(is_active=False)).user
    # when a shopper opens an after-sales case with the merchant
    commit_emit(
        make_event(
            node=events.CASE_REQUESTED,
            subject_type="case",
            shopper_id=UserFactory().pk,
            merchant_id=merchant.pk,
            data={"case_no": "A7", "sub_order_no": "S7"},
        )
    )
    # then the merchant's managers and operators are told (inbox and SMS), nobody else
    told = OutboxMessage.objects.filter(rule__target="merchant")
    assert set(told.values_list("recipient", flat=True)) == {manager.pk, operator.pk}
    assert told.filter(recipient=manager).count() == 2
    assert not OutboxMessage.objects.filter(recipient__in=[packer, outsider, gone]).exists()


def test_pick_list_goes_to_the_warehouse_staff_of_that_warehouse(
    default_rules, make_event, commit_emit
):
    # given a merchant with two warehouses, staff assigned to each, and a manager
    merchant = MerchantFactory()
    north, south = WarehouseFactory(merchant=merchant), WarehouseFactory(merchant=merchant)
    manager = MerchantStaffFactory(merchant=merchant).user
    north_packer = MerchantStaffFactory(merchant=merchant, role=MerchantStaff.Role.WAREHOUSE)
    north_packer.warehouses.add(north)
    south_packer = MerchantStaffFactory(merchant=merchant, role=MerchantStaff.Role.WAREHOUSE)
    south_packer.warehouses.add(south)
    # when a sub-order from the north warehouse is created
    commit_emit(
        make_event(
            node=events.SUBORDER_CREATED,
            subject_type="suborder",
            merchant_id=merchant.pk,
            warehouse_id=north.pk,
            data={"sub_order_no": "S9"},
        )
    )
    # then the north packer gets the pick list, the manager the new-order message
    inbox = dict(InboxMessage.objects.values_list("user_id", "title"))
    assert inbox == {north_packer.user_id: "Pick list: S9", manager.pk: "New paid order S9"}
    assert south_packer.user_id not in inbox


def test_pick_list_falls_back_to_the_merchants_staff_once(default_rules, make_event, commit_emit):
    # given a merchant whose only staff member is a manager
    merchant = MerchantFactory()
    warehouse = WarehouseFactory(merchant=merchant)
    manager = MerchantStaffFactory(merchant=merchant).user
    # when a sub-order is created for its warehouse
    commit_emit(
        make_event(
            node=events.SUBORDER_CREATED,
            subject_type="suborder",
            merchant_id=merchant.pk,
            warehouse_id=warehouse.pk,
            data={"sub_order_no": "S3"},
        )
    )
    # then the manager gets the pick list, once (not also the same-channel merchant copy)
    assert list(InboxMessage.objects.filter(user=manager).values_list("title", flat=True)) == [
        "Pick list: S3"
    ]


def test_the_same_event_twice_writes_no_second_message(default_rules, make_event, commit_emit):
    # given an order-paid event already pushed
    shopper = UserFactory()
    event = make_event(node=events.ORDER_PAID, shopper_id=shopper.pk)
    commit_emit(event)
    # when the same transition is emitted again in another transaction
    commit_emit(event)
    # then the shopper still has one message per channel
    assert OutboxMessage.objects.filter(recipient=shopper).count() == 3
    assert InboxMessage.objects.filter(user=shopper).count() == 1


def test_distinct_event_ids_of_the_same_node_are_distinct_messages(
    default_rules, make_event, commit_emit
):
    # given two tracking updates of one shipment, each with its own event id
    shopper = UserFactory()
    for event_id, text in [(1, "Picked up"), (2, "Out for delivery")]:
        commit_emit(
            make_event(
                node=events.SHIPMENT_TRACKING,
                subject_type="shipment",
                shopper_id=shopper.pk,
                data={"event_id": event_id, "tracking_no": "SF1", "status_text": text},
            )
        )
    # then both reach the shopper's phone
    titles = set(OutboxMessage.objects.filter(recipient=shopper).values_list("title", flat=True))
    assert titles == {"Tracking SF1: Picked up", "Tracking SF1: Out for delivery"}


def test_a_rolled_back_transition_pushes_nothing(default_rules, make_event):
    # given a shopper
    shopper = UserFactory()

    # when the transition's transaction fails after emitting
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
        raise Boom
    # then no message exists
    assert not OutboxMessage.objects.exists()
    assert not InboxMessage.objects.exists()


def test_inactive_rules_are_silent(default_rules, make_event, commit_emit):
    # given ops switched off the shopper SMS of order paid
    for rule in PushRule.objects.filter(node=events.ORDER_PAID, channel="sms"):
        rule.is_active = False
        rule.save()  # as the admin saves it
    shopper = UserFactory()
    # when an order is paid
    commit_emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
    # then no SMS is queued
    channels = set(OutboxMessage.objects.values_list("channel", flat=True))
    assert channels == {"inbox", "app_push"}


def test_a_shopper_can_silence_sms_but_not_the_money_inbox(default_rules, make_event, commit_emit):
    # given a shopper who turned off SMS and tried the inbox for refunds
    shopper = UserFactory()
    NotificationPreferenceFactory(user=shopper, node=events.REFUND_SUCCEEDED, channel="sms")
    NotificationPreferenceFactory(user=shopper, node=events.REFUND_SUCCEEDED, channel="inbox")
    # when a refund succeeds
    commit_emit(
        make_event(
            node=events.REFUND_SUCCEEDED,
            subject_type="refund",
            shopper_id=shopper.pk,
            data={"refund_no": "R1", "amount": "10.00"},
        )
    )
    # then the inbox (money) and WeChat copies are written, the SMS is not
    channels = set(OutboxMessage.objects.values_list("channel", flat=True))
    assert channels == {"inbox", "wechat"}
    assert InboxMessage.objects.get(user=shopper).body.startswith("¥10.00 has been refunded")


def test_missing_placeholder_still_delivers_and_warns_ops(only_rules, make_event, commit_emit):
    # given a rule using a placeholder the event does not carry
    rule = PushRuleFactory(title_template="Order {order_no} {mystery}")
    shopper = UserFactory()
    # when the event happens
    commit_emit(make_event(shopper_id=shopper.pk))
    # then the shopper gets the message, and the admin shows the problem on the rule
    assert InboxMessage.objects.get(user=shopper).title == "Order O2026112500001"
    rule.refresh_from_db()
    assert "mystery" in rule.last_render_error


def test_broken_template_is_kept_dead_until_ops_fix_and_retry(
    only_rules, make_event, commit_emit, django_capture_on_commit_callbacks
):
    # given a rule whose template cannot be rendered
    rule = PushRuleFactory(title_template="Order {order_no.x}")
    shopper = UserFactory()
    # when the event happens
    commit_emit(make_event(shopper_id=shopper.pk))
    # then the row is kept as dead with the error (not lost), and nothing reached the inbox
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.DEAD
    assert row.last_error.startswith("Template error")
    assert not InboxMessage.objects.exists()
    rule.refresh_from_db()
    assert rule.last_render_error.startswith("Template error")

    # when ops fix the rule and retry the message
    rule.title_template = "Order {order_no}"
    rule.save()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(outbox_id=row.pk, actor=SYSTEM)
    # then the shopper gets it, rendered with the fixed template
    assert InboxMessage.objects.get(user=shopper).title == "Order O2026112500001"


def test_unknown_shopper_or_missing_merchant_writes_nothing(default_rules, make_event, commit_emit):
    # given an event whose shopper does not exist and with no merchant
    # when it is emitted
    commit_emit(make_event(node=events.CASE_REQUESTED, shopper_id=987654, data={"case_no": "A"}))
    # then nobody is messaged, and nothing failed
    assert not OutboxMessage.objects.exists()


def test_a_closed_shopper_account_is_told_nothing(default_rules, make_event, commit_emit):
    # given a shopper whose account was closed (deactivated), and an active one
    closed, active = UserFactory(is_active=False), UserFactory()
    # when an order of each is paid
    commit_emit(make_event(node=events.ORDER_PAID, shopper_id=closed.pk))
    commit_emit(make_event(node=events.ORDER_PAID, shopper_id=active.pk, subject_id=2))
    # then only the active shopper has messages
    assert not OutboxMessage.objects.filter(recipient=closed).exists()
    assert OutboxMessage.objects.filter(recipient=active).count() == 3


def test_the_shoppers_messages_cost_one_read_and_one_insert(
    default_rules, make_event, django_assert_num_queries
):
    # given a shopper with a profile in English who silenced the SMS of paid orders
    shopper = CustomerProfileFactory(language="en").user
    NotificationPreferenceFactory(user=shopper, node=events.ORDER_PAID, channel="sms")
    events.emit(make_event(node=events.ORDER_PAID, shopper_id=2))  # the rules are read once
    # when their order is paid: the savepoint, the recipient's facts (account, language,
    # preferences) in one query, one INSERT of every row, the savepoint released
    with django_assert_num_queries(4):
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk, subject_id=3))
    # then the inbox and the push are written in English, the SMS not at all
    rows = OutboxMessage.objects.filter(recipient=shopper)
    assert sorted(rows.values_list("channel", "language")) == [("app_push", "en"), ("inbox", "en")]


def test_a_failing_push_never_undoes_the_state_change(default_rules, make_event, monkeypatch):
    # given the push rules cannot be read (a bug, a bad row)
    def broken(**kwargs):
        raise RuntimeError("rules table unreadable")

    monkeypatch.setattr("notifications.selectors.rules_for_node", broken)
    shopper = UserFactory()
    # when a transition emits inside its transaction and goes on writing
    with transaction.atomic():
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
        UserFactory(username="written-after-the-event")
    # then the transition's own writes stand (the failure is logged, not raised)
    assert shopper.__class__.objects.filter(username="written-after-the-event").exists()
    assert not OutboxMessage.objects.exists()


def test_a_push_failing_in_the_database_never_undoes_the_state_change(
    default_rules, make_event, monkeypatch
):
    # given reading the push rules fails in the database itself (an error that aborts the
    # transaction unless the outbox write runs in its own savepoint)
    from django.db import connection

    def broken(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr("notifications.selectors.rules_for_node", broken)
    shopper = UserFactory()
    # when a transition emits inside its transaction and goes on writing
    with transaction.atomic():
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
        UserFactory(username="written-after-the-db-error")
    # then the transaction is still usable and the transition's own writes stand
    assert shopper.__class__.objects.filter(username="written-after-the-db-error").exists()
    assert not OutboxMessage.objects.exists()


def test_messages_outside_the_inbox_carry_a_full_link(
    default_rules, make_event, commit_emit, settings
):
    # given the shop at its public address, and a merchant whose staff are told by SMS too
    settings.SITE_URL = "https://shop.example.com/"
    shopper = CustomerProfileFactory().user
    merchant = MerchantFactory()
    manager = MerchantStaffFactory(merchant=merchant, user=CustomerProfileFactory().user).user
    PushRuleFactory(
        node=events.SUBORDER_CREATED,
        target="merchant",
        channel="sms",
        title_template="New order {sub_order_no}",
        body_template="Ship it: {link}",
    )
    # when an order is paid (seeded rules) and a sub-order created (the staff rule)
    commit_emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
    commit_emit(
        make_event(
            node=events.SUBORDER_CREATED,
            subject_type="suborder",
            subject_id=7,
            merchant_id=merchant.pk,
            data={"sub_order_no": "S1"},
        )
    )
    # then the shopper's SMS and push end with the order page as a full URL
    page = "https://shop.example.com/orders/O2026112500001/"
    for channel in ("sms", "app_push"):
        row = OutboxMessage.objects.get(recipient=shopper, channel=channel)
        assert row.body.endswith(f" {page}"), row.body
    # and the inbox keeps its site path as the link it opens
    inbox = OutboxMessage.objects.get(recipient=shopper, channel="inbox")
    assert (inbox.link, "https://" in inbox.body) == ("/orders/O2026112500001/", False)
    # and staff get their admin page, in full
    staff_sms = OutboxMessage.objects.get(recipient=manager, channel="sms")
    assert staff_sms.body == "Ship it: https://shop.example.com/admin/orders/suborder/7/change/"
    assert not PushRule.objects.exclude(last_render_error="").exists()


def test_every_default_rule_outside_the_inbox_has_the_link(default_rules):
    outside = PushRule.objects.filter(channel__in=["sms", "app_push", "wechat"], is_active=True)
    assert outside.exists()
    assert [r for r in outside if "{link}" not in r.body_template] == []


def test_a_rule_ops_switch_off_is_silent_from_the_next_event(
    default_rules, make_event, commit_emit
):
    # given the rules of order paid were read for an event (and are kept for a few seconds)
    first, second = UserFactory(), UserFactory()
    commit_emit(make_event(node=events.ORDER_PAID, shopper_id=first.pk))
    assert OutboxMessage.objects.filter(recipient=first, channel="sms").exists()

    # when ops switch the SMS off in the admin
    rule = PushRule.objects.get(node=events.ORDER_PAID, target="shopper", channel="sms")
    rule.is_active = False
    rule.save()
    commit_emit(make_event(node=events.ORDER_PAID, shopper_id=second.pk, subject_id=2))

    # then the next event sends none
    assert not OutboxMessage.objects.filter(recipient=second, channel="sms").exists()
    assert OutboxMessage.objects.filter(recipient=second, channel="inbox").exists()
