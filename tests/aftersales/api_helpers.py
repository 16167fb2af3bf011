"""What the after-sales API tests share: clients signed in by token (as an app or an ERP calls
the API), sub-orders at each stage, and cases brought to a state through the services."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales import services
from aftersales.models import AfterSalesCase
from catalog.actors import actor_for
from tests.aftersales.factories import (
    ask,
    merchant_staff,
    paid_sub_order,
    photo,
    receive,
    sandbox_tracking_no,
)

__all__ = [
    "ask",
    "merchant_staff",
    "paid_sub_order",
    "photo",
    "receive",
    "sandbox_tracking_no",
]


def client_for(user) -> APIClient:
    """A fresh API client signed in as `user` by token (one per user, so a test can hold the
    shopper's and the merchant's side at once)."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def png_upload(name="photo.png", size=(8, 8), noise=False) -> SimpleUploadedFile:
    """A real PNG; with noise it does not compress, so its bytes grow with its size."""
    image = Image.new("RGB", size, (200, 30, 30))
    if noise:
        image = Image.frombytes("RGB", size, _random_bytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _random_bytes(count: int) -> bytes:
    import os

    return os.urandom(count)


def staff_of(case: AfterSalesCase):
    return merchant_staff(case.merchant)


def approve(case: AfterSalesCase) -> AfterSalesCase:
    return services.case_approve(case_no=case.case_no, actor=actor_for(staff_of(case)))


def ship_back(case: AfterSalesCase) -> AfterSalesCase:
    return services.case_return_ship(
        case_no=case.case_no,
        actor=actor_for(case.user),
        carrier_code="sandbox",
        tracking_no=sandbox_tracking_no(),
    )


def reject_with_photo(case: AfterSalesCase) -> AfterSalesCase:
    staff = staff_of(case)
    return services.case_reject(
        case_no=case.case_no,
        actor=actor_for(staff),
        reason="The photo shows the item used",
        evidence_ids=[photo(staff).public_id],
    )


def body_of(sub_order, *, type="return_refund", reason="no-reason-7d", quantity=None, **extra):
    """A request body for all units (or `quantity`) of the sub-order's first line."""
    line = sub_order.lines.order_by("pk").first()
    return {
        "sub_order_no": sub_order.sub_order_no,
        "type": type,
        "reason": reason,
        "description": "Does not fit",
        "lines": [{"sku_id": line.sku_id, "quantity": quantity or line.quantity}],
        **extra,
    }
