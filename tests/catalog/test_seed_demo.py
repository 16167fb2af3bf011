from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.demo.data import USERS
from catalog.models import (
    SKU,
    Category,
    Merchant,
    MerchantStaff,
    Product,
    ProductImage,
    Promotion,
    StockMove,
    StockRecord,
    Warehouse,
)
from catalog.selectors import stock_ledger_mismatches
from shop.accounts.models import Address, Coupon, CustomerProfile, HeldCoupon, MembershipTier

pytestmark = pytest.mark.django_db
User = get_user_model()

COUNTED = [
    Merchant,
    Warehouse,
    Category,
    Product,
    SKU,
    ProductImage,
    StockRecord,
    StockMove,
    Promotion,
    Coupon,
    HeldCoupon,
    MembershipTier,
    User,
    Address,
    MerchantStaff,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


@pytest.fixture
def seeded():
    return _seed()


def test_seed_twice_changes_nothing():
    # given
    _seed()
    first = _counts()

    # when
    output = _seed()

    # then
    assert _counts() == first
    assert "200 products (0 new)" in output
    assert first["Product"] == 200


def test_seed_builds_a_browsable_catalogue(seeded):
    # then
    assert Product.objects.count() >= 200
    assert Merchant.objects.filter(kind=Merchant.Kind.SELF_OPERATED).count() == 1
    assert Merchant.objects.filter(kind=Merchant.Kind.THIRD_PARTY).count() == 2
    assert set(Warehouse.objects.values_list("region", flat=True)) >= {"上海", "广东", "北京"}
    assert Category.objects.filter(parent__isnull=False).count() >= 8
    assert Product.objects.filter(is_featured=True).exists()
    assert not Product.objects.filter(images__isnull=True).exists()
    for product in Product.objects.prefetch_related("skus")[:50]:
        prices = [sku.price for sku in product.skus.all() if sku.is_active]
        assert 2 <= len(prices) <= 4
        assert product.price_from == min(prices)
    assert not SKU.objects.filter(stock_records__isnull=True).exists()
    assert Product.objects.filter(search_document__isnull=True).count() == 0
    assert set(Promotion.objects.values_list("kind", flat=True)) == {
        "full_reduction",
        "percent",
        "limited_price",
    }


def test_stock_ledger_balances_after_seeding(seeded):
    # then
    assert stock_ledger_mismatches() == []
    out = StringIO()
    call_command("check_stock_ledger", stdout=out)
    assert "balances" in out.getvalue()


def test_demo_logins_work(seeded, client):
    # when
    signed_in = {
        username: client.login(username=username, password=password)
        for username, password in USERS.items()
    }

    # then
    assert signed_in == dict.fromkeys(USERS, True)
    assert set(USERS) >= {"shopper", "merchant", "merchant2", "ops", "admin"}


def test_demo_people_have_their_roles(seeded):
    # then
    shopper = User.objects.get(username="shopper")
    profile = CustomerProfile.objects.get(user=shopper)
    assert profile.tier.name == "Silver"
    assert Address.objects.filter(user=shopper, is_default=True).count() == 1
    assert set(HeldCoupon.objects.filter(user=shopper).values_list("coupon__code", flat=True)) == {
        "NEWBIE10",
        "PLATFORM20",
    }
    merchant = User.objects.get(username="merchant")
    assert merchant.is_staff and not merchant.is_superuser
    assert merchant.merchant_staff.merchant.kind == Merchant.Kind.SELF_OPERATED
    assert merchant.groups.filter(name="Merchant staff").exists()
    merchant2 = User.objects.get(username="merchant2")
    assert merchant2.merchant_staff.merchant.kind == Merchant.Kind.THIRD_PARTY
    ops = User.objects.get(username="ops")
    assert ops.is_staff and not ops.is_superuser
    assert ops.groups.filter(name="Platform operations").exists()
    assert User.objects.get(username="admin").is_superuser


def test_bulk_products_add_stocked_products_quickly():
    # given
    _seed()
    before_products, before_skus = Product.objects.count(), SKU.objects.count()

    # when
    output = _seed("--products", "50")

    # then
    assert Product.objects.count() == before_products + 50
    added_skus = SKU.objects.count() - before_skus
    assert 100 <= added_skus <= 200
    assert f"Added 50 products / {added_skus} SKUs" in output
    assert stock_ledger_mismatches() == []
    newest = Product.objects.order_by("-id").first()
    assert newest.images.exists() and newest.price_from > 0
    assert newest.search_document is not None


def test_negative_product_count_is_refused():
    # when / then
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo", "--products", "-1", stdout=StringIO())
