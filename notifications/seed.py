"""Writes the default push rules (notifications.default_rules) into the database: by the
migration that follows the old seeding migrations, by `manage.py sync_push_rules` (and so by
`seed_demo`), and by tests after a test database was flushed. Idempotent.

What counts as ops' edit is what the seeding migrations held to: a rule whose body is not one
the defaults gave it (now or before) keeps its text and its switch. A rule still as seeded gets
the present wording, and is switched off when its default is off. The sync never switches a
rule on: a default that is on is ops' to switch off, and that choice stays.

The Chinese text (title_template_zh_hans, body_template_zh_hans) is filled where it is empty
on a rule whose English is as seeded; a Chinese text that is there is never replaced (ops wrote
or edited it). A rule whose English ops edited keeps its Chinese empty: both languages then read
ops' words (the renderer falls back to the English), not a default ops did not choose.
"""

from dataclasses import dataclass

from django.db import transaction

from notifications.default_rules import DEFAULT_RULES, FORMER_BODIES


@dataclass(frozen=True)
class PushRulesSynced:
    created: int
    reworded: int
    switched_off: int
    chinese_filled: int = 0


def _has_chinese_fields(push_rule_model) -> bool:
    """The migrations before 0013 run this with a historical model that has no Chinese text."""
    names = {field.name for field in push_rule_model._meta.get_fields()}
    return {"title_template_zh_hans", "body_template_zh_hans"} <= names


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
    chinese = _has_chinese_fields(push_rule_model)
    missing, reworded, switched_off, chinese_filled = [], 0, 0, 0
    for default in DEFAULT_RULES:
        rule = existing.get(default.key)
        if rule is None:
            texts = {"title_template": default.title, "body_template": default.body}
            if chinese:
                texts["title_template_zh_hans"] = default.title_zh_hans
                texts["body_template_zh_hans"] = default.body_zh_hans
            missing.append(
                push_rule_model(
                    node=default.node,
                    target=default.target,
                    channel=default.channel,
                    is_active=default.enabled,
                    **texts,
                )
            )
            continue
        changed = []
        if rule.body_template in FORMER_BODIES.get(default.key, ()):
            rule.body_template = default.body
            changed.append("body_template")
            reworded += 1
        as_seeded = (rule.title_template, rule.body_template) == (default.title, default.body)
        if chinese and as_seeded:
            filled = False
            if not rule.title_template_zh_hans and default.title_zh_hans:
                rule.title_template_zh_hans = default.title_zh_hans
                changed.append("title_template_zh_hans")
                filled = True
            if not rule.body_template_zh_hans and default.body_zh_hans:
                rule.body_template_zh_hans = default.body_zh_hans
                changed.append("body_template_zh_hans")
                filled = True
            chinese_filled += filled
        if chinese:
            # A Chinese text ops wrote is an edit too: the rule keeps its switch.
            as_seeded = as_seeded and (
                rule.title_template_zh_hans,
                rule.body_template_zh_hans,
            ) in {("", ""), (default.title_zh_hans, default.body_zh_hans)}
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
    return PushRulesSynced(
        created=len(missing),
        reworded=reworded,
        switched_off=switched_off,
        chinese_filled=chinese_filled,
    )
