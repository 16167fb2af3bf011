"""Reading a bulk ship file (CSV or Excel) into rows."""

import io

import pytest
import tablib

from logistics.ship_import import bulk_ship_rows_from_file
from shop.errors import InvalidInput


def test_bulk_ship_rows_are_read_from_csv_and_xlsx():
    csv_bytes = b"sub_order_no,carrier,tracking_no\r\nS1,SF,SF1460000000301\r\n"
    book = tablib.Dataset(headers=["Sub order no", "Carrier", "Tracking no"])
    book.append(["S2", "ZTO", "75000000000302"])
    xlsx = io.BytesIO(book.export("xlsx")).getvalue()

    assert bulk_ship_rows_from_file(content=csv_bytes, filename="ship.csv") == [
        {"sub_order_no": "S1", "carrier": "SF", "tracking_no": "SF1460000000301"}
    ]
    assert bulk_ship_rows_from_file(content=xlsx, filename="ship.xlsx") == [
        {"sub_order_no": "S2", "carrier": "ZTO", "tracking_no": "75000000000302"}
    ]
    with pytest.raises(InvalidInput):
        bulk_ship_rows_from_file(content=b"a,b\n1,2\n", filename="x.csv")
    with pytest.raises(InvalidInput):
        bulk_ship_rows_from_file(content=b"not a workbook", filename="x.xlsx")
