"""The carriers a fresh shop ships with: the sandbox (local runs, the demo) and the big Chinese
couriers with their real tracking-number formats (through the Kuaidi100 push).

Used by the data migration and callable again (idempotent) by seed_demo and tests, e.g. after a
test database was flushed.
"""

# code, name, pattern, example, max weight g, max volume cm3, adapter, aggregator code
DEFAULT_CARRIERS = [
    ("sandbox", "Sandbox Express", r"SBX\d{10}[RL]?", "SBX2026112501", 20_000, 100_000,
     "sandbox", ""),
    # 顺丰: "SF" followed by 12 to 15 digits (SF1234567890123).
    ("SF", "SF Express 顺丰速运", r"SF\d{12,15}", "SF1460123456789", 30_000, 150_000,
     "kuaidi100", "shunfeng"),
    # 中通: 12 or 14 digits starting 7, 5 or 6 (75123456789012).
    ("ZTO", "ZTO Express 中通快递", r"[567]\d{11}(\d{2})?", "75123456789012", 40_000, 200_000,
     "kuaidi100", "zhongtong"),
    # 圆通: "YT" and 13 digits (YT6012345678901).
    ("YTO", "YTO Express 圆通速递", r"YT\d{13}", "YT6012345678901", 40_000, 200_000,
     "kuaidi100", "yuantong"),
    # 京东: "JD" and 13 capital letters or digits, 15 characters in all (JDVA12345678901).
    ("JD", "JD Logistics 京东物流", r"JD[0-9A-Z]{13}", "JDVA12345678901", 30_000, 150_000,
     "kuaidi100", "jd"),
]  # fmt: skip


def ensure_default_carriers(carrier_model=None) -> None:
    """Create the default carriers that are missing; never overwrite ops' edits."""
    if carrier_model is None:
        from .models import Carrier as carrier_model
    for code, name, pattern, example, weight, volume, adapter, aggregator in DEFAULT_CARRIERS:
        carrier_model.objects.get_or_create(
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
