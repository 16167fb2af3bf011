"""The default push rules are one table (notifications.default_rules) that a sync writes."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from notifications import default_rules, seed
from notifications.default_rules import DEFAULT_RULES, DefaultRule
from notifications.models import PushRule
from notifications.seed import push_rules_sync

# The data migrations that seeded and reworded the defaults before they were a table, in order,
# with their forward function (what the seed used to replay).
SEEDING_MIGRATIONS = [
    ("0002_default_push_rules", "seed_rules"),
    ("0004_out_of_stock_wording", "reword"),
    ("0005_one_paid_message_and_truthful_wording", "apply_defaults"),
    ("0007_link_in_sms_push_wechat", "add_link"),
    ("0008_one_failed_payment_message", "switch_off_the_second_copy"),
    ("0009_aftersales_pushes", "apply_defaults"),
    ("0010_pay_again_and_one_parcel_message", "apply_defaults"),
]


def replay_seeding_migrations() -> None:
    for name, function in SEEDING_MIGRATIONS:
        module = importlib.import_module(f"notifications.migrations.{name}")
        getattr(module, function)(apps, None)


def all_rules() -> list[tuple]:
    return list(
        PushRule.objects.order_by("id").values_list(
            "node", "target", "channel", "title_template", "body_template", "is_active"
        )
    )


@pytest.mark.django_db
def test_a_fresh_database_gets_exactly_the_rules_the_seeding_migrations_gave():
    # given what the chain of seeding migrations writes into an empty table
    PushRule.objects.all().delete()
    replay_seeding_migrations()
    from_migrations = all_rules()
    PushRule.objects.all().delete()
    # when the table is synced into an empty table instead
    synced = push_rules_sync()
    # then every rule is there with the same text and switch, in the same order
    assert all_rules() == from_migrations
    assert synced == seed.PushRulesSynced(created=len(DEFAULT_RULES), reworded=0, switched_off=0)
    assert len(from_migrations) == 87


@pytest.mark.django_db
def test_a_database_the_migrations_seeded_is_left_as_it_is():
    # given the rules the seeding migrations wrote
    PushRule.objects.all().delete()
    replay_seeding_migrations()
    before = all_rules()
    # when the sync runs (as migration 0012 does), twice
    first, second = push_rules_sync(), push_rules_sync()
    # then the English text and the switches are unchanged; the first sync gave every rule its
    # Chinese text (the seeding migrations wrote English only), the second changed nothing
    assert all_rules() == before
    assert first == seed.PushRulesSynced(
        created=0, reworded=0, switched_off=0, chinese_filled=len(DEFAULT_RULES)
    )
    assert second == seed.PushRulesSynced(created=0, reworded=0, switched_off=0)
    assert not PushRule.objects.filter(body_template_zh_hans="").exists()


@pytest.mark.django_db
def test_a_rule_ops_edited_keeps_its_text_and_switch():
    # given the defaults, one reworded and switched off by ops, one only switched off
    push_rules_sync()
    edited = PushRule.objects.get(node="order.paid", target="shopper", channel="sms")
    edited.title_template, edited.body_template = "Paid", "Thanks for {order_no}"
    edited.is_active = False
    edited.save()
    silenced = PushRule.objects.get(node="order.created", target="shopper", channel="inbox")
    silenced.is_active = False
    silenced.save()
    # when the defaults are synced again
    synced = push_rules_sync()
    # then both are as ops left them, and nothing was added twice
    edited.refresh_from_db()
    silenced.refresh_from_db()
    assert (edited.title_template, edited.body_template, edited.is_active) == (
        "Paid",
        "Thanks for {order_no}",
        False,
    )
    assert silenced.is_active is False
    assert silenced.body_template == (
        "Your order {order_no} has been placed. Please pay in time, or it is cancelled "
        "automatically."
    )
    assert PushRule.objects.count() == len(DEFAULT_RULES)
    assert synced == seed.PushRulesSynced(created=0, reworded=0, switched_off=0)


@pytest.mark.django_db
def test_a_rule_still_in_a_former_wording_gets_the_present_one():
    # given the payment-failed SMS still in its first wording (before the link and the
    # "pay again"), and the seeded payment-received inbox copy switched on
    push_rules_sync()
    old = PushRule.objects.get(node="payment.failed", target="shopper", channel="sms")
    old.body_template = (
        "Your payment {payment_no} for order {order_no} failed. You can try again from the "
        "order page."
    )
    old.save()
    twice = PushRule.objects.get(node="payment.succeeded", target="shopper", channel="inbox")
    twice.is_active = True
    twice.save()
    # when the defaults are synced
    synced = push_rules_sync()
    # then the first reads as today's default, the second is off again (as seeded, its default
    # is off: the shopper hears of the payment through order.paid)
    old.refresh_from_db()
    twice.refresh_from_db()
    assert old.body_template == (
        "Your payment {payment_no} for order {order_no} did not go through and nothing was "
        "charged. The order is kept until its payment deadline: pay again or choose another "
        "method from the order page. {link}"
    )
    assert twice.is_active is False
    assert synced == seed.PushRulesSynced(created=0, reworded=1, switched_off=1)


@pytest.mark.django_db
def test_a_new_default_appears_on_sync(monkeypatch):
    # given the defaults in the database, and a default added to the table since
    push_rules_sync()
    added = DefaultRule(
        "suborder.received", "shopper", "inbox", "Thanks for confirming {sub_order_no}", "Enjoy."
    )
    monkeypatch.setattr(seed, "DEFAULT_RULES", (*default_rules.DEFAULT_RULES, added))
    # when the command syncs them
    out = StringIO()
    call_command("sync_push_rules", stdout=out)
    # then the new rule is there, and the command says what it did
    rule = PushRule.objects.get(node="suborder.received", target="shopper", channel="inbox")
    assert (rule.title_template, rule.body_template, rule.is_active) == (
        "Thanks for confirming {sub_order_no}",
        "Enjoy.",
        True,
    )
    assert out.getvalue().strip() == (
        "Push rules: 1 created, 0 reworded, 0 switched off, 0 given their Chinese text."
    )


def test_every_default_is_a_valid_rule():
    # then each row names a known node, target and channel, once, with valid templates
    from notifications.models import RULE_CHANNEL_CHOICES, Target, validate_template
    from notifications.nodes import NODE_LABELS

    keys = [rule.key for rule in DEFAULT_RULES]
    assert len(keys) == len(set(keys))
    channels = {choice for choice, _label in RULE_CHANNEL_CHOICES}
    for rule in DEFAULT_RULES:
        assert rule.node in NODE_LABELS
        assert rule.target in Target.values
        assert rule.channel in channels
        validate_template(rule.title)
        validate_template(rule.body)
    assert set(default_rules.FORMER_BODIES) <= set(keys)


@pytest.mark.django_db
def test_the_migration_syncs_with_the_historical_model():
    # given an empty table, and migration 0012 with the models as they were at that point
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    PushRule.objects.all().delete()
    state = MigrationLoader(connection).project_state(
        ("notifications", "0012_sync_default_push_rules")
    )
    migration = importlib.import_module("notifications.migrations.0012_sync_default_push_rules")
    # when it runs
    migration.sync_defaults(state.apps, None)
    # then every default is there
    assert [rule[:5] for rule in all_rules()] == [
        (rule.node, rule.target, rule.channel, rule.title, rule.body) for rule in DEFAULT_RULES
    ]


@pytest.mark.django_db
def test_the_sync_keeps_a_chinese_text_ops_edited_and_fills_an_empty_one():
    # given the defaults, one rule's Chinese reworded by ops, another's Chinese emptied
    push_rules_sync()
    edited = PushRule.objects.get(node="order.paid", target="shopper", channel="sms")
    edited.body_template_zh_hans = "订单 {order_no} 付款成功，感谢惠顾！{link}"
    edited.save()
    emptied = PushRule.objects.get(node="order.created", target="shopper", channel="inbox")
    emptied.title_template_zh_hans = emptied.body_template_zh_hans = ""
    emptied.save()
    # and a rule whose English ops rewrote before there was any Chinese
    english_only = PushRule.objects.get(node="order.cancelled", target="shopper", channel="inbox")
    english_only.body_template = "We cancelled {order_no} as you asked."
    english_only.title_template_zh_hans = english_only.body_template_zh_hans = ""
    english_only.save()
    # when the defaults are synced again
    synced = push_rules_sync()
    # then ops' Chinese stays, the emptied rule gets the default Chinese again, and the rule
    # with ops' English keeps its Chinese empty (both languages read ops' words)
    edited.refresh_from_db()
    emptied.refresh_from_db()
    english_only.refresh_from_db()
    assert edited.body_template_zh_hans == "订单 {order_no} 付款成功，感谢惠顾！{link}"
    assert edited.title_template_zh_hans == "订单 {order_no} 已付款"
    assert (emptied.title_template_zh_hans, emptied.body_template_zh_hans) == (
        "订单 {order_no} 已提交",
        "您的订单 {order_no} 已提交，请尽快付款，超时未付款订单将自动取消。",
    )
    assert (english_only.body_template, english_only.body_template_zh_hans) == (
        "We cancelled {order_no} as you asked.",
        "",
    )
    assert synced == seed.PushRulesSynced(created=0, reworded=0, switched_off=0, chinese_filled=1)


def test_every_default_has_chinese_with_the_same_placeholders():
    # then no default speaks English to a Chinese shopper, and each says the same facts
    from string import Formatter

    def placeholders(text):
        return {part[1] for part in Formatter().parse(text) if part[1]}

    for rule in DEFAULT_RULES:
        assert rule.title_zh_hans and rule.body_zh_hans, rule.key
        assert placeholders(rule.title_zh_hans) == placeholders(rule.title), rule.key
        assert placeholders(rule.body_zh_hans) == placeholders(rule.body), rule.key
