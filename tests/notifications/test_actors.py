"""Notifications' services learn who acts from an Actor: a person's own inbox and settings, a
merchant's own webhook, ops' retries named in the delivery log."""

import pytest

from catalog.actors import SYSTEM, actor_for
from notifications.models import MerchantWebhook, NotificationPreference
from notifications.services.delivery import outbox_retry
from notifications.services.inbox import inbox_mark_all_read, inbox_message_mark_read
from notifications.services.preferences import notification_preferences_save
from notifications.services.webhooks import merchant_webhook_rotate_secret
from shop.errors import NotFound
from tests.accounts.factories import UserFactory
from tests.catalog.factories import MerchantFactory, MerchantStaffFactory
from tests.notifications.factories import InboxMessageFactory, OutboxMessageFactory

pytestmark = pytest.mark.django_db


def test_a_person_marks_only_their_own_messages_read():
    # given my message and another person's
    me, other = UserFactory(), UserFactory()
    mine, theirs = InboxMessageFactory(user=me), InboxMessageFactory(user=other)
    # when I mark both read, and then all of mine
    inbox_message_mark_read(actor=actor_for(me), message_id=mine.public_id)
    with pytest.raises(NotFound):
        inbox_message_mark_read(actor=actor_for(me), message_id=theirs.public_id)
    InboxMessageFactory(user=me)
    marked = inbox_mark_all_read(actor=actor_for(me))
    # then mine are read, theirs is not, and the system has no inbox to mark
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.is_read and not theirs.is_read
    assert marked == 1
    assert inbox_mark_all_read(actor=SYSTEM) == 0


def test_settings_are_a_persons_not_the_systems(default_rules):
    # when the system tries to save notification settings
    with pytest.raises(ValueError):
        notification_preferences_save(actor=SYSTEM, enabled=set())
    # then nothing is stored
    assert not NotificationPreference.objects.exists()


def test_merchant_staff_rotate_only_their_own_merchants_webhook_secret():
    # given two merchants' webhooks
    mine_merchant, other_merchant = MerchantFactory(), MerchantFactory()
    staff = MerchantStaffFactory(merchant=mine_merchant).user
    mine = MerchantWebhook.objects.create(merchant=mine_merchant, url="https://a.example.com/")
    theirs = MerchantWebhook.objects.create(merchant=other_merchant, url="https://b.example.com/")
    old_mine, old_theirs = mine.secret, theirs.secret
    # when the staff rotate both
    merchant_webhook_rotate_secret(webhook_id=mine.pk, actor=actor_for(staff))
    with pytest.raises(NotFound):
        merchant_webhook_rotate_secret(webhook_id=theirs.pk, actor=actor_for(staff))
    # then only their own has a new secret
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.secret != old_mine
    assert theirs.secret == old_theirs


def test_a_retry_names_who_asked_for_it(django_capture_on_commit_callbacks):
    # given two dead rows
    first = OutboxMessageFactory(status="dead", attempts=6, last_error="boom")
    second = OutboxMessageFactory(status="dead", attempts=6, last_error="boom")
    ops = UserFactory(username="ops-retrier", is_superuser=True)
    # when ops retry one and the system the other (nothing is delivered yet)
    with django_capture_on_commit_callbacks(execute=False):
        outbox_retry(outbox_id=first.pk, actor=actor_for(ops))
        outbox_retry(outbox_id=second.pk, actor=SYSTEM)
    # then the delivery log says who asked
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.last_error) == ("pending", "Retried by ops-retrier")
    assert (second.status, second.last_error) == ("pending", "")
