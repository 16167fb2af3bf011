"""Reading a bulk ship file (CSV or Excel) into rows; shipping them is
logistics.services.bulk_ship.shipments_bulk_ship."""

import csv
import io

import tablib

from shop.errors import DomainError, InvalidInput

BULK_COLUMNS = ("sub_order_no", "carrier", "tracking_no")
_HEADER_ALIASES = {
    "sub_order_no": "sub_order_no",
    "sub-order": "sub_order_no",
    "sub_order": "sub_order_no",
    "order_no": "sub_order_no",
    "carrier": "carrier",
    "carrier_code": "carrier",
    "tracking_no": "tracking_no",
    "tracking_number": "tracking_no",
    "tracking": "tracking_no",
}


def bulk_ship_rows_from_file(*, content: bytes, filename: str) -> list[dict]:
    """Rows of a CSV or XLSX with the columns sub_order_no, carrier, tracking_no."""
    name = (filename or "").lower()
    try:
        if name.endswith(".xlsx"):
            dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
            headers = [str(h or "").strip().lower() for h in dataset.headers or []]
            records = [["" if v is None else str(v).strip() for v in row] for row in dataset]
        elif name.endswith(".csv") or not name:
            text = content.decode("utf-8-sig")
            reader = list(csv.reader(io.StringIO(text)))
            if not reader:
                raise InvalidInput("The file is empty.", code="empty_file")
            headers = [h.strip().lower() for h in reader[0]]
            records = [[v.strip() for v in row] for row in reader[1:] if any(row)]
        else:
            raise InvalidInput("Upload a .csv or .xlsx file.", code="invalid_file")
    except (UnicodeDecodeError, ValueError, KeyError) as exc:
        raise InvalidInput(f"Could not read the file: {exc}", code="invalid_file") from None
    except Exception as exc:  # openpyxl raises its own errors on a broken workbook
        if isinstance(exc, DomainError):
            raise
        raise InvalidInput("Could not read the file as a workbook.", code="invalid_file") from None
    columns = {}
    for index, header in enumerate(headers):
        key = _HEADER_ALIASES.get(header.replace(" ", "_"))
        if key and key not in columns:
            columns[key] = index
    missing = [c for c in BULK_COLUMNS if c not in columns]
    if missing:
        raise InvalidInput(
            f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(BULK_COLUMNS)}.",
            code="invalid_file",
        )
    return [
        {key: (record[index] if index < len(record) else "") for key, index in columns.items()}
        for record in records
    ]
