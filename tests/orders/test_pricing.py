"""Checkout pricing: the pure layer (price_cart) in tables, a property over random carts, and
quote_order against the database (what it loads, how many queries, what it refuses)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from catalog.models import Promotion
from orders.pricing import (
    CartLine,
    CouponOffer,
    MemberStatus,
    PromotionRule,
    ShippingRule,
    normalise_items,
    price_cart,
    quote_order,
)
from shop.accounts.models import Coupon
from shop.errors import InvalidInput
from tests.catalog.factories import AttributeValueFactory
from tests.orders.factories_pricing import (
    CouponFactory,
    HeldCouponFactory,
    LimitedTimePriceFactory,
    MerchantFactory,
    ProductFactory,
    ProductImageFactory,
    PromotionFactory,
    PromotionTierFactory,
    ShippingRegionRateFactory,
    ShippingTemplateFactory,
    SKUFactory,
    TierFactory,
    UserFactory,
    member_profile,
)

AT = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
FR = Promotion.Kind.FULL_REDUCTION
PERCENT = Promotion.Kind.PERCENT
LIMITED = Promotion.Kind.LIMITED_PRICE


# --- builders of plain data --------------------------------------------------------------


def line(sku=1, price="100.00", qty=1, merchant=1, product=None, weight=500):
    return CartLine(
        sku_id=sku,
        product_id=product if product is not None else sku,
        merchant_id=merchant,
        merchant_name=f"Shop {merchant}",
        product_title=f"Product {sku}",
        sku_code=f"SKU-{sku}",
        list_price=D(price),
        quantity=qty,
        weight_grams=weight,
    )


_ids = iter(range(1, 10**9))


def promo(kind, *, merchant=1, starts=AT - DAY, ends=AT + DAY, **kwargs):
    return PromotionRule(
        id=kwargs.pop("id", next(_ids)),
        merchant_id=merchant,
        name=kwargs.pop("name", f"{kind} promo"),
        kind=kind,
        starts_at=starts,
        ends_at=ends,
        **kwargs,
    )


def full_reduction(*tiers, **kwargs):
    return promo(FR, tiers=tuple((D(t), D(d)) for t, d in tiers), **kwargs)


def percent(pct, **kwargs):
    return promo(PERCENT, percent_off=D(pct), **kwargs)


def limited(prices, **kwargs):
    return promo(LIMITED, limited_prices={sku: D(p) for sku, p in prices.items()}, **kwargs)


def coupon(**kwargs):
    values = {
        "held_coupon_id": 77,
        "code": "SAVE10",
        "name": "¥10 off",
        "kind": Coupon.Kind.FIXED,
        "value": D("10.00"),
        "valid_from": AT - DAY,
        "valid_until": AT + DAY,
    }
    values.update(kwargs)
    for key in ("value", "min_spend"):
        if isinstance(values.get(key), str):
            values[key] = D(values[key])
    return CouponOffer(**values)


def ship(merchant=1, **kwargs):
    for key in ("first_fee", "additional_fee", "free_over"):
        if isinstance(kwargs.get(key), str):
            kwargs[key] = D(kwargs[key])
    return ShippingRule(merchant_id=merchant, **kwargs)


def quote(lines, *, province="上海", at=AT, **kwargs):
    result = price_cart(lines=lines, province=province, at=at, **kwargs)
    assert_consistent(result)
    return result


def assert_consistent(q):
    """What a shopper, a merchant and a refund rely on: every cent accounted for."""
    for ql in q.lines:
        assert ql.paid_amount == (
            ql.goods_amount - ql.promotion_discount - ql.member_discount + ql.shipping_share
        )
        assert ql.paid_amount >= 0
        assert 0 <= ql.promotion_discount + ql.member_discount <= ql.goods_amount
        assert ql.shipping_share >= 0
        for amount in (ql.paid_amount, ql.promotion_discount, ql.member_discount):
            assert amount == amount.quantize(D("0.01"))
    assert sum(ql.paid_amount for ql in q.lines) == q.payable_amount
    assert sum(row.amount for row in q.breakdown) == q.payable_amount
    assert q.payable_amount >= 0
    assert q.goods_amount == sum(ql.goods_amount for ql in q.lines)
    assert q.promotion_discount == sum(ql.promotion_discount for ql in q.lines)
    assert q.member_discount == sum(ql.member_discount for ql in q.lines)
    assert q.shipping_fee == sum(ql.shipping_share for ql in q.lines)
    assert q.payable_amount == (
        q.goods_amount - q.promotion_discount - q.member_discount + q.shipping_fee
    )
    for m in q.merchants:
        assert m.payable_amount == sum(ql.paid_amount for ql in m.lines)
        assert m.shipping_fee == sum(
            r.amount for r in q.breakdown if r.kind == "shipping" and r.merchant_id == m.merchant_id
        )
    rows = [r for r in q.breakdown if r.kind == "promotion"]
    assert -sum(r.amount for r in rows) == q.promotion_discount
    rows = [r for r in q.breakdown if r.kind in ("member_tier", "coupon")]
    assert -sum(r.amount for r in rows) == q.member_discount


def labels(q, kind):
    return [row.label for row in q.breakdown if row.kind == kind]


# --- step 1 and 2: line prices and goods promotions --------------------------------------

PROMOTION_CASES = [
    # id, lines, promotions, expected promotion discount, expected promotion labels
    ("full reduction met", [line(qty=2)], [full_reduction(("200", "20"))], "20.00",
     ["Full reduction: 200 off 20"]),
    ("full reduction just missed", [line(price="199.99")], [full_reduction(("200", "20"))],
     "0.00", []),
    ("best tier reached wins", [line(price="250.00")],
     [full_reduction(("100", "10"), ("200", "25"), ("300", "40"))], "25.00",
     ["Full reduction: 200 off 25"]),
    ("threshold exactly met", [line(price="300.00")],
     [full_reduction(("100", "10"), ("200", "25"), ("300", "40"))], "40.00",
     ["Full reduction: 300 off 40"]),
    ("threshold counts all the merchant's lines", [line(1, "120.00"), line(2, "80.00")],
     [full_reduction(("200", "20"))], "20.00", ["Full reduction: 200 off 20"]),
    ("full reduction scoped to listed products", [line(1, "120.00"), line(2, "80.00")],
     [full_reduction(("200", "20"), applies_to_all=False, product_ids=frozenset({1}))],
     "0.00", []),
    ("of two full reductions the larger applies", [line(price="300.00")],
     [full_reduction(("300", "30"), name="A"), full_reduction(("250", "45"), name="B")],
     "45.00", ["Full reduction: 250 off 45"]),
    ("percent off rounds half up per line", [line(1, "33.33", qty=2)],
     [percent("10", name="Autumn sale")], "6.67", ["Autumn sale: 10% off"]),
    ("percent off scoped to one product", [line(1, "100.00"), line(2, "100.00")],
     [percent("10", applies_to_all=False, product_ids=frozenset({2}), name="Tea week")],
     "10.00", ["Tea week: 10% off"]),
    ("largest percent applies, not both", [line(price="100.00")],
     [percent("10", name="Small"), percent("15", name="Big")], "15.00", ["Big: 15% off"]),
    ("full reduction measured after percent off", [line(price="210.00")],
     [percent("10", name="Sale"), full_reduction(("200", "20"))], "21.00", ["Sale: 10% off"]),
    ("percent then full reduction both apply", [line(price="250.00")],
     [percent("10", name="Sale"), full_reduction(("200", "20"))], "45.00",
     ["Sale: 10% off", "Full reduction: 200 off 20"]),
    ("inactive promotion ignored", [line(qty=2)],
     [full_reduction(("200", "20"), is_active=False)], "0.00", []),
    ("another merchant's promotion ignored", [line(qty=2, merchant=1)],
     [full_reduction(("200", "20"), merchant=2)], "0.00", []),
    ("promotion starting now applies", [line(qty=2)],
     [full_reduction(("200", "20"), starts=AT)], "20.00", ["Full reduction: 200 off 20"]),
    ("promotion ending now does not", [line(qty=2)],
     [full_reduction(("200", "20"), ends=AT)], "0.00", []),
    ("promotion not started yet", [line(qty=2)],
     [full_reduction(("200", "20"), starts=AT + SECOND)], "0.00", []),
    ("100 % off is capped at the goods", [line(price="10.00")],
     [percent("100", name="Gift")], "10.00", ["Gift: 100% off"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "promotions", "expected", "expected_labels"),
    [case[1:] for case in PROMOTION_CASES],
    ids=[case[0] for case in PROMOTION_CASES],
)
def test_goods_promotions(lines, promotions, expected, expected_labels):
    # given a cart and the merchant's promotions (no shipping template: ships free)
    # when it is priced
    q = quote(lines, promotions=promotions)
    # then the shopper sees the right discount and a row naming each promotion that applied
    assert q.promotion_discount == D(expected)
    assert labels(q, "promotion") == expected_labels
    assert q.payable_amount == q.goods_amount - D(expected)


LIMITED_CASES = [
    # id, promotion window, limited price, expected unit price
    ("running", AT - DAY, AT + DAY, "79.00", "79.00"),
    ("starts exactly now", AT, AT + DAY, "79.00", "79.00"),
    ("ends exactly now", AT - DAY, AT, "79.00", "100.00"),
    ("not started", AT + SECOND, AT + DAY, "79.00", "100.00"),
    ("ended a second ago", AT - DAY, AT - SECOND, "79.00", "100.00"),
    ("dearer than the SKU price is ignored", AT - DAY, AT + DAY, "120.00", "100.00"),
]


@pytest.mark.parametrize(
    ("starts", "ends", "limited_price", "expected_unit"),
    [case[1:] for case in LIMITED_CASES],
    ids=[case[0] for case in LIMITED_CASES],
)
def test_limited_time_price_window(starts, ends, limited_price, expected_unit):
    # given a SKU at 100 with a limited-time price in a window around now
    promotions = [limited({1: limited_price}, starts=starts, ends=ends)]
    # when two are priced
    q = quote([line(1, "100.00", qty=2)], promotions=promotions)
    # then the unit price is the limited one only inside [starts, ends)
    assert q.lines[0].unit_price == D(expected_unit)
    assert q.goods_amount == D(expected_unit) * 2
    assert q.promotion_discount == D("0.00")


def test_lowest_running_limited_price_wins_and_other_merchants_do_not_count():
    promotions = [
        limited({1: "90.00"}),
        limited({1: "85.00"}),
        limited({1: "10.00"}, merchant=2),  # a different merchant cannot price our SKU
    ]
    q = quote([line(1, "100.00")], promotions=promotions)
    assert q.lines[0].unit_price == D("85.00")


def test_limited_price_line_gets_no_percent_off_but_counts_for_full_reduction():
    # given SKU 1 on a limited price and a 10 % sale plus a 200-off-20 over the whole shop
    promotions = [
        limited({1: "150.00"}),
        percent("10", name="Sale"),
        full_reduction(("200", "20")),
    ]
    # when SKU 1 (limited) and SKU 2 (not limited) are priced
    q = quote([line(1, "180.00"), line(2, "100.00")], promotions=promotions)
    # then only SKU 2 gets 10 % off; 150 + 90 = 240 reaches the 200 threshold
    first, second = q.lines
    assert first.unit_price == D("150.00")
    assert second.unit_price == D("100.00")
    assert q.promotion_discount == D("10.00") + D("20.00")
    assert first.promotion_discount + second.promotion_discount == D("30.00")
    # the 20 is shared 150:90 between the lines: 12.50 and 7.50
    assert first.promotion_discount == D("12.50")
    assert second.promotion_discount == D("17.50")


def test_client_cannot_set_the_price():
    # the pure layer takes only the catalogue's price; quote_order never reads one from items
    q = quote([line(1, "100.00", qty=3)])
    assert q.lines[0].unit_price == D("100.00")
    assert q.payable_amount == D("300.00")


# --- step 3: member benefits -------------------------------------------------------------

GOLD = MemberStatus(tier_name="Gold", discount_percent=D("5.00"), is_new_customer=False)


def test_tier_discount_applies_to_what_promotions_left():
    # given 300 of goods, "300 off 30", a Gold member at 5 %
    q = quote([line(1, "100.00", qty=3)], promotions=[full_reduction(("300", "30"))], member=GOLD)
    # then 5 % of 270 = 13.50 comes off, in a row named after the tier
    assert q.promotion_discount == D("30.00")
    assert q.member_discount == D("13.50")
    assert labels(q, "member_tier") == ["Gold member 5% off"]
    assert [r.merchant_id for r in q.breakdown if r.kind == "member_tier"] == [None]
    assert q.payable_amount == D("256.50")


def test_tier_with_no_discount_adds_no_row():
    q = quote([line()], member=MemberStatus(tier_name="Regular", discount_percent=D("0")))
    assert q.member_discount == D("0.00")
    assert labels(q, "member_tier") == []


def test_tier_then_fixed_coupon_stack():
    # given the same cart and a ¥10 platform coupon
    q = quote(
        [line(1, "100.00", qty=3)],
        promotions=[full_reduction(("300", "30"))],
        member=GOLD,
        coupon_code="SAVE10",
        coupon=coupon(),
    )
    # then the coupon comes after the tier: 270 - 13.50 - 10 = 246.50
    assert q.member_discount == D("23.50")
    assert q.payable_amount == D("246.50")
    assert q.held_coupon_id == 77
    assert labels(q, "coupon") == ["Coupon: ¥10 off"]
    kinds = [r.kind for r in q.breakdown]
    assert kinds == ["goods", "promotion", "member_tier", "coupon", "shipping"]


def test_percent_coupon_takes_its_share_of_what_is_left():
    q = quote(
        [line(1, "99.99")],
        member=GOLD,
        coupon_code="PCT",
        coupon=coupon(code="PCT", kind=Coupon.Kind.PERCENT, value="10", name="10% off"),
    )
    # tier: 5 % of 99.99 = 5.00 (4.9995 half-up); coupon: 10 % of 94.99 = 9.50 (9.499 half-up)
    assert q.member_discount == D("5.00") + D("9.50")
    assert q.payable_amount == D("85.49")


def test_coupon_threshold_is_measured_after_tier_discount():
    # given goods 270 after promotions, Gold 5 % -> 256.50 left, coupon needs 260
    with pytest.raises(InvalidInput) as error:
        quote(
            [line(1, "100.00", qty=3)],
            promotions=[full_reduction(("300", "30"))],
            member=GOLD,
            coupon_code="SAVE10",
            coupon=coupon(min_spend="260.00"),
        )
    assert error.value.code == "invalid_coupon"
    assert error.value.extra["reason"] == "min_spend_not_met"
    assert "¥260.00" in error.value.detail and "¥256.50" in error.value.detail


def test_coupon_threshold_met_exactly():
    q = quote([line(1, "100.00")], coupon_code="SAVE10", coupon=coupon(min_spend="100.00"))
    assert q.payable_amount == D("90.00")


COUPON_ERRORS = [
    # id, coupon offered (None: the shopper holds no such coupon), member, reason, words
    ("not held", None, MemberStatus(), "not_held", "do not have"),
    ("already used", coupon(used_at=AT - DAY), MemberStatus(), "used", "already been used"),
    ("withdrawn", coupon(is_active=False), MemberStatus(), "withdrawn", "withdrawn"),
    ("not yet valid", coupon(valid_from=AT + SECOND), MemberStatus(), "not_yet_valid",
     "can be used from"),
    ("expires exactly now", coupon(valid_until=AT), MemberStatus(), "expired", "expired"),
    ("new customers only", coupon(for_new_customers=True), GOLD, "new_customers_only",
     "new customers only"),
    ("minimum spend not met", coupon(min_spend="100.01"), MemberStatus(), "min_spend_not_met",
     "needs ¥100.01"),
    ("merchant not in the order", coupon(merchant_id=9, merchant_name="Shop 9"), MemberStatus(),
     "merchant_not_in_order", "only for goods from Shop 9"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("offer", "member", "reason", "words"),
    [case[1:] for case in COUPON_ERRORS],
    ids=[case[0] for case in COUPON_ERRORS],
)
def test_coupon_refused_says_why(offer, member, reason, words):
    # given a 100 cart and a coupon that cannot be used
    # when the shopper enters its code
    with pytest.raises(InvalidInput) as error:
        quote([line(1, "100.00")], member=member, coupon_code="SAVE10", coupon=offer)
    # then pricing refuses it with the reason in words
    assert error.value.code == "invalid_coupon"
    assert error.value.extra["reason"] == reason
    assert words in error.value.detail


def test_new_customer_coupon_for_a_new_customer():
    q = quote(
        [line(1, "100.00")],
        member=MemberStatus(is_new_customer=True),
        coupon_code="WELCOME",
        coupon=coupon(code="WELCOME", for_new_customers=True, value="20.00", name="Welcome"),
    )
    assert q.payable_amount == D("80.00")
    assert labels(q, "coupon") == ["Coupon: Welcome"]


def test_coupon_valid_from_now_is_usable():
    q = quote([line()], coupon_code="SAVE10", coupon=coupon(valid_from=AT))
    assert q.member_discount == D("10.00")


def test_merchant_coupon_discounts_only_that_merchants_goods():
    # given goods from shops 1 and 2 and a ¥30 coupon of shop 2 with min spend 50
    lines = [line(1, "100.00", merchant=1), line(2, "60.00", merchant=2)]
    offer = coupon(value="30.00", min_spend="50.00", merchant_id=2, merchant_name="Shop 2")
    q = quote(lines, coupon_code="SAVE10", coupon=offer)
    # then only shop 2's line pays less, and the coupon row belongs to shop 2
    assert [ql.member_discount for ql in q.lines] == [D("0.00"), D("30.00")]
    assert [r.merchant_id for r in q.breakdown if r.kind == "coupon"] == [2]


def test_coupon_larger_than_the_goods_is_capped_and_payable_is_shipping_only():
    q = quote(
        [line(1, "5.00")],
        coupon_code="SAVE10",
        coupon=coupon(value="50.00"),
        shipping={1: ship(first_fee="8.00")},
    )
    assert q.member_discount == D("5.00")
    assert q.lines[0].paid_amount == D("8.00")
    assert q.payable_amount == D("8.00")


def test_blank_coupon_code_is_no_coupon():
    q = quote([line()], coupon_code="   ", coupon=None)
    assert q.held_coupon_id is None
    assert q.member_discount == D("0.00")


# --- step 4: shipping --------------------------------------------------------------------

SHIPPING_CASES = [
    # id, weight of the parcel (g), province, template, expected fee
    ("within first weight", 1000, "上海", ship(), "8.00"),
    ("one gram over starts a step", 1001, "上海", ship(), "13.00"),
    ("two and a half kilos: two steps", 2500, "上海", ship(), "18.00"),
    ("step of 500 g", 2200, "上海", ship(additional_weight_grams=500, additional_fee="2.00"),
     "14.00"),
    ("region rate for the province", 2500, "新疆",
     ship(region_rates={"新疆": (D("20.00"), D("12.00"))}), "44.00"),
    ("default rate elsewhere", 2500, "北京",
     ship(region_rates={"新疆": (D("20.00"), D("12.00"))}), "18.00"),
    ("free over the threshold", 2500, "上海", ship(free_over="100.00"), "0.00"),
    ("just under the threshold pays", 2500, "上海", ship(free_over="100.01"), "18.00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("weight", "province", "rule", "expected"),
    [case[1:] for case in SHIPPING_CASES],
    ids=[case[0] for case in SHIPPING_CASES],
)
def test_shipping_fee(weight, province, rule, expected):
    # given 100 of goods weighing `weight`, shipped to `province`
    q = quote([line(1, "100.00", weight=weight)], province=province, shipping={1: rule})
    # then the shopper pays the template's fee
    assert q.shipping_fee == D(expected)
    assert q.payable_amount == D("100.00") + D(expected)
    assert q.total_weight_grams == weight


def test_free_shipping_threshold_counts_goods_after_discounts():
    # given 100 of goods, free shipping over 99, and a 10 % sale: 90 left
    rule = ship(free_over="99.00")
    q = quote([line(1, "100.00")], promotions=[percent("10", name="Sale")], shipping={1: rule})
    # then shipping is charged
    assert q.shipping_fee == D("8.00")
    assert q.payable_amount == D("98.00")
    # and without the sale it is free, with a row saying so
    q = quote([line(1, "100.00")], shipping={1: rule})
    assert q.shipping_fee == D("0.00")
    assert labels(q, "shipping") == ["Shipping from Shop 1: free on orders over ¥99.00"]


def test_merchant_without_template_ships_free():
    q = quote([line(1, "10.00", weight=5000)])
    assert q.shipping_fee == D("0.00")
    assert labels(q, "shipping") == ["Shipping from Shop 1: free"]


def test_several_merchants_each_priced_and_shipped_on_their_own():
    # given two shops, each with its own promotion and template, and lines interleaved
    lines = [
        line(1, "150.00", merchant=1, weight=800),
        line(2, "30.00", merchant=2, weight=1500),
        line(3, "60.00", merchant=1, weight=300),
    ]
    q = quote(
        lines,
        promotions=[full_reduction(("200", "20"), merchant=1), percent("50", merchant=2)],
        shipping={1: ship(1, free_over="150.00"), 2: ship(2, first_fee="6.00")},
    )
    # then lines come merchant by merchant, in input order within each
    assert [ql.sku_id for ql in q.lines] == [1, 3, 2]
    shop1, shop2 = q.merchants
    assert (shop1.merchant_id, shop2.merchant_id) == (1, 2)
    assert shop1.promotion_discount == D("20.00")  # 210 reaches 200
    assert shop1.shipping_fee == D("0.00")  # 190 left >= 150
    assert shop2.promotion_discount == D("15.00")
    assert shop2.shipping_fee == D("11.00")  # 1.5 kg: 6 + one 5 step
    assert shop1.payable_amount == D("190.00")
    assert shop2.payable_amount == D("26.00")
    assert q.payable_amount == D("216.00")
    # and the breakdown goes goods, promotions, member, shipping, per merchant inside each
    assert [(r.kind, r.merchant_id) for r in q.breakdown] == [
        ("goods", 1),
        ("goods", 2),
        ("promotion", 1),
        ("promotion", 2),
        ("shipping", 1),
        ("shipping", 2),
    ]


# --- rounding ----------------------------------------------------------------------------


def test_discount_split_over_lines_sums_exactly():
    # given three lines of 33.33 and "50 off 10"
    lines = [line(i, "33.33") for i in (1, 2, 3)]
    q = quote(lines, promotions=[full_reduction(("50", "10"))])
    # then the 10 is shared 3.34 / 3.33 / 3.33 and the lines pay 89.99 together
    assert sorted(ql.promotion_discount for ql in q.lines) == [D("3.33"), D("3.33"), D("3.34")]
    assert q.payable_amount == D("89.99")


def test_shipping_split_over_lines_sums_exactly():
    lines = [line(i, "1.00", weight=100) for i in (1, 2, 3)]
    q = quote(lines, shipping={1: ship(first_fee="10.00")})
    assert sum(ql.shipping_share for ql in q.lines) == D("10.00")


def test_everything_free_still_ships_and_never_goes_negative():
    # given a 100 % sale and a huge coupon: goods cost nothing, only the parcel is paid
    q = quote(
        [line(1, "0.01", qty=3, weight=100), line(2, "0.02", weight=100)],
        promotions=[percent("100")],
        coupon_code="SAVE10",
        coupon=coupon(value="1000.00"),
        shipping={1: ship(first_fee="8.00")},
    )
    assert q.member_discount == D("0.00")
    assert q.payable_amount == D("8.00")


# --- validation --------------------------------------------------------------------------

ITEM_ERRORS = [
    ([], "empty_order"),
    (None, "empty_order"),
    ([(1, 0)], "invalid_quantity"),
    ([(1, -1)], "invalid_quantity"),
    ([(1, 1000)], "invalid_quantity"),
    ([(1, "2")], "invalid_quantity"),
    ([(1, 2.0)], "invalid_quantity"),
    ([(1, True)], "invalid_quantity"),
    ([(1,)], "invalid_quantity"),
    ([(1, 600), (1, 400)], "invalid_quantity"),
    ([("abc", 1)], "unknown_sku"),
    ([(0, 1)], "unknown_sku"),
]


@pytest.mark.parametrize(("items", "code"), ITEM_ERRORS)
def test_normalise_items_refuses_bad_items(items, code):
    with pytest.raises(InvalidInput) as error:
        normalise_items(items, max_quantity=999)
    assert error.value.code == code


def test_normalise_items_merges_the_same_sku():
    assert normalise_items([(5, 1), (3, 2), (5, 4)], max_quantity=999) == [(5, 5), (3, 2)]


def test_unknown_province_and_empty_cart_are_refused():
    with pytest.raises(InvalidInput) as error:
        quote([line()], province="Atlantis")
    assert error.value.code == "invalid_province"
    with pytest.raises(InvalidInput) as error:
        price_cart(lines=[], province="上海", at=AT)
    assert error.value.code == "empty_order"


# --- property: for any cart, every cent is accounted for ---------------------------------

money = st.decimals(min_value=D("0.00"), max_value=D("999.99"), places=2)
cart_lines = st.lists(
    st.tuples(
        st.integers(1, 3),  # merchant
        st.integers(1, 4),  # product
        money,
        st.integers(1, 5),  # quantity
        st.integers(0, 3000),  # unit weight
    ),
    min_size=1,
    max_size=8,
)


@st.composite
def promotions_strategy(draw):
    rules = []
    for merchant in range(1, 4):
        if draw(st.booleans()):
            thresholds = draw(st.lists(money, min_size=1, max_size=3))
            tiers = []
            for t in thresholds:
                tiers.append((t, draw(st.decimals(min_value=D("0"), max_value=t, places=2))))
            rules.append(full_reduction(*tiers, merchant=merchant))
        if draw(st.booleans()):
            pct = draw(st.decimals(min_value=D("0.01"), max_value=D("100"), places=2))
            scope = draw(st.frozensets(st.integers(1, 4)))
            rules.append(
                percent(pct, merchant=merchant, applies_to_all=not scope, product_ids=scope)
            )
        if draw(st.booleans()):
            rules.append(limited({draw(st.integers(1, 12)): draw(money)}, merchant=merchant))
    return rules


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=cart_lines,
    promotions=promotions_strategy(),
    tier=st.decimals(min_value=D("0"), max_value=D("100"), places=2),
    coupon_kind=st.sampled_from([None, Coupon.Kind.FIXED, Coupon.Kind.PERCENT]),
    coupon_value=st.decimals(min_value=D("0"), max_value=D("2000"), places=2),
    coupon_merchant=st.sampled_from([None, 1, 2]),
    free_over=st.one_of(st.none(), money),
    province=st.sampled_from(["上海", "新疆"]),
)
def test_any_cart_accounts_for_every_cent(
    raw, promotions, tier, coupon_kind, coupon_value, coupon_merchant, free_over, province
):
    # given a random cart over three shops with random promotions, tier, coupon and shipping
    lines = [
        line(i + 1, str(price), qty, merchant, product, weight)
        for i, (merchant, product, price, qty, weight) in enumerate(raw)
    ]
    if coupon_kind == Coupon.Kind.PERCENT:
        coupon_value = min(coupon_value, D("100"))
    offer = (
        coupon(kind=coupon_kind, value=coupon_value, merchant_id=coupon_merchant)
        if coupon_kind
        else None
    )
    assume(
        offer is None
        or any(ln.merchant_id == coupon_merchant for ln in lines)
        or not (coupon_merchant)
    )
    shipping = {
        1: ship(1, free_over=free_over, region_rates={"新疆": (D("20.00"), D("9.99"))}),
        2: ship(2, first_fee="0.01", additional_weight_grams=333, additional_fee="1.11"),
    }
    # when it is priced
    q = price_cart(
        lines=lines,
        province=province,
        at=AT,
        promotions=promotions,
        member=MemberStatus(tier_name="T", discount_percent=tier),
        coupon_code="SAVE10" if offer else None,
        coupon=offer,
        shipping=shipping,
    )
    # then lines sum to the payable, none is negative and the breakdown sums to it too
    assert_consistent(q)
    assert len(q.lines) == len(lines)


# --- quote_order against the database ----------------------------------------------------


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.mark.django_db
def test_quote_order_worked_example(shopper):
    """The example in docs/pricing.md, end to end from the database."""
    at = AT
    # given a tea shop with a 10 % tea sale, a limited-price cup and "200 off 20 / 300 off 35"
    tea_shop = MerchantFactory(name="Tea House")
    tea = SKUFactory(
        product=ProductFactory(merchant=tea_shop, title="Longjing tea"),
        price=D("120.00"),
        weight_grams=300,
    )
    cup = SKUFactory(
        product=ProductFactory(merchant=tea_shop, title="Tea cup"),
        price=D("50.00"),
        weight_grams=400,
    )
    PromotionFactory(
        merchant=tea_shop,
        name="Tea week",
        kind=Promotion.Kind.PERCENT,
        percent_off=D("10"),
        applies_to_all=False,
        starts_at=at - DAY,
        ends_at=at + DAY,
        products=[tea.product],
    )
    reduction = PromotionFactory(merchant=tea_shop, starts_at=at - DAY, ends_at=at + DAY)
    PromotionTierFactory(promotion=reduction, threshold=D("200"), discount=D("20"))
    PromotionTierFactory(promotion=reduction, threshold=D("300"), discount=D("35"))
    LimitedTimePriceFactory(
        sku=cup, price=D("39.00"), promotion__starts_at=at - DAY, promotion__ends_at=at + DAY
    )
    ShippingTemplateFactory(merchant=tea_shop, free_over=D("199.00"))
    # and a book shop shipping 8 + 5 per started kilo, with a rate for Xinjiang
    book_shop = MerchantFactory(name="Book Nook")
    book = SKUFactory(
        product=ProductFactory(merchant=book_shop, title="Tea atlas"),
        price=D("45.50"),
        weight_grams=600,
    )
    ShippingRegionRateFactory(
        template=ShippingTemplateFactory(merchant=book_shop, free_over=D("99.00")),
        region="新疆",
        first_fee=D("20.00"),
        additional_fee=D("12.00"),
    )
    # and a Gold (5 %) shopper holding "¥15 off over ¥300"
    member_profile(user=shopper, tier=TierFactory(name="Gold"), is_new_customer=False)
    held = HeldCouponFactory(
        user=shopper,
        coupon=CouponFactory(
            code="TEA15",
            name="¥15 off over ¥300",
            value=D("15.00"),
            min_spend=D("300.00"),
            valid_from=at - DAY,
            valid_until=at + DAY,
        ),
    )
    # when 2 teas, 1 cup and 2 atlases are quoted to Shanghai
    q = quote_order(
        user=shopper,
        items=[(tea.pk, 2), (book.pk, 2), (cup.pk, 1)],
        province="上海",
        coupon_code="TEA15",
        at=at,
    )
    assert_consistent(q)
    # then: tea 240 - 24 = 216, cup 39 (limited), 255 reaches 200 -> 20 off
    assert [ql.sku_id for ql in q.lines] == [tea.pk, cup.pk, book.pk]
    assert q.lines[1].unit_price == D("39.00")
    assert q.goods_amount == D("370.00")
    assert q.promotion_discount == D("44.00")
    # Gold: 5 % of 326 = 16.30; coupon: 309.70 >= 300 -> 15
    assert q.member_discount == D("31.30")
    # tea house 212.44 left >= 199: free; book nook 82.26 < 99, 1.2 kg: 8 + 5
    assert q.shipping_fee == D("13.00")
    assert q.payable_amount == D("307.70")
    assert q.held_coupon_id == held.pk
    assert q.total_weight_grams == 2 * 300 + 400 + 2 * 600
    assert [(r.kind, r.label, r.amount) for r in q.breakdown] == [
        ("goods", "Goods from Tea House", D("279.00")),
        ("goods", "Goods from Book Nook", D("91.00")),
        ("promotion", "Tea week: 10% off", D("-24.00")),
        ("promotion", "Full reduction: 200 off 20", D("-20.00")),
        ("member_tier", "Gold member 5% off", D("-16.30")),
        ("coupon", "Coupon: ¥15 off over ¥300", D("-15.00")),
        ("shipping", "Shipping from Tea House: free on orders over ¥199.00", D("0.00")),
        ("shipping", "Shipping from Book Nook (1.2 kg to 上海)", D("13.00")),
    ]
    # and each line carries its exact share (docs/pricing.md shows the arithmetic)
    assert [
        (ql.promotion_discount, ql.member_discount, ql.shipping_share, ql.paid_amount)
        for ql in q.lines
    ] == [
        (D("40.94"), D("19.11"), D("0.00"), D("179.95")),
        (D("3.06"), D("3.45"), D("0.00"), D("32.49")),
        (D("0.00"), D("8.74"), D("13.00"), D("95.26")),
    ]
    # and to Xinjiang the book shop's regional rate applies: 20 + 12
    q = quote_order(
        user=shopper,
        items=[(tea.pk, 2), (book.pk, 2), (cup.pk, 1)],
        province="新疆",
        coupon_code="TEA15",
        at=at,
    )
    assert q.shipping_fee == D("32.00")


@pytest.mark.django_db
def test_quote_order_snapshots_what_the_order_line_needs(shopper):
    colour = AttributeValueFactory(value="Red")
    size = AttributeValueFactory(attribute__code="size", attribute__name="Size", value="M")
    sku = SKUFactory(price=D("99.00"), code="TEE-RED-M")
    sku.attribute_values.set([size, colour])
    ProductImageFactory(product=sku.product, position=1)
    first = ProductImageFactory(product=sku.product, position=0)
    q = quote_order(user=shopper, items=[(sku.pk, 1), (sku.pk, 2)], province="上海")
    (ql,) = q.lines
    assert ql.quantity == 3
    assert ql.sku_code == "TEE-RED-M"
    assert ql.product_title == sku.product.title
    assert ql.sku_attributes == "Colour: Red / Size: M"
    assert ql.image_url == first.image.url
    assert ql.merchant_id == sku.product.merchant_id
    assert q.merchants[0].merchant_name == sku.product.merchant.name
    assert q.payable_amount == D("297.00")  # no template: ships free


def _rich_catalogue(n_lines):
    """n_lines SKUs over two merchants, each with promotions, limited prices and shipping."""
    merchants = [MerchantFactory(), MerchantFactory()]
    skus = []
    for i in range(n_lines):
        merchant = merchants[i % 2]
        skus.append(SKUFactory(product=ProductFactory(merchant=merchant), price=D("30.00")))
    for merchant in merchants:
        PromotionTierFactory(promotion=PromotionFactory(merchant=merchant))
        PromotionFactory(
            merchant=merchant,
            kind=Promotion.Kind.PERCENT,
            percent_off=D("5"),
            applies_to_all=False,
            products=[s.product for s in skus[:4]],
        )
        ShippingRegionRateFactory(
            template=ShippingTemplateFactory(merchant=merchant), region="上海"
        )
    for sku in skus[::3]:
        LimitedTimePriceFactory(sku=sku, price=D("25.00"))
        ProductImageFactory(product=sku.product)
        sku.attribute_values.add(AttributeValueFactory(value=f"V{sku.pk}"))
    return skus


@pytest.mark.django_db
@pytest.mark.parametrize("n_lines", [2, 20])
def test_quote_order_query_count_does_not_grow_with_lines(
    n_lines, shopper, django_assert_max_num_queries
):
    # given a rich catalogue, a Gold shopper and a coupon
    skus = _rich_catalogue(n_lines)
    member_profile(user=shopper, tier=TierFactory())
    HeldCouponFactory(user=shopper, coupon=CouponFactory(code="FLAT5", value=D("5.00")))
    items = [(sku.pk, 1) for sku in skus]
    # when the order is quoted, then a fixed number of queries is enough
    with django_assert_max_num_queries(11):
        q = quote_order(user=shopper, items=items, province="上海", coupon_code="FLAT5")
    assert len(q.lines) == n_lines
    assert q.held_coupon_id is not None


@pytest.mark.django_db
def test_quote_order_query_count_same_for_2_and_20_lines(shopper):
    skus = _rich_catalogue(20)
    member_profile(user=shopper, tier=TierFactory())
    counts = []
    for n in (2, 20):
        with CaptureQueriesContext(connection) as ctx:
            quote_order(user=shopper, items=[(s.pk, 1) for s in skus[:n]], province="上海")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_sku",
    [
        pytest.param(lambda: SKUFactory(is_active=False), id="inactive sku"),
        pytest.param(lambda: SKUFactory(product__is_active=False), id="inactive product"),
        pytest.param(lambda: SKUFactory(product__merchant__is_active=False), id="closed shop"),
    ],
)
def test_quote_order_refuses_what_is_not_on_sale(make_sku, shopper):
    sku = make_sku()
    good = SKUFactory()
    with pytest.raises(InvalidInput) as error:
        quote_order(user=shopper, items=[(good.pk, 1), (sku.pk, 1)], province="上海")
    assert error.value.code == "unknown_sku"
    assert error.value.extra == {"sku_id": sku.pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("items", "province", "code"),
    [
        ([(999999999, 1)], "上海", "unknown_sku"),
        ([], "上海", "empty_order"),
        ("sku", "上海", "invalid_quantity"),
        ([("sku", 0)], "上海", "unknown_sku"),
        ("SKU:0", "上海", "invalid_quantity"),
        ("SKU:1000", "上海", "invalid_quantity"),
        ("SKU:1", "Narnia", "invalid_province"),
        ("SKU:1", "", "invalid_province"),
    ],
)
def test_quote_order_refuses_bad_input(items, province, code, shopper, settings):
    settings.CART_MAX_QUANTITY_PER_LINE = 999
    sku = SKUFactory()
    if isinstance(items, str) and items.startswith("SKU:"):
        items = [(sku.pk, int(items[4:]))]
    with pytest.raises(InvalidInput) as error:
        quote_order(user=shopper, items=items, province=province)
    assert error.value.code == code


@pytest.mark.django_db
def test_quote_order_coupon_rules(shopper):
    sku = SKUFactory(price=D("100.00"))
    other = UserFactory()
    HeldCouponFactory(user=other, coupon=CouponFactory(code="THEIRS"))
    HeldCouponFactory(user=shopper, coupon=CouponFactory(code="SPENT"), used_at=AT - DAY)
    HeldCouponFactory(
        user=shopper, coupon=CouponFactory(code="WELCOME", for_new_customers=True, value=D("20"))
    )
    member_profile(user=shopper, is_new_customer=True)

    def code_for(coupon_code):
        with pytest.raises(InvalidInput) as error:
            quote_order(user=shopper, items=[(sku.pk, 1)], province="上海", coupon_code=coupon_code)
        return error.value.code, error.value.extra["reason"]

    # another shopper's coupon, a used one and an unknown code are all refused
    assert code_for("THEIRS") == ("invalid_coupon", "not_held")
    assert code_for("SPENT") == ("invalid_coupon", "used")
    assert code_for("NOPE") == ("invalid_coupon", "not_held")
    # the welcome coupon works while the shopper is new, case-insensitively
    q = quote_order(user=shopper, items=[(sku.pk, 1)], province="上海", coupon_code=" welcome ")
    assert q.payable_amount == D("80.00")
    # and not once they have paid an order
    member_profile(user=shopper, is_new_customer=False)
    assert code_for("WELCOME") == ("invalid_coupon", "new_customers_only")


@pytest.mark.django_db
def test_quote_order_ignores_promotions_outside_their_window(shopper):
    sku = SKUFactory(price=D("100.00"))
    merchant = sku.product.merchant
    PromotionTierFactory(
        promotion=PromotionFactory(merchant=merchant, starts_at=AT + SECOND, ends_at=AT + DAY),
        threshold=D("100"),
        discount=D("10"),
    )
    PromotionTierFactory(
        promotion=PromotionFactory(merchant=merchant, is_active=False),
        threshold=D("100"),
        discount=D("30"),
    )
    LimitedTimePriceFactory(
        sku=sku, price=D("50.00"), promotion__starts_at=AT - DAY, promotion__ends_at=AT
    )
    q = quote_order(user=shopper, items=[(sku.pk, 1)], province="上海", at=AT)
    assert q.payable_amount == D("100.00")
    # a moment later the full reduction has started
    q = quote_order(user=shopper, items=[(sku.pk, 1)], province="上海", at=AT + SECOND)
    assert q.payable_amount == D("90.00")
