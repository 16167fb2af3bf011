import factory
from django.utils import timezone

from notifications.models import InboxMessage, NotificationPreference, OutboxMessage, PushRule
from tests.accounts.factories import CustomerProfileFactory, UserFactory


class PushRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PushRule
        django_get_or_create = ("node", "target", "channel")

    node = "order.created"
    target = "shopper"
    channel = "inbox"
    title_template = "Order {order_no}"
    body_template = "Order {order_no} changed."
    is_active = True


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    event_key = factory.Sequence(lambda n: f"order.created:order:{n}")
    node = "order.created"
    subject_type = "order"
    subject_id = factory.Sequence(lambda n: n + 1)
    rule = factory.SubFactory(PushRuleFactory)
    # A shopper with a phone number on the profile, so that an SMS row has somewhere to go.
    recipient = factory.LazyFunction(lambda: CustomerProfileFactory().user)
    channel = "inbox"
    title = "Order O1 placed"
    body = "Your order O1 has been placed."
    link = "/orders/O1/"
    next_attempt_at = factory.LazyFunction(timezone.now)


class InboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboxMessage

    user = factory.SubFactory(UserFactory)
    node = "order.created"
    title = factory.Sequence(lambda n: f"Message {n}")
    body = "Something happened to your order."
    link = "/orders/O1/"


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    node = "suborder.shipped"
    channel = "sms"
    enabled = False
