"""Ops run notifications in the admin: rules, the delivery log with retry, inboxes."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from notifications.models import InboxMessage, OutboxMessage, PushRule
from shop.roles import ensure_role_groups
from tests.accounts.factories import PASSWORD, UserFactory
from tests.catalog.factories import MerchantStaffFactory
from tests.notifications.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(client):
    ensure_role_groups()
    user = UserFactory(username="ops-user", is_staff=True)
    user.groups.add(Group.objects.get(name="Platform operations"))
    client.login(username="ops-user", password=PASSWORD)
    return user


def test_ops_see_the_delivery_log_filtered_by_status(client, ops):
    # given a sent and a dead message
    OutboxMessageFactory(title="Sent one", status=OutboxMessage.Status.SENT)
    OutboxMessageFactory(title="Dead one", status=OutboxMessage.Status.DEAD, last_error="HTTP 503")
    # when ops filter the log by dead
    url = reverse("admin:notifications_outboxmessage_changelist")
    response = client.get(url + "?status__exact=dead")
    # then they see the dead one with its error
    html = response.content.decode()
    assert response.status_code == 200
    assert "HTTP 503" in html


def test_ops_retry_a_dead_message_from_the_admin(client, ops, django_capture_on_commit_callbacks):
    # given a dead inbox message
    row = OutboxMessageFactory(status=OutboxMessage.Status.DEAD, attempts=6, last_error="boom")
    # when ops run "Retry now" on it
    url = reverse("admin:notifications_outboxmessage_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "retry_now", "_selected_action": [row.pk]}, follow=True
        )
    # then it is delivered and ops are told
    assert "1 message queued for delivery." in response.content.decode()
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT
    assert InboxMessage.objects.filter(user=row.recipient).count() == 1


def test_retrying_a_sent_message_is_refused_with_a_reason(client, ops):
    row = OutboxMessageFactory(status=OutboxMessage.Status.SENT)
    url = reverse("admin:notifications_outboxmessage_changelist")
    response = client.post(url, {"action": "retry_now", "_selected_action": [row.pk]}, follow=True)
    assert "already sent" in response.content.decode()


def test_ops_switch_a_rule_off_and_see_render_problems(client, ops, default_rules):
    # given a rule with a recorded rendering problem
    rule = PushRule.objects.get(node="order.paid", target="shopper", channel="sms")
    PushRule.objects.filter(pk=rule.pk).update(last_render_error="Missing placeholders: amount")
    # when ops list the rules
    response = client.get(reverse("admin:notifications_pushrule_changelist"))
    # then the problem is visible
    assert "Missing placeholders: amount" in response.content.decode()
    # when ops fix the template on the rule's page
    change = reverse("admin:notifications_pushrule_change", args=[rule.pk])
    response = client.post(
        change,
        {
            "node": rule.node,
            "target": rule.target,
            "channel": rule.channel,
            "is_active": "",
            "title_template": "Paid: {order_no}",
            "body_template": rule.body_template,
        },
    )
    # then the rule is saved switched off, and the old problem is cleared
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.is_active, rule.title_template, rule.last_render_error) == (
        False,
        "Paid: {order_no}",
        "",
    )


def test_a_broken_template_is_refused_in_the_admin(client, ops, default_rules):
    rule = PushRule.objects.get(node="order.paid", target="shopper", channel="sms")
    change = reverse("admin:notifications_pushrule_change", args=[rule.pk])
    response = client.post(
        change,
        {
            "node": rule.node,
            "target": rule.target,
            "channel": rule.channel,
            "is_active": "on",
            "title_template": "Paid: {order_no",
            "body_template": rule.body_template,
        },
    )
    assert response.status_code == 200
    assert "Template syntax error" in response.content.decode()


def test_merchant_staff_cannot_see_the_delivery_log(client):
    # given a merchant's staff member
    ensure_role_groups()
    staff = MerchantStaffFactory(user=UserFactory(username="m-staff", is_staff=True))
    staff.user.groups.add(Group.objects.get(name="Merchant staff"))
    client.login(username="m-staff", password=PASSWORD)
    # when they open the outbox
    response = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    # then they are refused
    assert response.status_code == 403
