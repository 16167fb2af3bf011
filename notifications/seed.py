"""Writes the default push rules (notifications.default_rules) into the database: by the
migration that follows the old seeding migrations, by `manage.py sync_push_rules` (and so by
`seed_demo`), and by tests after a test database was flushed. Idempotent.

What counts as ops' edit is what the seeding migrations held to: a rule whose body is not one
the defaults gave it (now or before) keeps its text and its switch. A rule still as seeded gets
the present wording, and is switched off when its default is off. The sync never switches a
rule on: a default that is on is ops' to switch off, and that choice stays.
"""

from dataclasses import dataclass

from django.db import transaction

from notifications.default_rules import DEFAULT_RULES, FORMER_BODIES


@dataclass(frozen=True)
class PushRulesSynced:
    created: int
    reworded: int
    switched_off: int


@transaction.atomic
def push_rules_sync(*, push_rule_model=None) -> PushRulesSynced:
    """Create the default rules that are missing, reword those still as seeded in an older
    wording, switch off those as seeded whose default is off. `push_rule_model` is the
    migration's historical model."""
    if push_rule_model is None:
        from notifications.models import PushRule as push_rule_model
    existing = {
        (rule.node, rule.target, rule.channel): rule
        for rule in push_rule_model.objects.filter(node__in={d.node for d in DEFAULT_RULES})
    }
    missing, reworded, switched_off = [], 0, 0
    for default in DEFAULT_RULES:
        rule = existing.get(default.key)
        if rule is None:
            missing.append(
                push_rule_model(
                    node=default.node,
                    target=default.target,
                    channel=default.channel,
                    title_template=default.title,
                    body_template=default.body,
                    is_active=default.enabled,
                )
            )
            continue
        changed = []
        if rule.body_template in FORMER_BODIES.get(default.key, ()):
            rule.body_template = default.body
            changed.append("body_template")
            reworded += 1
        as_seeded = (rule.title_template, rule.body_template) == (default.title, default.body)
        if as_seeded and rule.is_active and not default.enabled:
            rule.is_active = False
            changed.append("is_active")
            switched_off += 1
        if changed:
            rule.save(update_fields=[*changed, "updated_at"])
    # In the table's order, so that rules are numbered as the table lists them.
    push_rule_model.objects.bulk_create(missing)
    from notifications.selectors import push_rules_forget

    push_rules_forget()  # bulk_create sends no post_save
    return PushRulesSynced(created=len(missing), reworded=reworded, switched_off=switched_off)
