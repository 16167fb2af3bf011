"""The carriers a fresh shop can ship with: the sandbox (local runs, the demo) and the big
Chinese couriers with their real tracking-number formats (through the Kuaidi100 push)."""

from django.db import migrations

CARRIERS = [
    # code, name, pattern, example, max weight g, max volume cm3, adapter, aggregator code
    (
        "sandbox",
        "Sandbox Express",
        r"SBX\d{10}[RL]?",
        "SBX2026112501",
        20_000,
        100_000,
        "sandbox",
        "",
    ),
    # 顺丰: "SF" followed by 12 to 15 digits (SF1234567890123).
    (
        "SF",
        "SF Express 顺丰速运",
        r"SF\d{12,15}",
        "SF1460123456789",
        30_000,
        150_000,
        "kuaidi100",
        "shunfeng",
    ),
    # 中通: 12 or 14 digits starting 7, 5 or 6 (75123456789012).
    (
        "ZTO",
        "ZTO Express 中通快递",
        r"[567]\d{11}(\d{2})?",
        "75123456789012",
        40_000,
        200_000,
        "kuaidi100",
        "zhongtong",
    ),
    # 圆通: "YT" and 13 digits (YT6012345678901).
    (
        "YTO",
        "YTO Express 圆通速递",
        r"YT\d{13}",
        "YT6012345678901",
        40_000,
        200_000,
        "kuaidi100",
        "yuantong",
    ),
    # 京东: "JD" followed by 2-4 capital letters/digits prefix and digits, 15 characters in all
    # (JDVA12345678901, JDX012345678901).
    (
        "JD",
        "JD Logistics 京东物流",
        r"JD[0-9A-Z]{13}",
        "JDVA12345678901",
        30_000,
        150_000,
        "kuaidi100",
        "jd",
    ),
]


def seed(apps, schema_editor):
    Carrier = apps.get_model("logistics", "Carrier")
    for code, name, pattern, example, weight, volume, adapter, aggregator in CARRIERS:
        Carrier.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "tracking_pattern": pattern,
                "tracking_example": example,
                "max_weight_grams": weight,
                "max_volume_cm3": volume,
                "adapter": adapter,
                "aggregator_code": aggregator,
                "active": True,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("logistics", "Carrier").objects.filter(
        code__in=[row[0] for row in CARRIERS], shipments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("logistics", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
