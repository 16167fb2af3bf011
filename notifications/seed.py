"""The default push rules, as the migrations seed and adjust them, callable again (idempotent)
after a test database was flushed. Rules ops edited keep their text and switch."""

import importlib

# Each migration that seeds or changes default rules, in order, with its forward function.
DEFAULT_RULE_STEPS = [
    ("notifications.migrations.0002_default_push_rules", "seed_rules"),
    ("notifications.migrations.0004_out_of_stock_wording", "reword"),
    ("notifications.migrations.0005_one_paid_message_and_truthful_wording", "apply_defaults"),
    ("notifications.migrations.0007_link_in_sms_push_wechat", "add_link"),
    ("notifications.migrations.0008_one_failed_payment_message", "switch_off_the_second_copy"),
    ("notifications.migrations.0009_aftersales_pushes", "apply_defaults"),
    ("notifications.migrations.0010_pay_again_and_one_parcel_message", "apply_defaults"),
]


def ensure_default_push_rules() -> None:
    from django.apps import apps

    for module_name, function_name in DEFAULT_RULE_STEPS:
        getattr(importlib.import_module(module_name), function_name)(apps, None)
