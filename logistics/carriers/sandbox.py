"""The sandbox carrier: behaves like a real courier's push API, on this machine.

A push is a JSON body signed with HMAC-SHA256 over the exact bytes, hex in the
`X-Sandbox-Signature` header:

    {"tracking_no": "SBX2026112501",
     "events": [{"id": "SBX2026112501-1", "status": "collected", "description": "...",
                 "location": "上海", "time": "2026-11-25T12:00:00+08:00"}]}

After a parcel is shipped, logistics.tasks.sandbox_push_next plays its script (collected, in
transit, out for delivery, signed for) one event at a time. A tracking number ending in "R"
plays a refusal (then the parcel goes back and the merchant signs for it: "returned") and one
ending in "L" a lost parcel; LOGISTICS_SANDBOX_OUTCOME ("refused"/"lost") does it for every
outbound parcel. A parcel intercepted on its way (拦截) switches to the "intercepted" script:
returning, then back with the sender. A shopper's return parcel is always signed for.
"""

import hashlib
import hmac
import json
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .base import Acknowledgement, CarrierAdapter, InvalidPush, ParsedEvent

SIGNATURE_HEADER = "X-Sandbox-Signature"
STATUSES = {
    "collected",
    "in_transit",
    "out_for_delivery",
    "signed",
    "refused",
    "lost",
    "exception",
    "returning",
    "returned",
}

# What the sandbox courier says at each step (status, description, location).
SCRIPTS = {
    "signed": [
        ("collected", "快件已揽收 Parcel collected by the courier", "warehouse"),
        ("in_transit", "快件已到达分拨中心 Arrived at the sorting centre", "hub"),
        ("out_for_delivery", "快递员正在派件 Out for delivery", "destination"),
        ("signed", "已签收，签收人：本人 Signed for by the recipient", "destination"),
    ],
    "refused": [
        ("collected", "快件已揽收 Parcel collected by the courier", "warehouse"),
        ("in_transit", "快件已到达分拨中心 Arrived at the sorting centre", "hub"),
        ("out_for_delivery", "快递员正在派件 Out for delivery", "destination"),
        ("refused", "收件人拒收，快件退回 Refused by the recipient, returning", "destination"),
        ("returned", "快件已退回，寄件人已签收 Back with the sender, signed for", "warehouse"),
    ],
    "lost": [
        ("collected", "快件已揽收 Parcel collected by the courier", "warehouse"),
        ("in_transit", "快件已到达分拨中心 Arrived at the sorting centre", "hub"),
        ("lost", "快件丢失，已登记理赔 Parcel lost, claim registered", "hub"),
    ],
    # Played from its first step once an intercept is asked for (tasks.sandbox_push_next).
    "intercepted": [
        ("returning", "快件已拦截，退回寄件人 Intercepted, returning to the sender", "hub"),
        ("returned", "快件已退回，寄件人已签收 Back with the sender, signed for", "warehouse"),
    ],
}
INTERCEPTED = "intercepted"


def sandbox_secret() -> bytes:
    secret = settings.LOGISTICS_SANDBOX_SECRET
    if not secret:
        # Derived, so a fresh checkout works without configuration and differs per deployment.
        secret = hmac.new(
            settings.SECRET_KEY.encode(), b"logistics-sandbox", hashlib.sha256
        ).hexdigest()
    return secret.encode()


def sign(body: bytes, secret: bytes | None = None) -> str:
    return hmac.new(secret or sandbox_secret(), body, hashlib.sha256).hexdigest()


def outcome_for(tracking_no: str) -> str:
    if tracking_no.endswith("R"):
        return "refused"
    if tracking_no.endswith("L"):
        return "lost"
    forced = settings.LOGISTICS_SANDBOX_OUTCOME
    return forced if forced in SCRIPTS else "signed"


def build_push(
    *,
    tracking_no: str,
    step: int,
    at: datetime,
    origin: str = "",
    destination: str = "",
    outcome: str | None = None,
) -> tuple[bytes, dict] | None:
    """The signed push of step `step` of the parcel's script (`outcome`, else the one its
    tracking number plays), or None past its end."""
    outcome = outcome or outcome_for(tracking_no)
    script = SCRIPTS[outcome]
    if step >= len(script):
        return None
    status, description, where = script[step]
    location = {"warehouse": origin, "destination": destination}.get(where, "") or "分拨中心"
    body = json.dumps(
        {
            "tracking_no": tracking_no,
            "events": [
                {
                    # Intercepted steps get their own ids: they replace the rest of the script.
                    "id": f"{tracking_no}-{'x' if outcome == INTERCEPTED else ''}{step + 1}",
                    "status": status,
                    "description": description,
                    "location": location,
                    "time": timezone.localtime(at).isoformat(),
                }
            ],
        },
        ensure_ascii=False,
    ).encode()
    return body, {SIGNATURE_HEADER: sign(body), "Content-Type": "application/json"}


def is_last_step(*, tracking_no: str, step: int, outcome: str | None = None) -> bool:
    return step >= len(SCRIPTS[outcome or outcome_for(tracking_no)]) - 1


def _header(headers, name: str) -> str:
    value = headers.get(name) or headers.get(f"HTTP_{name.upper().replace('-', '_')}")
    return value or ""


class SandboxAdapter(CarrierAdapter):
    key = "sandbox"

    def subscribe(self, *, tracking_no: str, carrier_code: str, aggregator_code: str = "") -> None:
        # The sandbox needs no subscription: logistics.tasks plays the script after shipping.
        return None

    def verify_and_parse(self, *, body: bytes, headers) -> list[ParsedEvent]:
        signature = _header(headers, SIGNATURE_HEADER)
        if not signature:
            raise InvalidPush("Missing signature.", forbidden=True)
        if not hmac.compare_digest(signature, sign(body)):
            raise InvalidPush("Bad signature.", forbidden=True)
        try:
            payload = json.loads(body)
            tracking_no = str(payload["tracking_no"])
            events = []
            for item in payload["events"]:
                status = str(item["status"])
                if status not in STATUSES:
                    raise ValueError(f"unknown status {status}")
                occurred_at = parse_datetime(str(item["time"]))
                if occurred_at is None:
                    raise ValueError("bad time")
                if timezone.is_naive(occurred_at):
                    occurred_at = timezone.make_aware(occurred_at)
                events.append(
                    ParsedEvent(
                        tracking_no=tracking_no,
                        dedupe_key=str(item["id"])[:64],
                        status=status,
                        carrier_status=status,
                        description=str(item.get("description", ""))[:500],
                        location=str(item.get("location", ""))[:128],
                        occurred_at=occurred_at,
                    )
                )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidPush(f"Malformed push: {exc}") from None
        return events

    def query(self, *, tracking_no: str, aggregator_code: str = "") -> list[ParsedEvent]:
        # The sandbox's truth is what it already pushed: logistics keeps it all.
        return []

    def acknowledge(self, *, ok: bool, detail: str = "", status: int = 200) -> Acknowledgement:
        body = {"ok": ok} if ok else {"ok": False, "detail": detail}
        return Acknowledgement(status=status, content=json.dumps(body).encode())
