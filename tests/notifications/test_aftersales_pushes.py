"""After-sales pushes: each change of a case reaches the side that must know or act.

The events are built by hand, as aftersales.services.base.event_record builds them, so these
tests hold whatever state the after-sales services are in.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from aftersales.events import CaseChanged
from notifications import nodes
from notifications.models import InboxMessage, MerchantWebhook, OutboxMessage, PushRule
from notifications.seed import push_rules_sync
from shop import events
from shop.roles import PLATFORM_OPS, ensure_role_groups
from tests.accounts.factories import PASSWORD, CustomerProfileFactory, UserFactory
from tests.catalog.factories import MerchantFactory, MerchantStaffFactory

pytestmark = pytest.mark.django_db

DEADLINE = "2026-12-04T03:54:00+00:00"  # 11:54 in Asia/Shanghai, the shop's time zone


@pytest.fixture
def people(default_rules):
    """A shopper, a merchant with two office staff, one member of platform operations."""
    ensure_role_groups()
    merchant = MerchantFactory()
    ops = UserFactory(is_staff=True)
    ops.groups.add(Group.objects.get(name=PLATFORM_OPS))
    return {
        "shopper": CustomerProfileFactory().user,
        "merchant": merchant,
        "manager": MerchantStaffFactory(merchant=merchant).user,
        "colleague": MerchantStaffFactory(merchant=merchant).user,
        "ops": ops,
    }


def case_event(node, people, *, case_id=501, event_id=1, **extra) -> CaseChanged:
    """A case's domain event as aftersales.services.base.event_record emits it."""
    data = {
        "event_id": event_id,
        "case_no": "A2026120400001",
        "sub_order_no": "S2026120400001",
        "order_no": "O2026120400001",
        "type": "Return and refund",
        "type_code": "return_refund",
        "status": node.removeprefix("case."),
        "status_text": "Awaiting the merchant",
        "reason": "Not as described",
        "amount": "88.00",
        "note": "",
        "deadline": DEADLINE,
        "phone": "13800138000",
        "path": "/aftersales/A2026120400001/",
        **extra,
    }
    return CaseChanged(
        node=node,
        subject_id=case_id,
        shopper_id=people["shopper"].pk,
        merchant_id=people["merchant"].pk,
        case_no=data["case_no"],
        case_type=data["type_code"],
        status=data["status"],
        event_id=event_id,
        approved_at_once=bool(data.get("approved_at_once")),
        money_moved=data.get("money_moved"),
        data=data,
    )


def case_admin_link(case_id: int) -> str:
    """Where staff handle a case (empty while aftersales registers no admin for it)."""
    try:
        return reverse("admin:aftersales_aftersalescase_change", args=[case_id])
    except NoReverseMatch:
        return ""


def sent_to(user, **filters) -> list[tuple[str, str, str]]:
    rows = OutboxMessage.objects.filter(recipient=user, **filters).order_by("channel", "id")
    return [(row.channel, row.title, row.body) for row in rows]


def test_a_request_tells_the_shopper_and_asks_the_merchant_to_answer_by_the_deadline(
    people, commit_emit
):
    # given a shopper and a merchant's staff
    # when the shopper's request is opened
    commit_emit(case_event(events.CASE_REQUESTED, people, type="Refund only"))
    # then the shopper hears it was submitted; the merchant's staff, in the inbox and by SMS,
    # what it is and until when to answer (local time, to the minute)
    assert sent_to(people["shopper"]) == [
        (
            "inbox",
            "After-sales request A2026120400001 submitted",
            "We have passed your request A2026120400001 to the merchant.",
        )
    ]
    manager = sent_to(people["manager"])
    assert [channel for channel, _title, _body in manager] == ["inbox", "sms"]
    assert manager[0][2] == (
        "A shopper opened after-sales request A2026120400001 (Refund only, ¥88.00) on sub-order "
        "S2026120400001. Answer by 2026-12-04 11:54, or it is approved automatically."
    )
    assert manager[1][2].startswith(
        "New after-sales request A2026120400001: answer by 2026-12-04 11:54 or it is approved "
        "automatically. http"
    )
    assert sent_to(people["colleague"], channel="inbox")
    # and the staff's link is the case's admin page, the shopper's the storefront case page
    staff_row = OutboxMessage.objects.get(recipient=people["manager"], channel="inbox")
    assert staff_row.link == case_admin_link(501)
    assert OutboxMessage.objects.get(recipient=people["shopper"]).link == (
        "/aftersales/A2026120400001/"
    )
    assert not OutboxMessage.objects.filter(recipient=people["ops"]).exists()


def test_a_rejection_tells_the_shopper_why_and_until_when_to_appeal(people, commit_emit):
    # given a request
    # when the merchant rejects it with a reason
    commit_emit(case_event(events.CASE_REJECTED, people, note="The seal is broken", event_id=2))
    # then the shopper reads the reason and the appeal deadline
    inbox = InboxMessage.objects.get(user=people["shopper"])
    assert inbox.title == "After-sales request A2026120400001 rejected"
    assert inbox.body == (
        "The merchant rejected request A2026120400001: The seal is broken. If you disagree, you "
        "can appeal to the platform by 2026-12-04 11:54."
    )
    assert OutboxMessage.objects.filter(recipient=people["shopper"], channel="app_push").exists()


def test_an_appeal_reaches_operations_and_not_superusers_or_the_shopper_as_ops(people, commit_emit):
    # given an inactive ops member and a superuser outside the ops group
    gone = UserFactory(is_active=False)
    gone.groups.add(Group.objects.get(name=PLATFORM_OPS))
    root = UserFactory(is_staff=True, is_superuser=True)
    # when the shopper appeals
    commit_emit(case_event(events.CASE_APPEALED, people, note="It arrived broken", event_id=3))
    # then the active ops member is told, with the case's admin page as the link
    told = OutboxMessage.objects.filter(rule__target="ops")
    assert list(told.values_list("recipient", "channel")) == [(people["ops"].pk, "inbox")]
    row = told.get()
    assert row.title == "Appeal to decide: A2026120400001"
    assert row.body == (
        "The shopper appealed the merchant's rejection of request A2026120400001 (Return and "
        "refund, ¥88.00, sub-order S2026120400001): It arrived broken"
    )
    assert row.link == case_admin_link(501)
    # and neither the superuser nor the inactive member; the shopper only through their own rule
    assert not OutboxMessage.objects.filter(recipient__in=[root, gone]).exists()
    assert set(
        OutboxMessage.objects.filter(recipient=people["shopper"]).values_list(
            "rule__target", flat=True
        )
    ) == {"shopper"}
    assert OutboxMessage.objects.filter(recipient=people["manager"]).exists()


def test_a_failed_refund_reaches_operations(people, commit_emit):
    # when a refund fails at the gateway
    commit_emit(
        events.DomainEvent(
            node=events.REFUND_FAILED,
            subject_type="refund",
            subject_id=77,
            shopper_id=people["shopper"].pk,
            data={
                "refund_no": "R1",
                "payment_no": "P1",
                "order_no": "O1",
                "amount": "20.00",
                "reason": "After-sales A1: Damaged",
                "key": "A1-9",
                "path": "/orders/O1/",
            },
        )
    )
    # then operations read which refund, how much and why it was made
    assert sent_to(people["ops"]) == [
        (
            "inbox",
            "Refund R1 failed",
            "Refund R1 of ¥20.00 for order O1 (payment P1: After-sales A1: Damaged) failed at the "
            "gateway and is retried; look into it if it keeps failing.",
        )
    ]


def test_two_messages_on_one_case_are_two_pushes_to_the_other_side(people, commit_emit):
    # given a case
    # when the merchant's manager writes twice in its thread
    for event_id, text in [(10, "Could you send a photo?"), (11, "Of the box, please.")]:
        commit_emit(
            case_event(
                events.CASE_MESSAGE,
                people,
                event_id=event_id,
                note=text,
                message_id=event_id,
                author_role="merchant",
                author_id=people["manager"].pk,
            )
        )
    # then the shopper has two messages, one per thread message
    assert list(
        InboxMessage.objects.filter(user=people["shopper"])
        .order_by("id")
        .values_list("body", flat=True)
    ) == [
        "Message on request A2026120400001: Could you send a photo?",
        "Message on request A2026120400001: Of the box, please.",
    ]
    assert (
        OutboxMessage.objects.filter(recipient=people["shopper"], channel="app_push").count() == 2
    )
    # and the merchant's side (the author and their colleague) is not told its own messages
    assert not OutboxMessage.objects.filter(
        recipient__in=[people["manager"], people["colleague"]]
    ).exists()


def test_the_author_of_a_message_is_not_told_of_it(people, commit_emit):
    # when the shopper writes, then operations write
    commit_emit(
        case_event(
            events.CASE_MESSAGE,
            people,
            event_id=20,
            note="Here is the photo.",
            author_role="shopper",
            author_id=people["shopper"].pk,
        )
    )
    commit_emit(
        case_event(
            events.CASE_MESSAGE,
            people,
            event_id=21,
            note="We are looking at it.",
            author_role="ops",
            author_id=people["ops"].pk,
        )
    )
    # then the shopper hears only of operations' message, the merchant's staff of both
    assert list(
        InboxMessage.objects.filter(user=people["shopper"]).values_list("body", flat=True)
    ) == ["Message on request A2026120400001: We are looking at it."]
    assert InboxMessage.objects.filter(user=people["manager"]).count() == 2
    assert not OutboxMessage.objects.filter(recipient=people["ops"]).exists()


def test_an_author_id_skips_that_person_on_any_node(people, commit_emit, only_rules):
    # given a rule for the merchant's staff on a node that is not a message
    from tests.notifications.factories import PushRuleFactory

    PushRuleFactory(node=events.CASE_RETURN_RECEIVED, target="merchant", channel="inbox")
    # when one of them is the author of the change
    commit_emit(
        case_event(events.CASE_RETURN_RECEIVED, people, author_id=str(people["manager"].pk))
    )
    # then only the other is told
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [
        people["colleague"].pk
    ]


def test_a_lost_parcel_tells_the_shopper_it_is_being_refunded(people, commit_emit):
    # given a lost-parcel case, opened and approved at once by the system
    lost = {
        "type": "Lost parcel refund",
        "type_code": "lost",
        "note": "Parcel SF1 was lost by the carrier",
    }
    # when its request, its approval and the start of its refund are emitted
    commit_emit(case_event(events.CASE_REQUESTED, people, event_id=30, **lost))
    commit_emit(case_event(events.CASE_APPROVED, people, event_id=31, **lost))
    commit_emit(case_event(events.CASE_REFUNDING, people, event_id=32, **lost))
    # then the shopper reads that the parcel was lost and is refunded (inbox, app push, SMS),
    # once: not that a request was submitted, approved, or its refund started
    shopper_rows = OutboxMessage.objects.filter(recipient=people["shopper"])
    assert set(shopper_rows.values_list("node", "channel")) == {
        (nodes.CASE_LOST_REFUNDING, "inbox"),
        (nodes.CASE_LOST_REFUNDING, "app_push"),
        (nodes.CASE_LOST_REFUNDING, "sms"),
    }
    assert {row.title for row in shopper_rows} == {"Your parcel was lost; ¥88.00 is being refunded"}
    assert InboxMessage.objects.get(user=people["shopper"]).body == (
        "The carrier lost the parcel of order O2026120400001 (sub-order S2026120400001). ¥88.00 "
        "is being refunded to your original payment method (request A2026120400001); no action "
        "is needed."
    )
    # and the merchant is told it opened by itself, with nothing to answer (no "answer by")
    assert sent_to(people["manager"]) == [
        (
            "inbox",
            "Lost parcel refund A2026120400001",
            "After-sales A2026120400001 (Lost parcel refund, ¥88.00) opened automatically on "
            "sub-order S2026120400001: Parcel SF1 was lost by the carrier. It is approved at "
            "once; nothing to answer.",
        )
    ]


def test_an_out_of_stock_case_tells_the_shopper_it_is_refunded_automatically(people, commit_emit):
    # when an out-of-stock case is approved
    commit_emit(
        case_event(
            events.CASE_APPROVED,
            people,
            event_id=40,
            type="Out-of-stock refund",
            type_code="out_of_stock",
            note="Sold out in this colour",
        )
    )
    # then the shopper's inbox says so (suborder.out_of_stock already sent the SMS)
    assert sent_to(people["shopper"]) == [
        (
            "inbox",
            "Out-of-stock refund: ¥88.00 refunded automatically",
            "Some goods of order O2026120400001 (sub-order S2026120400001) are out of stock: "
            "Sold out in this colour. ¥88.00 is refunded to your original payment method "
            "automatically (request A2026120400001).",
        )
    ]


def test_an_approval_after_an_appeal_is_a_second_approval_message(people, commit_emit):
    # given a request approved, then (after a rejection and an appeal) approved again
    commit_emit(case_event(events.CASE_APPROVED, people, event_id=50))
    commit_emit(case_event(events.CASE_APPROVED, people, event_id=53))
    # then the shopper got two approval messages, not one swallowed as a duplicate
    assert InboxMessage.objects.filter(user=people["shopper"], node="case.approved").count() == 2


def test_an_offer_asks_the_shopper_to_answer(people, commit_emit):
    # when the merchant offers a partial refund
    commit_emit(
        case_event(
            events.CASE_OFFER,
            people,
            event_id=60,
            note="Refund only ¥30.00: keep the item",
            offer_id=5,
            offer_type="refund_only",
            offer_amount="30.00",
        )
    )
    # then the shopper hears of it in the inbox and by app push
    assert [(c, t) for c, t, _ in sent_to(people["shopper"])] == [
        ("app_push", "New offer on request A2026120400001"),
        ("inbox", "New offer on request A2026120400001"),
    ]
    assert InboxMessage.objects.get(user=people["shopper"]).body == (
        "The merchant offers Refund only ¥30.00: keep the item. Accept or decline it on the "
        "request page."
    )


def test_an_exchange_turned_refund_is_not_worded_as_an_offer(people, commit_emit):
    # when an exchange cannot be carried out
    commit_emit(
        case_event(
            events.CASE_EXCHANGE_TO_REFUND,
            people,
            event_id=61,
            note="The replacement is out of stock",
        )
    )
    # then the shopper reads that it becomes a refund
    inbox = InboxMessage.objects.get(user=people["shopper"])
    assert inbox.node == nodes.CASE_EXCHANGE_TO_REFUND
    assert inbox.body == (
        "The replacement cannot be sent (The replacement is out of stock), so ¥88.00 is "
        "refunded to your original payment method instead."
    )


def test_internal_nodes_cost_no_query_and_push_nothing(
    people, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # given a merchant whose system hears of every event about it
    from notifications.receivers import on_domain_event
    from notifications.services.outbox import outbox_write_for_event

    MerchantWebhook.objects.create(merchant=people["merchant"], url="https://erp.example.com/h")
    internal = [
        events.SHIPMENT_REFUSED,
        events.SHIPMENT_LOST,
        events.SHIPMENT_RETURNED,
        events.SHIPMENT_INTERCEPT_FAILED,
        events.SHIPMENT_RETURN_SIGNED,
        "suborder.cod_settled",
    ]
    outcomes = [
        events.DomainEvent(
            node=node,
            subject_type="shipment",
            subject_id=9,
            shopper_id=people["shopper"].pk,
            merchant_id=people["merchant"].pk,
            data={"tracking_no": "SF1"},
        )
        for node in internal
    ]
    # when logistics reports parcel outcomes (for after-sales to act on) to notifications
    with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
        for event in outcomes:
            on_domain_event(events.DomainEvent, event=event)
    # then notifications did nothing at all: no query, nothing waiting for the commit
    assert callbacks == []
    assert all(outbox_write_for_event(event=event) == [] for event in outcomes)
    assert not OutboxMessage.objects.exists()
    # and no rule can be made for them
    assert set(internal) <= nodes.INTERNAL_NODES
    assert not set(internal) & set(nodes.NODE_LABELS)


def test_a_node_without_rules_writes_nothing_and_breaks_nothing(people, commit_emit):
    # given no rule for a node
    PushRule.objects.filter(node=events.CASE_INTERCEPTING).delete()
    # when it happens
    commit_emit(case_event(events.CASE_INTERCEPTING, people, event_id=70))
    # then no row is written
    assert not OutboxMessage.objects.exists()


def test_every_case_node_is_labelled_and_its_rules_render_with_the_case_data(people, commit_emit):
    # given every case node the shop knows, and the data aftersales sends
    case_nodes = {value for name, value in vars(events).items() if name.startswith("CASE_")}
    case_nodes |= {nodes.CASE_RETURN_SHIPPED, nodes.CASE_RETURN_SIGNED, nodes.CASE_EVIDENCE_EXPIRED}
    assert case_nodes <= set(nodes.NODE_LABELS)
    extra = {
        "note": "A note",
        "offer_id": 1,
        "offer_type": "refund_only",
        "offer_amount": "10.00",
        "offer_status": "declined",
        "party": "shopper",
    }
    # when each happens
    for event_id, node in enumerate(sorted(case_nodes), start=100):
        commit_emit(case_event(node, people, event_id=event_id, **extra))
    # then every rule rendered without a gap and none reports a problem
    assert OutboxMessage.objects.filter(node__startswith="case.").count() > len(case_nodes)
    assert not PushRule.objects.exclude(last_render_error="").exists()
    assert not OutboxMessage.objects.filter(title__contains="{").exists()
    assert not OutboxMessage.objects.filter(body__contains="{").exists()
    assert OutboxMessage.objects.filter(recipient=people["ops"], node="case.evidence_expired")


def test_case_refunds_are_money_news_the_shopper_cannot_silence_in_the_inbox():
    assert {events.CASE_REFUNDED, nodes.CASE_LOST_REFUNDING} <= nodes.MONEY_NODES


def test_the_default_rules_seed_again_without_overwriting_what_ops_edited(default_rules):
    # given ops reworded a seeded after-sales rule
    rule = PushRule.objects.get(node=events.CASE_REFUNDING, target="shopper", channel="inbox")
    rule.body_template = "Money back: ¥{amount}"
    rule.save()
    count = PushRule.objects.count()
    # when the defaults are seeded again
    push_rules_sync()
    # then nothing is added twice and the edit stays
    assert PushRule.objects.count() == count
    rule.refresh_from_db()
    assert rule.body_template == "Money back: ¥{amount}"


def test_the_rule_form_offers_the_operations_target(client):
    # given an ops member signed in to the admin
    ensure_role_groups()
    user = UserFactory(username="ops-rules", is_staff=True)
    user.groups.add(Group.objects.get(name=PLATFORM_OPS))
    client.login(username="ops-rules", password=PASSWORD)
    # when they open a new rule
    response = client.get(reverse("admin:notifications_pushrule_add"))
    # then "Platform operations" is a target and the new case nodes are nodes
    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="ops">Platform operations</option>' in page
    assert '<option value="case.lost_refunding">' in page
