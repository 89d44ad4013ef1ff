# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading a list of phone numbers from an uploaded file (.xlsx with openpyxl, or .csv).

The header row must have a column named ``TELEPHONE`` (case, accents and spaces ignored:
"Téléphone", "telephone " match). Every error is a :class:`SpreadsheetError` with a ``code``
the Odoo layer translates: ``too_big``, ``wrong_type``, ``encrypted``, ``unreadable``,
``empty``, ``no_column``, ``too_many_rows``, ``formula``.
"""
import csv
import io
import unicodedata
import zipfile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20000
COLUMN = "TELEPHONE"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls files


class SpreadsheetError(ValueError):
    def __init__(self, code, message, **details):
        super().__init__(message)
        self.code = code
        self.details = details


def _normalise_header(value):
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return "".join(text.split()).upper()


def _column_index(header):
    for index, value in enumerate(header):
        if _normalise_header(value) == COLUMN:
            return index
    raise SpreadsheetError("no_column", "The first row has no TELEPHONE column.")


def _rows_xlsx(data):
    if data[:8] == OLE_MAGIC:
        raise SpreadsheetError("encrypted", "The file is password-protected or is an old .xls "
                                            "file.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SpreadsheetError("unreadable", "The file cannot be read as an Excel file.") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            yield [cell for cell in row]
    finally:
        workbook.close()


def _cell_value(cell, row_number):
    if getattr(cell, "data_type", None) == "f":
        raise SpreadsheetError("formula", f"Row {row_number} holds a formula instead of a "
                                          "value: paste the values.", row=row_number)
    value = getattr(cell, "value", cell)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        # a number typed in a cell loses its leading zero: 612345678 -> 0612345678
        value = str(value)
        if len(value) == 9:
            value = "0" + value
    return "" if value is None else str(value).strip()


def _rows_csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def read_phone_column(data, filename):
    """Return ``[(row_number, raw_value), ...]`` of the TELEPHONE column (empty cells
    skipped), or raise :class:`SpreadsheetError`."""
    if not data:
        raise SpreadsheetError("empty", "The file is empty.")
    if len(data) > MAX_BYTES:
        raise SpreadsheetError("too_big", "The file is larger than 10 MB.")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _rows_xlsx(data)
    elif name.endswith(".csv"):
        rows = _rows_csv(data)
    else:
        raise SpreadsheetError("wrong_type", "Only .xlsx and .csv files are accepted.")
    header = next(rows, None)
    if not header or not any(_cell_value(cell, 1) for cell in header):
        raise SpreadsheetError("empty", "The file is empty.")
    index = _column_index([_cell_value(cell, 1) for cell in header])
    values = []
    for row_number, row in enumerate(rows, start=2):
        if row_number - 1 > MAX_ROWS:
            raise SpreadsheetError("too_many_rows", "The file has more than 20,000 rows.")
        if index >= len(row):
            continue
        value = _cell_value(row[index], row_number)
        if value:
            values.append((row_number, value))
    if not values:
        raise SpreadsheetError("empty", "The TELEPHONE column is empty.")
    return values
