"""The only code that changes after-sales cases (locks: aftersales.lock_objects). Every service
that writes takes `actor: Actor` (catalog.actors); the case role is derived from it (base.role_of).

- opening: a shopper's request, and the one way every case opens
- case_lines: what a case's lines are worth (amounts, repricing)
- negotiation: the merchant's answer (approve, reject, offer) and the shopper's to an offer
- shopper: withdraw, send the goods back, appeal
- thread: the case's messages
- decisions: operations ask for evidence, settle appeals, close cases
- flow: what an approved case does (refund, return, intercept, replacement)
- system: cases opened by parcel events, shortages and cancelled orders; return-side actions;
  the timers
- evidence: uploads
"""

from .decisions import case_close, case_decide, case_request_evidence
from .evidence import evidence_upload, evidence_uploaded
from .negotiation import (
    case_approve,
    case_offer_accept,
    case_offer_decline,
    case_offer_make,
    case_reject,
)
from .opening import case_create
from .shopper import case_appeal, case_cancel, case_return_ship
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
from .thread import case_message_post

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
