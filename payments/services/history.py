"""The event rows of payments: one PaymentEvent per change of a payment's or a refund's state,
written in the transaction of the change (the admin shows them as the row's history)."""

from catalog.actors import Actor

from ..models import Payment, PaymentEvent, Refund


def payment_event_record(
    *,
    payment: Payment,
    actor: Actor,
    what: str,
    from_state: str,
    refund: Refund | None = None,
    note: str = "",
) -> PaymentEvent | None:
    """The row for one transition of `payment` (or of `refund`, a refund of that payment), to
    the state it is in now. A transition that leaves the state as it was (another attempt while
    processing, the gateway still processing) is no change of state and writes no row."""
    subject = refund if refund is not None else payment
    if from_state == subject.status:
        return None
    return PaymentEvent.objects.create(
        payment=payment,
        refund=refund,
        actor=actor.user,
        actor_role=actor.role,
        what=what,
        from_state=from_state,
        to_state=subject.status,
        note=(note or "")[:255],
    )
