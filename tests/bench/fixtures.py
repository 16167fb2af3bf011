"""Shoppers and stocked SKUs for the benchmarks, made with the test factories."""

from decimal import Decimal

from catalog.models import Merchant
from tests.accounts.factories import AddressFactory, UserFactory
from tests.catalog.factories import MerchantFactory, StockRecordFactory


def shoppers(count: int, *, prefix: str) -> list[tuple]:
    """(user, address) pairs, each shopper with a default address in Shanghai."""
    result = []
    for n in range(count):
        user = UserFactory(username=f"{prefix}-{n}")
        result.append((user, AddressFactory(user=user, is_default=True)))
    return result


def stocked_skus(count: int, *, stock: int, price=Decimal("59.00"), merchant=None) -> list:
    merchant = merchant or MerchantFactory(kind=Merchant.Kind.THIRD_PARTY)
    return [
        StockRecordFactory(
            on_hand=stock,
            sku__price=price,
            sku__product__merchant=merchant,
            warehouse__merchant=merchant,
        ).sku
        for _ in range(count)
    ]
