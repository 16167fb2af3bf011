import pytest

from catalog.actors import actor_for


@pytest.fixture(autouse=True)
def _sandbox_keys_in_tmp(settings, tmp_path_factory):
    """The sandbox keeps its keys outside the repository; tests share one generated set."""
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path_factory.getbasetemp() / "payments-sandbox")


@pytest.fixture
def sandbox_paid_order(django_capture_on_commit_callbacks):
    """Make an order and pay it the way a shopper does: start the payment, press Pay on the
    sandbox cashier, let the gateway's signed notification arrive."""
    from payments import services
    from tests.payments.factories import fresh, pay_on_cashier, pending_order

    def make(*, price="100.00", quantity=1, method="alipay", user=None):
        order = pending_order(price=price, quantity=quantity, user=user)
        payment = services.payment_start(
            order_no=order.order_no, actor=actor_for(order.user), method=method
        )
        with django_capture_on_commit_callbacks(execute=True):
            pay_on_cashier(payment)
        return fresh(order), fresh(payment)

    return make


class NetworkTouched(BaseException):
    """Raised by a refused network call; not an Exception, so no adapter can swallow it."""


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """No payments test touches the network: the libraries' HTTP calls fail loudly if reached
    (a test that needs an answer puts a local stand-in in their place)."""
    import alipay
    import wechatpayv3.core

    from payments.gateways import alipay as alipay_adapter

    def refuse(*args, **kwargs):
        raise NetworkTouched(f"network call attempted: {args[:1]} {kwargs.get('url', '')}")

    for verb in ("get", "post", "put", "patch", "delete"):
        monkeypatch.setattr(wechatpayv3.core.requests, verb, refuse)
    monkeypatch.setattr(alipay, "urlopen", refuse)
    monkeypatch.setattr(alipay_adapter.httpx, "get", refuse)


@pytest.fixture
def ops_client(client):
    """The admin, signed in as platform operations."""
    from django.contrib.auth.models import Group

    from shop.roles import PLATFORM_OPS, ensure_role_groups
    from tests.accounts.factories import PASSWORD, UserFactory

    ensure_role_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=PLATFORM_OPS))
    client.login(username=user.username, password=PASSWORD)
    return client
