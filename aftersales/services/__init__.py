"""The only code that changes after-sales cases (see base.py for the lock order).

- cases: opening a case, the merchant's and shopper's answers, the thread, operations' decision
- flow: what an approved case does (refund, return, intercept, replacement)
- system: cases opened by parcel events, shortages and cancelled orders; return-side actions;
  the timers
- evidence: uploads
"""

from .cases import (
    case_appeal,
    case_approve,
    case_cancel,
    case_close,
    case_create,
    case_decide,
    case_message_post,
    case_offer_accept,
    case_offer_decline,
    case_offer_make,
    case_reject,
    case_request_evidence,
    case_return_ship,
)
from .evidence import evidence_upload, evidence_uploaded
from .system import (
    case_open_out_of_stock,
    case_receive_return,
    case_reship,
    case_settle_if_refunded,
    case_timeout_appeal,
    case_timeout_evidence,
    case_timeout_receive,
    case_timeout_respond,
    case_timeout_return_ship,
    order_cancel_paid,
    parcel_intercept_failed,
    parcel_lost,
    parcel_refused,
    parcel_returned,
    refund_settled,
    return_parcel_signed,
)

__all__ = [
    "case_appeal",
    "case_approve",
    "case_cancel",
    "case_close",
    "case_create",
    "case_decide",
    "case_message_post",
    "case_offer_accept",
    "case_offer_decline",
    "case_offer_make",
    "case_open_out_of_stock",
    "case_receive_return",
    "case_reject",
    "case_request_evidence",
    "case_reship",
    "case_return_ship",
    "case_settle_if_refunded",
    "case_timeout_appeal",
    "case_timeout_evidence",
    "case_timeout_receive",
    "case_timeout_respond",
    "case_timeout_return_ship",
    "evidence_upload",
    "evidence_uploaded",
    "order_cancel_paid",
    "parcel_intercept_failed",
    "parcel_lost",
    "parcel_refused",
    "parcel_returned",
    "refund_settled",
    "return_parcel_signed",
]
