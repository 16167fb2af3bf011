"""Reviews built for tests: received order lines (made by the orders services), reviews and
uploaded pictures, real and fake."""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reviews.models import Review
from tests.accounts.factories import UserFactory
from tests.orders.factories import paid_order, received_sub_order, stocked_sku


def received_line(*, user=None, merchant=None, sku=None, quantity=1):
    """An order line of `user` whose sub-order the shopper has confirmed as received."""
    user = user or UserFactory()
    sku = sku or stocked_sku(merchant=merchant)
    sub_order = received_sub_order(user=user, items=[(sku, quantity)])
    return sub_order.lines.get()


def unreceived_line(*, user=None, merchant=None):
    """A line of a paid order that has not shipped yet."""
    user = user or UserFactory()
    order = paid_order(user=user, items=[(stocked_sku(merchant=merchant), 1)])
    return order.lines.get()


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review row written directly (for pages and admin); service tests use review_create."""

    class Meta:
        model = Review

    order_line = factory.LazyFunction(received_line)
    product = factory.LazyAttribute(lambda o: o.order_line.sku.product)
    user = factory.LazyAttribute(lambda o: o.order_line.order.user)
    rating = 5
    text = "Great, as described."


def image_bytes(fmt="PNG", size=(40, 30), color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def png_upload(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def jpeg_upload(name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


def text_disguised_as_jpeg(name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"just some text, not a picture\n" * 10, "image/jpeg")


def gif_upload(name="photo.gif") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("GIF"), content_type="image/gif")


def oversized_png(name="huge.png") -> SimpleUploadedFile:
    """A real PNG padded past 5 MB (PNG readers ignore bytes after IEND)."""
    data = image_bytes("PNG") + b"\0" * (5 * 1024 * 1024 + 1)
    return SimpleUploadedFile(name, data, content_type="image/png")
