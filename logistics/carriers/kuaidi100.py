"""Kuaidi100 (快递100) subscription push, as its documentation describes it.

Subscribe: POST https://poll.kuaidi100.com/poll, form fields `schema=json` and `param` =
{"company": "shunfeng", "number": "SF...", "key": <account key>,
 "parameters": {"callbackurl": ".../api/logistics/webhook/kuaidi100/", "salt": <salt>,
                "resultv2": "1"}}.

Push (to callbackurl): form fields `param` (JSON) and `sign` = upper(MD5(param + salt)):
{"status": "polling", "billstatus": "got", "message": "",
 "lastResult": {"message": "ok", "state": "0", "status": "200", "ischeck": "0",
                "com": "shunfeng", "nu": "SF...",
                "data": [{"context": "...", "time": "2026-11-25 12:00:00",
                          "ftime": "2026-11-25 12:00:00", "status": "在途",
                          "statusCode": "1002", "areaName": "上海市"}]}}
data is newest first. The answer Kuaidi100 expects: {"result": true, "returnCode": "200",
"message": "成功"}; anything else makes it push again later.

Query: POST https://poll.kuaidi100.com/poll/query.do, `customer`, `param` and
`sign` = upper(MD5(param + key + customer)).
"""

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from .base import Acknowledgement, CarrierAdapter, InvalidPush, ParsedEvent

SUBSCRIBE_URL = "https://poll.kuaidi100.com/poll"
QUERY_URL = "https://poll.kuaidi100.com/poll/query.do"
CHINA = ZoneInfo("Asia/Shanghai")

# Main state codes (lastResult.state; the first digits of a v2 statusCode).
STATE_CODES = {
    "0": "in_transit",  # 在途
    "1": "collected",  # 揽收
    "2": "exception",  # 疑难
    "3": "signed",  # 签收
    "4": "returned",  # 退签: back with the sender and signed for (refused, undeliverable)
    "5": "out_for_delivery",  # 派件
    "6": "returning",  # 退回
    "7": "in_transit",  # 转投
    "8": "in_transit",  # 清关
    "14": "refused",  # 拒签
}
# Sub-states that mean more than their main state.
SUB_STATE_CODES = {"203": "refused"}  # 疑难: 收件人拒收
STATE_WORDS = {
    "在途": "in_transit",
    "揽收": "collected",
    "疑难": "exception",
    "签收": "signed",
    "退签": "returned",
    "派件": "out_for_delivery",
    "退回": "returning",
    "转投": "in_transit",
    "清关": "in_transit",
    "拒签": "refused",
}


def kuaidi100_salt() -> str:
    return settings.KUAIDI100_SALT


def sign_param(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode()).hexdigest().upper()


def status_from_code(code: str) -> str | None:
    code = (code or "").strip()
    if not code:
        return None
    if code in SUB_STATE_CODES:
        return SUB_STATE_CODES[code]
    if code in STATE_CODES:
        return STATE_CODES[code]
    if len(code) == 4 and code.startswith("10"):  # 1001..1003: in transit sub-states
        return "in_transit"
    if len(code) == 3 and code[0] in STATE_CODES:  # 101, 301, 501, 601...
        return STATE_CODES[code[0]]
    return None


def _form(body: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise InvalidPush("Push is not UTF-8.") from None
    return {key: values[0] for key, values in fields.items() if values}


def _event_time(item: dict) -> datetime:
    text = item.get("ftime") or item.get("time") or ""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)


class Kuaidi100Adapter(CarrierAdapter):
    key = "kuaidi100"

    def subscribe(self, *, tracking_no: str, carrier_code: str, aggregator_code: str = "") -> None:
        import httpx

        account_key = settings.KUAIDI100_KEY
        if not account_key:
            raise RuntimeError("KUAIDI100_KEY is not configured.")
        param = {
            "company": aggregator_code,
            "number": tracking_no,
            "key": account_key,
            "parameters": {
                "callbackurl": settings.SITE_URL.rstrip("/")
                + reverse("api-logistics-webhook", kwargs={"carrier": self.key}),
                "salt": kuaidi100_salt(),
                "resultv2": "1",
            },
        }
        response = httpx.post(
            SUBSCRIBE_URL,
            data={"schema": "json", "param": json.dumps(param, ensure_ascii=False)},
            timeout=10,
        )
        response.raise_for_status()
        answer = response.json()
        # 501: already subscribed, which is what we wanted.
        if not answer.get("result") and str(answer.get("returnCode")) != "501":
            raise RuntimeError(f"Kuaidi100 refused the subscription: {answer}")

    def verify_and_parse(self, *, body: bytes, headers) -> list[ParsedEvent]:
        salt = kuaidi100_salt()
        if not salt:
            # Unsalted, the "signature" is a plain MD5 of the body that anyone can compute.
            raise InvalidPush("Kuaidi100 pushes are not accepted: no salt is set.", forbidden=True)
        form = _form(body)
        param, signature = form.get("param"), form.get("sign", "")
        if not param:
            raise InvalidPush("Missing param.")
        if not signature or not hmac.compare_digest(signature.upper(), sign_param(param, salt)):
            raise InvalidPush("Bad sign.", forbidden=True)
        try:
            payload = json.loads(param)
            return self.parse_result(payload["lastResult"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidPush(f"Malformed push: {exc}") from None

    def parse_result(self, result: dict) -> list[ParsedEvent]:
        """lastResult (or a query answer) -> events, oldest first."""
        tracking_no = str(result["nu"])
        company = str(result.get("com", ""))
        items = list(result.get("data") or [])
        state = str(result.get("state", ""))
        events = []
        for index, item in enumerate(items):
            code = str(item.get("statusCode") or "")
            status = status_from_code(code) or STATE_WORDS.get(str(item.get("status", "")))
            if status is None and index == 0:
                status = status_from_code(state)  # the newest event carries the parcel's state
            occurred_at = _event_time(item)
            context = str(item.get("context", ""))
            key = hashlib.sha256(f"{tracking_no}|{occurred_at.isoformat()}|{context}".encode())
            events.append(
                ParsedEvent(
                    tracking_no=tracking_no,
                    dedupe_key=key.hexdigest()[:64],
                    status=status or "in_transit",
                    carrier_status=code or str(item.get("status", "")) or state,
                    description=context[:500],
                    location=str(item.get("areaName") or item.get("location") or "")[:128],
                    occurred_at=occurred_at,
                    aggregator_code=company,
                )
            )
        events.reverse()
        return events

    def query(self, *, tracking_no: str, aggregator_code: str = "") -> list[ParsedEvent]:
        import httpx

        customer = settings.KUAIDI100_CUSTOMER
        account_key = settings.KUAIDI100_KEY
        if not (customer and account_key):
            raise RuntimeError("KUAIDI100_CUSTOMER and KUAIDI100_KEY are not configured.")
        param = json.dumps({"com": aggregator_code, "num": tracking_no, "resultv2": "1"})
        sign = hashlib.md5((param + account_key + customer).encode()).hexdigest().upper()
        response = httpx.post(
            QUERY_URL, data={"customer": customer, "param": param, "sign": sign}, timeout=10
        )
        response.raise_for_status()
        return self.parse_result(response.json())

    def acknowledge(self, *, ok: bool, detail: str = "", status: int = 200) -> Acknowledgement:
        body = (
            {"result": True, "returnCode": "200", "message": "成功"}
            if ok
            else {
                "result": False,
                "returnCode": str(status if status >= 400 else 500),
                "message": detail or "失败",
            }
        )
        return Acknowledgement(status=status, content=json.dumps(body, ensure_ascii=False).encode())
