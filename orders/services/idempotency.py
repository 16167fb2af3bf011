"""Idempotent order creation: an Idempotency-Key with the same request returns the order it
made; with another request it is refused (422). Keys are kept with their orders."""

import hashlib
import json

from shop.errors import DomainError

from ..models import Order

IDEMPOTENCY_CONSTRAINT = "order_idempotency_key_per_user"


class IdempotencyKeyReused(DomainError):
    status_code = 422
    default_code = "idempotency_key_reused"


def order_request_fingerprint(**request) -> str:
    """What an order request asked for, as a digest: a retry sends the same; another order
    under a reused key does not. `expected_payable` is a guard, not part of what is ordered:
    a replay returns its order unchecked (order_create)."""
    canonical = json.dumps(request, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def order_for_key(*, user, idempotency_key: str) -> Order | None:
    """The order `user` made under `idempotency_key`, if any."""
    if not idempotency_key:
        return None
    return Order.objects.filter(user=user, idempotency_key=idempotency_key).first()


def order_replay(existing: Order, fingerprint: str) -> Order:
    """The order a replayed key made, if the request is the same one (IdempotencyKeyReused
    otherwise)."""
    # Orders made before fingerprints were kept have none: their replays are answered as before.
    if existing.idempotency_fingerprint and existing.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for another order request: send a new key "
            "for a new order, or the same request to get the order it made.",
            extra={"order_no": existing.order_no},
        )
    return existing
