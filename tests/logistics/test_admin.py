"""Fulfilment in the admin, by URL: the queue, pick list, pack and ship, out of stock, bulk
ship, parcels and carriers, each scoped to the staff's merchant."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from catalog.actors import SYSTEM
from logistics import services
from logistics.models import Shipment
from orders.models import SubOrder
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import merchant_staff, ops_user, paid_sub_order

pytestmark = pytest.mark.django_db

QUEUE = "admin:logistics_fulfilmentqueue_changelist"


@pytest.fixture
def two_merchants():
    mine, theirs = MerchantFactory(), MerchantFactory()
    return mine, theirs, merchant_staff(mine)


def test_the_queue_shows_only_my_merchants_sub_orders_oldest_first(
    client, two_merchants, django_assert_max_num_queries
):
    # given
    mine, theirs, staff = two_merchants
    older = paid_sub_order(merchant=mine)
    newer = paid_sub_order(merchant=mine)
    foreign = paid_sub_order(merchant=theirs)
    shipped = paid_sub_order(merchant=mine)
    services.sub_order_ship_next_parcel(
        sub_order_no=shipped.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000500",
        actor=SYSTEM,
    )
    client.force_login(staff)

    # when
    with django_assert_max_num_queries(25):
        response = client.get(reverse(QUEUE))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert older.sub_order_no in html and newer.sub_order_no in html
    assert foreign.sub_order_no not in html
    assert shipped.sub_order_no not in html
    assert html.index(older.sub_order_no) < html.index(newer.sub_order_no)


def test_ops_see_every_merchants_queue(client, two_merchants):
    mine, theirs, _ = two_merchants
    a, b = paid_sub_order(merchant=mine), paid_sub_order(merchant=theirs)
    client.force_login(ops_user())

    html = client.get(reverse(QUEUE)).content.decode()

    assert a.sub_order_no in html and b.sub_order_no in html


def test_another_merchants_sub_order_pages_are_not_found(client, two_merchants):
    _, theirs, staff = two_merchants
    foreign = paid_sub_order(merchant=theirs)
    client.force_login(staff)

    url = reverse("admin:logistics_fulfilmentqueue_ship", args=[foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "pack", "carrier": "sandbox"}).status_code == 404
    pick = client.get(reverse("admin:logistics_fulfilmentqueue_pick_list") + f"?ids={foreign.pk}")
    assert foreign.sub_order_no not in pick.content.decode()
    assert not Shipment.objects.filter(sub_order=foreign).exists()


def test_a_shopper_cannot_open_the_queue(client):
    sub_order = paid_sub_order()
    client.force_login(sub_order.order.user)

    response = client.get(reverse(QUEUE))

    assert response.status_code == 302  # to the admin login


def test_the_pick_list_prints_sku_barcode_quantity_location_and_warehouse(client, two_merchants):
    mine, _, staff = two_merchants
    sub_order = paid_sub_order(merchant=mine, items=[({"barcode": "6901234567892"}, 3)])
    line = sub_order.lines.get()
    client.force_login(staff)

    # when: the list action of the queue
    response = client.post(
        reverse(QUEUE),
        {"action": "print_pick_list", "_selected_action": [sub_order.pk]},
        follow=True,
    )

    # then
    html = response.content.decode()
    assert 'data-testid="pick-row"' in html
    for text in (
        line.sku_code,
        "6901234567892",
        "A-01-02",
        sub_order.warehouse.name,
        line.product_title,
    ):
        assert text in html
    assert '<td class="qty">3</td>' in html


def test_pack_and_ship_in_the_admin_ships_the_sub_order(client, two_merchants):
    # given
    mine, _, staff = two_merchants
    sub_order = paid_sub_order(merchant=mine, items=[({}, 2)])
    client.force_login(staff)
    url = reverse("admin:logistics_fulfilmentqueue_ship", args=[sub_order.pk])

    # when: pack with SF, then ship with a bad, then a good tracking number
    client.post(url, {"action": "pack", "carrier": "SF"})
    parcel = Shipment.objects.get(sub_order=sub_order)
    form = {
        "action": "ship",
        "parcel-TOTAL_FORMS": "1",
        "parcel-INITIAL_FORMS": "1",
        "parcel-0-shipment": str(parcel.pk),
        "parcel-0-carrier": "SF",
        "parcel-0-tracking_no": "SF12",
    }
    bad = client.post(url, form, follow=True)
    form["parcel-0-tracking_no"] = "SF1460000000501"
    good = client.post(url, form, follow=True)

    # then
    assert "is not a SF Express" in bad.content.decode()
    assert good.redirect_chain[-1][0] == reverse(QUEUE)
    assert f"Sub-order {sub_order.sub_order_no} shipped." in good.content.decode()
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.SHIPPED


def test_shortages_are_no_longer_recorded_in_the_logistics_admin(client, two_merchants):
    # given: after-sales records (and refunds) shortages at picking now
    mine, _, staff = two_merchants
    sub_order = paid_sub_order(merchant=mine, items=[({}, 2)])
    client.force_login(staff)

    # when
    page = client.get(reverse("admin:logistics_fulfilmentqueue_ship", args=[sub_order.pk]))

    # then: the page works without that URL, and logistics offers no shortage page of its own
    assert page.status_code == 200
    with pytest.raises(NoReverseMatch):
        reverse("admin:logistics_fulfilmentqueue_out_of_stock", args=[sub_order.pk])


def test_bulk_ship_page_reports_bad_rows_and_ships_nothing(client, two_merchants):
    mine, theirs, staff = two_merchants
    good = paid_sub_order(merchant=mine)
    foreign = paid_sub_order(merchant=theirs)
    client.force_login(staff)
    content = (
        "sub_order_no,carrier,tracking_no\n"
        f"{good.sub_order_no},SF,SF1460000000601\n"
        f"{foreign.sub_order_no},SF,SF1460000000602\n"
    ).encode()

    response = client.post(
        reverse("admin:logistics_shipment_bulk_ship"),
        {"file": SimpleUploadedFile("ship.csv", content, content_type="text/csv")},
    )

    html = response.content.decode()
    assert "Nothing shipped: 1 row to fix" in html
    assert html.count('data-testid="report-row"') == 2
    assert "Sub-order not found." in html
    assert SubOrder.objects.get(pk=good.pk).status == SubOrder.Status.AWAITING_SHIPMENT


def test_bulk_ship_page_ships_a_good_file(client, two_merchants):
    mine, _, staff = two_merchants
    good = paid_sub_order(merchant=mine)
    client.force_login(staff)
    content = f"sub_order_no,carrier,tracking_no\n{good.sub_order_no},SF,SF1460000000701\n"

    response = client.post(
        reverse("admin:logistics_shipment_bulk_ship"),
        {"file": SimpleUploadedFile("ship.csv", content.encode(), content_type="text/csv")},
    )

    assert "1 parcel shipped." in response.content.decode()
    assert SubOrder.objects.get(pk=good.pk).status == SubOrder.Status.SHIPPED


def test_parcels_in_the_admin_are_scoped_to_my_merchant(client, two_merchants):
    mine, theirs, staff = two_merchants
    own = services.sub_order_ship_next_parcel(
        sub_order_no=paid_sub_order(merchant=mine).sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000801",
        actor=SYSTEM,
    )
    other = services.sub_order_ship_next_parcel(
        sub_order_no=paid_sub_order(merchant=theirs).sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000802",
        actor=SYSTEM,
    )
    client.force_login(staff)

    listing = client.get(reverse("admin:logistics_shipment_changelist")).content.decode()
    assert own.tracking_no in listing and other.tracking_no not in listing
    assert client.get(reverse("admin:logistics_shipment_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:logistics_shipment_change", args=[other.pk])).status_code in (
        302,
        403,
        404,
    )


def test_carriers_are_for_operations_only(client, two_merchants):
    _, _, staff = two_merchants
    url = reverse("admin:logistics_carrier_changelist")

    client.force_login(staff)
    assert client.get(url).status_code == 403

    client.force_login(ops_user())
    response = client.get(url)
    assert response.status_code == 200
    assert "SF Express" in response.content.decode()


def test_the_pick_list_ignores_ids_that_are_not_plain_numbers(client, two_merchants):
    # given: an id typed by hand, with a superscript digit and one beyond the key's range
    mine, _, staff = two_merchants
    sub_order = paid_sub_order(merchant=mine)
    client.force_login(staff)
    url = reverse("admin:logistics_fulfilmentqueue_pick_list")
    # when
    response = client.get(url + f"?ids={sub_order.pk},²,99999999999999999999999")
    # then: the real sub-order is listed, the rest left out
    assert response.status_code == 200
    assert sub_order.sub_order_no in response.content.decode()
