# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading a list of phone numbers from an uploaded file (.xlsx with openpyxl, or .csv).

The header row must have a column named ``TELEPHONE`` (case, accents and spaces ignored:
"Téléphone", "telephone " match). Every error is a :class:`SpreadsheetError` with a
``code`` the Odoo layer translates: ``too_big``, ``wrong_type``, ``encrypted``,
``unreadable``, ``empty``, ``no_column``, ``too_many_rows``, ``formula``,
``too_big_inside``, ``cell_too_long``.

Writing: every cell of the addon's exports is made by :func:`data_cell`, so that an
export holds data, never formulas (OWASP, "CSV injection"): a text is always written as
text.

Memory stays bounded whatever the file: an ``.xlsx`` is a zip whose parts are checked by
their declared uncompressed size *before* openpyxl opens it (Python's zipfile never
inflates a part past its declared size), the shared strings (which openpyxl keeps in
memory) at most ``MAX_SHARED_STRINGS`` bytes, the sheet read as a stream (read-only
mode); a ``.csv`` is at most ``MAX_BYTES`` and each field at most ``MAX_CELL``
characters.
"""

import csv
import io
import unicodedata
import zipfile

from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils.exceptions import InvalidFileException

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20000
MAX_PART = 64 * 1024 * 1024  # any part of the .xlsx, uncompressed
MAX_UNCOMPRESSED = 128 * 1024 * 1024  # all parts together
MAX_SHARED_STRINGS = (
    16 * 1024 * 1024
)  # xl/sharedStrings.xml, kept in memory by openpyxl
MAX_CELL = 1000  # characters of a TELEPHONE cell, and of a .csv field
COLUMN = "TELEPHONE"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls files
#: first characters that make a spreadsheet take what is typed or imported for a formula
#: (OWASP)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(ValueError):
    def __init__(self, code, message, **details):
        super().__init__(message)
        self.code = code
        self.details = details


def _normalise_header(value):
    text = (
        unicodedata.normalize("NFKD", str(value or ""))
        .encode("ascii", "ignore")
        .decode()
    )
    return "".join(text.split()).upper()


def _column_index(header):
    for index, value in enumerate(header):
        if _normalise_header(value) == COLUMN:
            return index
    raise SpreadsheetError("no_column", "The first row has no TELEPHONE column.")


def _check_parts(data):
    """Refuse an .xlsx whose parts would inflate past the limits, before anything is
    read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(
            "unreadable", "The file cannot be read as an Excel file."
        ) from None
    total = 0
    for part in parts:
        limit = (
            MAX_SHARED_STRINGS
            if part.filename.lower().endswith("sharedstrings.xml")
            else MAX_PART
        )
        total += part.file_size
        if part.file_size > limit or total > MAX_UNCOMPRESSED:
            raise SpreadsheetError(
                "too_big_inside",
                "Once unpacked, the file is too large " f"({part.filename}).",
                part=part.filename,
            )


def _rows_xlsx(data):
    if data[:8] == OLE_MAGIC:
        raise SpreadsheetError(
            "encrypted", "The file is password-protected or is an old .xls " "file."
        )
    _check_parts(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SpreadsheetError(
            "unreadable", "The file cannot be read as an Excel file."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            yield [cell for cell in row]
    finally:
        workbook.close()


def _cell_value(cell, row_number):
    if getattr(cell, "data_type", None) == "f":
        raise SpreadsheetError(
            "formula",
            f"Row {row_number} holds a formula instead of a "
            "value: paste the values.",
            row=row_number,
        )
    value = getattr(cell, "value", cell)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        # a number typed in a cell loses its leading zero: 612345678 -> 0612345678
        value = str(value)
        if len(value) == 9:
            value = "0" + value
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_CELL:
        raise SpreadsheetError(
            "cell_too_long",
            f"Row {row_number} holds a value of " f"{len(text)} characters.",
            row=row_number,
        )
    return text


def _rows_csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    previous = csv.field_size_limit(MAX_CELL)
    try:
        yield from csv.reader(io.StringIO(text), dialect)
    except csv.Error:
        raise SpreadsheetError(
            "cell_too_long",
            "A value of the file is longer than "
            f"{MAX_CELL} characters, or the file is not a CSV.",
        ) from None
    finally:
        csv.field_size_limit(previous)


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
            raise SpreadsheetError(
                "too_many_rows", "The file has more than 20,000 rows."
            )
        if index >= len(row):
            continue
        value = _cell_value(row[index], row_number)
        if value:
            values.append((row_number, value))
    if not values:
        raise SpreadsheetError("empty", "The TELEPHONE column is empty.")
    return values


# --------------------------------------------------------------------------------------
# writing: data, never formulas
# --------------------------------------------------------------------------------------
def looks_like_formula(value):
    """Whether a spreadsheet could take the text ``value`` for a formula or an error
    value."""
    return isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or value in ERROR_CODES
    )


def data_cell(sheet, value):
    """A cell of ``sheet`` holding ``value`` as data, for ``sheet.append`` (write-only
    sheets too). openpyxl writes a text starting with ``=`` as a formula and ``#N/A`` as
    an error: every text is stored as text here (``data_type`` "s", the exact characters
    kept); one that looks like a formula also gets Excel's *quote prefix* style, so that
    editing the cell in Excel or LibreOffice keeps it text (as if typed after an
    apostrophe) instead of running it."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell


def data_row(sheet, values):
    """``[data_cell(sheet, value), ...]``: a row for ``sheet.append``."""
    return [data_cell(sheet, value) for value in values]
