"""A WeChat Pay refund answered "PROCESSING" is not money returned: it stays processing and is
queried until WeChat Pay says SUCCESS, or ends as failed for operations (ABNORMAL, CLOSED).
WeChat Pay's HTTP answers come from the local stand-in the gateway tests use."""

import json
from decimal import Decimal

import pytest
import wechatpayv3.core
from django.utils import timezone

from catalog.actors import SYSTEM
from payments import selectors as payment_selectors
from payments import services
from payments.gateways.crypto import public_key_pem
from payments.models import Refund
from shop import events as nodes
from tests.orders.factories import capture_domain_events
from tests.payments.factories import fresh
from tests.payments.test_gateways import (
    APIV3_KEY,
    APP_KEY,
    GATEWAY_KEY,
    PUB_KEY_ID,
    _wechat_answers,
)

pytestmark = pytest.mark.django_db


class WeChatStandIn:
    """WeChat Pay's refund endpoints: POST applies, GET queries; answers in turn."""

    def __init__(self, monkeypatch, *, applied: str, queried: list[str]):
        self.calls: list[str] = []
        self.queried = list(queried)
        self.applied = applied
        monkeypatch.setattr(wechatpayv3.core.requests, "post", self._answer("POST"))
        monkeypatch.setattr(wechatpayv3.core.requests, "get", self._answer("GET"))

    def _answer(self, verb):
        def call(url, **kwargs):
            self.calls.append(f"{verb} {url.split('/v3/')[1]}")
            state = self.applied if verb == "POST" else self.queried.pop(0)
            text = json.dumps(
                {"refund_id": "50300000001", "status": state, "amount": {"refund": 3000}}
            )
            return _wechat_answers(text, GATEWAY_KEY, {})(url, headers={"Authorization": ""})

        return call


@pytest.fixture
def live_wechat_refund(settings, sandbox_paid_order):
    """A refund of 30.00 on a paid WeChat payment, with WeChat Pay live (not the sandbox)."""
    _, payment = sandbox_paid_order(price="100.00", method="wechat")
    settings.PAYMENT_GATEWAYS = {
        "wechat": {
            "mchid": "1230000109",
            "appid": "wxd678efh567hg6787",
            "merchant_private_key": APP_KEY,
            "merchant_serial_no": "MERCHANTSERIAL",
            "platform_public_key": public_key_pem(GATEWAY_KEY),
            "platform_serial_no": PUB_KEY_ID,
            "apiv3_key": APIV3_KEY,
            "mode": "live",
        }
    }
    return services.payment_refund(
        payment=payment, amount=Decimal("30.00"), reason="Damaged", actor=SYSTEM
    )


def _run_when_due(refund: Refund) -> Refund:
    """What the sweep does: the next attempt, once it is due."""
    refund = fresh(refund)
    assert refund.next_attempt_at > timezone.now()
    assert refund.pk not in payment_selectors.refund_due_ids()
    Refund.objects.filter(pk=refund.pk).update(next_attempt_at=timezone.now())
    assert refund.pk in payment_selectors.refund_due_ids()
    return services.refund_execute(refund_id=refund.pk, actor=SYSTEM)


def test_a_processing_refund_stays_processing_and_is_queried_until_success(
    monkeypatch, live_wechat_refund
):
    # given: WeChat Pay accepts the refund and takes two queries to pay it out
    wechat = WeChatStandIn(monkeypatch, applied="PROCESSING", queried=["PROCESSING", "SUCCESS"])
    # when: the first attempt
    refund = services.refund_execute(refund_id=live_wechat_refund.pk, actor=SYSTEM)
    # then: processing, not succeeded
    assert refund.status == Refund.Status.PROCESSING
    assert refund.gateway_refund_id == "50300000001" and refund.succeeded_at is None
    # when: queried again (still processing), then again (paid out)
    assert _run_when_due(refund).status == Refund.Status.PROCESSING
    with capture_domain_events() as recorded:
        refund = _run_when_due(refund)
    # then: succeeded once; applied once, queried after that (never sent again)
    assert refund.status == Refund.Status.SUCCEEDED and refund.succeeded_at is not None
    assert [e.node for e in recorded.events] == [nodes.REFUND_SUCCEEDED]
    assert wechat.calls == [
        "POST refund/domestic/refunds",
        f"GET refund/domestic/refunds/{refund.refund_no}",
        f"GET refund/domestic/refunds/{refund.refund_no}",
    ]


@pytest.mark.parametrize("state", ["ABNORMAL", "CLOSED"])
def test_an_abnormal_or_closed_refund_fails_for_operations(monkeypatch, live_wechat_refund, state):
    # given
    WeChatStandIn(monkeypatch, applied="PROCESSING", queried=[state])
    refund = services.refund_execute(refund_id=live_wechat_refund.pk, actor=SYSTEM)
    # when
    with capture_domain_events() as recorded:
        refund = _run_when_due(refund)
    # then: failed at once (no retries can help), with WeChat Pay's word for it
    assert refund.status == Refund.Status.FAILED
    assert state in refund.last_error
    assert [e.node for e in recorded.events] == [nodes.REFUND_FAILED]
