"""The stock ledger and the product writes name who acted: an Actor is required, the ledger row
keeps its user (none for the system)."""

import inspect

import pytest

from catalog.actors import SYSTEM, actor_for
from catalog.models import StockMove
from catalog.services import products, stock
from tests.catalog.factories import MerchantStaffFactory, StockRecordFactory

pytestmark = pytest.mark.django_db

WRITES = [
    stock.stock_allocate,
    stock.stock_allocate_planned,
    stock.stock_release,
    stock.stock_consume,
    stock.stock_return,
    stock.stock_adjust,
    stock.stock_set_on_hand,
    products.product_set_active,
    products.product_set_featured,
    products.product_get_or_create_for_merchant,
]


@pytest.mark.parametrize("service", WRITES, ids=lambda service: service.__name__)
def test_every_write_requires_an_actor(service):
    actor = inspect.signature(service).parameters["actor"]
    assert actor.kind is inspect.Parameter.KEYWORD_ONLY
    assert actor.default is inspect.Parameter.empty


def test_the_ledger_row_keeps_the_user_of_the_actor():
    # given a stock record and a member of its merchant's staff
    record = StockRecordFactory(on_hand=5)
    staff = MerchantStaffFactory(merchant=record.warehouse.merchant).user

    # when the staff counts the stock, and the system returns a unit
    stock.stock_set_on_hand(
        sku=record.sku,
        warehouse=record.warehouse,
        on_hand=8,
        reason="Count",
        actor=actor_for(staff),
    )
    stock.stock_return(
        sku_id=record.sku_id,
        warehouse_id=record.warehouse_id,
        quantity=1,
        order_no="O1",
        reason="Return",
        actor=SYSTEM,
    )

    # then
    moves = StockMove.objects.filter(sku=record.sku).exclude(reason="test fixture").order_by("pk")
    assert [(move.reason, move.actor) for move in moves] == [("Count", staff), ("Return", None)]


def test_a_user_is_not_an_actor():
    record = StockRecordFactory(on_hand=5)
    with pytest.raises(AttributeError):
        stock.stock_adjust(
            sku=record.sku,
            warehouse=record.warehouse,
            on_hand_delta=1,
            reason="x",
            actor=MerchantStaffFactory(merchant=record.warehouse.merchant).user,
        )
