"""Staff users with their roles, for the admin tests (the catalogue factories are front's)."""

import io

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import MerchantStaff, ProductImage
from shop.roles import MERCHANT_STAFF, PLATFORM_OPS, ensure_role_groups
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory


def _group(name: str) -> Group:
    group = Group.objects.filter(name=name).first()
    if group is None:
        ensure_role_groups()
        group = Group.objects.get(name=name)
    return group


def merchant_staff_user(merchant=None, **user_fields):
    """An admin user of `merchant` in the "Merchant staff" group (no merchant: a staff user in
    the group whom nobody linked to a merchant)."""
    user = UserFactory(is_staff=True, **user_fields)
    user.groups.add(_group(MERCHANT_STAFF))
    if merchant is not None:
        MerchantStaff.objects.create(user=user, merchant=merchant)
    return user


def ops_user(**user_fields):
    user = UserFactory(is_staff=True, **user_fields)
    user.groups.add(_group(PLATFORM_OPS))
    return user


def png_file(name: str = "photo.png", colour=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.LazyFunction(png_file)
    alt = "A photo"
