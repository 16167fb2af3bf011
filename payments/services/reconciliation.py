"""The daily reconciliation: one day's payments and refunds compared with the gateways' own
records; every difference is a ReconciliationMismatch that operations see in the admin."""

import logging
from datetime import date

from catalog.actors import Actor

from ..configured_gateways import GATEWAY_NAMES, get_gateway
from ..gateways.base import GatewayError
from ..models import Payment, ReconciliationMismatch, ReconciliationRun, Refund

logger = logging.getLogger(__name__)


def reconcile_payments(*, day: date, actor: Actor) -> ReconciliationRun:
    """Compare one day's payments and refunds with the gateways' records; every difference
    becomes a ReconciliationMismatch (listed in the admin). `actor`: SYSTEM for the nightly run,
    operations for a day re-run from the admin. Reads the gateways, so it holds no row lock and
    no transaction across their answers; the run's rows are written as it goes."""
    logger.info("reconciling %s for %s", day, actor.role)
    run = ReconciliationRun.objects.create(day=day)
    mismatches: list[ReconciliationMismatch] = []

    def mismatch(kind, subject, reference, **values):
        mismatches.append(
            ReconciliationMismatch(
                run=run, kind=kind, subject=subject, reference=reference, **values
            )
        )

    online = list(GATEWAY_NAMES)
    # One client per gateway for the whole run: building one reads and parses its keys (the
    # sandbox's from disk), which is not work to repeat for every payment and refund.
    gateways = {name: get_gateway(name) for name in online}
    # By the day the money moved (paid_at), as the gateways list their trades: a payment opened
    # at 23:58 and paid at 00:02 belongs to the second day on both sides.
    payments = list(
        Payment.objects.filter(method__in=online, paid_at__date=day).select_related("order")
    )
    known = {p.payment_no for p in payments}
    for payment in payments:
        try:
            remote = gateways[payment.method].query(payment)
        except GatewayError as exc:
            logger.warning("reconcile: cannot query %s: %s", payment.payment_no, exc)
            continue
        ours_paid = payment.status == Payment.Status.SUCCEEDED
        theirs_paid = remote.status == "success"
        values = {
            "our_amount": payment.amount,
            "gateway_amount": remote.amount,
            "our_status": payment.status,
            "gateway_status": remote.status,
        }
        if ours_paid and not theirs_paid:
            mismatch(
                ReconciliationMismatch.Kind.MISSING_AT_GATEWAY,
                "payment",
                payment.payment_no,
                **values,
            )
        elif theirs_paid and not ours_paid:
            mismatch(
                ReconciliationMismatch.Kind.MISSING_LOCALLY, "payment", payment.payment_no, **values
            )
        elif ours_paid and remote.amount is not None and remote.amount != payment.amount:
            mismatch(ReconciliationMismatch.Kind.AMOUNT, "payment", payment.payment_no, **values)
    for name, gateway in gateways.items():
        listed = gateway.trades_for_day(day)
        unmatched = [t for t in listed or [] if t.payment_no not in known and t.status == "success"]
        # Paid at the gateway just before midnight and recorded by us just after (or the other
        # way round): ours under another day, checked there, not missing.
        paid_elsewhere = dict(
            Payment.objects.filter(
                method=name,
                payment_no__in=[t.payment_no for t in unmatched],
                status=Payment.Status.SUCCEEDED,
            ).values_list("payment_no", "amount")
        )
        for trade in unmatched:
            ours = paid_elsewhere.get(trade.payment_no)
            if ours is None:
                mismatch(
                    ReconciliationMismatch.Kind.MISSING_LOCALLY,
                    "payment",
                    trade.payment_no,
                    gateway_amount=trade.amount,
                    gateway_status=trade.status,
                )
            elif trade.amount is not None and trade.amount != ours:
                mismatch(
                    ReconciliationMismatch.Kind.AMOUNT,
                    "payment",
                    trade.payment_no,
                    our_amount=ours,
                    gateway_amount=trade.amount,
                    our_status=Payment.Status.SUCCEEDED,
                    gateway_status=trade.status,
                )
    refunds = list(
        Refund.objects.filter(payment__method__in=online, created_at__date=day).select_related(
            "payment", "payment__order"
        )
    )
    for refund in refunds:
        try:
            remote = gateways[refund.payment.method].query_refund(refund)
        except GatewayError as exc:
            logger.warning("reconcile: cannot query refund %s: %s", refund.refund_no, exc)
            continue
        values = {
            "our_amount": refund.amount,
            "gateway_amount": remote.amount,
            "our_status": refund.status,
            "gateway_status": "success" if remote.ok else "not_found",
        }
        ours_done = refund.status == Refund.Status.SUCCEEDED
        if ours_done and not remote.ok:
            mismatch(
                ReconciliationMismatch.Kind.MISSING_AT_GATEWAY, "refund", refund.refund_no, **values
            )
        elif remote.ok and not ours_done:
            mismatch(ReconciliationMismatch.Kind.STATUS, "refund", refund.refund_no, **values)
        elif ours_done and remote.amount is not None and remote.amount != refund.amount:
            mismatch(ReconciliationMismatch.Kind.AMOUNT, "refund", refund.refund_no, **values)
    ReconciliationMismatch.objects.bulk_create(mismatches)
    run.payments_checked = len(payments)
    run.refunds_checked = len(refunds)
    run.mismatch_count = len(mismatches)
    run.save(update_fields=["payments_checked", "refunds_checked", "mismatch_count"])
    return run
