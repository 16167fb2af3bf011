"""What the after-sales page tests share: signed-in shoppers, an order of two merchants with
two lines each, and uploads as a browser sends them (a real PNG, a file that only says it is
one)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.factories import UserFactory
from tests.aftersales.factories import png_bytes
from tests.catalog.factories import MerchantFactory, WarehouseFactory
from tests.logistics.factories import sku_of
from tests.orders.factories import add_stock, paid_order


def signed_in(client, user):
    client.force_login(user)
    return client


def stranger(client):
    """Another shopper, signed in."""
    return signed_in(client, UserFactory())


def order_of_two_merchants(*, user=None):
    """A paid order of 2 merchants x 2 lines (its 2 sub-orders wait to ship)."""
    items = []
    for _ in range(2):
        merchant = MerchantFactory()
        warehouse = WarehouseFactory(merchant=merchant, region="上海")
        for _ in range(2):
            sku = sku_of(merchant=merchant, price="50.00")
            add_stock(sku=sku, warehouse=warehouse, on_hand=10)
            items.append((sku, 1))
    kwargs = {"items": items}
    if user is not None:
        kwargs["user"] = user
    return paid_order(**kwargs)


def png_upload(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def fake_png_upload(name="fake.png"):
    """Text under an image name and type: evidence_upload must refuse it."""
    return SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type="image/png")


def request_data(sub_order, *, type, reason, key, quantities=None, **fields):
    """The request form as the browser posts it (every line at full quantity by default)."""
    data = {"type": type, "reason": reason, "idempotency_key": key, "description": ""}
    for line in sub_order.lines.order_by("pk"):
        quantity = (quantities or {}).get(line.pk, line.quantity)
        data[f"quantity_{line.pk}"] = str(quantity)
    data.update(fields)
    return data
