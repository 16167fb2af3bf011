"""The after-sales reasons of a Taobao / JD shop, as data ops can edit in the admin.

Inactive rows are the reasons the system gives to the cases it opens itself (a refused or lost
parcel, a shortage at picking, a paid order cancelled before shipping): shoppers do not pick them.
Used by the data migration and callable again (idempotent, never overwriting ops' edits) by
seed_demo and tests, e.g. after a test database was flushed.
"""

NOT_SHIPPED, IN_TRANSIT, RECEIVED = "not_shipped", "in_transit", "received"
REFUND, RETURN, EXCHANGE = "refund_only", "return_refund", "exchange"

REASONS = [
    # code, label, stages, types, responsibility, evidence required, no-reason, active
    ("no-reason-7d", "7天无理由退换货 · No reason (7 days)", [RECEIVED], [RETURN, EXCHANGE],
     "buyer", False, True, True),
    ("wrong-size", "尺码/规格不合适 · Wrong size or variant", [RECEIVED], [EXCHANGE, RETURN],
     "buyer", False, True, True),
    ("dont-want", "不想要了/拍错了 · Changed my mind, ordered by mistake",
     [NOT_SHIPPED, IN_TRANSIT], [REFUND], "buyer", False, False, True),
    ("quality", "质量问题 · Quality problem", [RECEIVED], [REFUND, RETURN, EXCHANGE],
     "merchant", True, False, True),
    ("wrong-item", "发错货 · Wrong item sent", [RECEIVED], [RETURN, EXCHANGE, REFUND],
     "merchant", True, False, True),
    ("missing-items", "少件/漏发 · Items missing from the parcel", [RECEIVED], [REFUND],
     "merchant", True, False, True),
    ("not-as-described", "与描述不符 · Not as described", [RECEIVED], [RETURN, EXCHANGE, REFUND],
     "merchant", True, False, True),
    ("damaged", "商品破损 · Arrived damaged", [RECEIVED], [REFUND, RETURN, EXCHANGE],
     "merchant", True, False, True),
    ("not-delivered", "物流一直未送到 · Parcel never arrived", [IN_TRANSIT], [REFUND],
     "carrier", False, False, True),
    ("damaged-refused", "包裹破损已拒签 · Parcel damaged, refused at the door", [IN_TRANSIT],
     [REFUND], "carrier", False, False, True),
    ("late-shipping", "未按约定时间发货 · Not shipped on time", [NOT_SHIPPED], [REFUND],
     "merchant", False, False, True),
    ("other", "其他 · Other", [NOT_SHIPPED, IN_TRANSIT, RECEIVED], [REFUND, RETURN, EXCHANGE],
     "buyer", False, False, True),
    # Given by the system to the cases it opens.
    ("order-cancelled", "订单取消 · Order cancelled before shipping", [NOT_SHIPPED], [REFUND],
     "buyer", False, False, False),
    ("parcel-refused", "拒收退款 · Parcel refused at delivery", [IN_TRANSIT], ["refusal"],
     "buyer", False, False, False),
    ("parcel-lost", "包裹丢失 · Parcel lost by the carrier", [IN_TRANSIT, RECEIVED], ["lost"],
     "carrier", False, False, False),
    ("out-of-stock", "缺货退款 · Out of stock", [NOT_SHIPPED], ["out_of_stock"],
     "merchant", False, False, False),
]  # fmt: skip


def ensure_reasons(reason_model=None) -> None:
    """Create the seeded reasons that are missing."""
    if reason_model is None:
        from .models import CaseReason as reason_model
    for position, row in enumerate(REASONS):
        code, label, stages, types, responsibility, evidence, no_reason, active = row
        reason_model.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "stages": stages,
                "types": types,
                "responsibility": responsibility,
                "evidence_required": evidence,
                "is_no_reason": no_reason,
                "is_active": active,
                "position": position * 10,
            },
        )
