# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from psms_tools.excel import MAX_ROWS, SpreadsheetError, read_phone_column


def xlsx(rows, formula_row=None):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if formula_row:
        sheet.cell(row=formula_row, column=1, value="=A2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_numbers():
    data = xlsx(
        [
            ["Nom", "Téléphone"],
            ["A", "06 12 34 56 78"],
            ["B", 612345679],
            ["C", None],
            ["D", "+33 7 81 23 45 67"],
        ]
    )
    assert read_phone_column(data, "liste.xlsx") == [
        (2, "06 12 34 56 78"),
        (3, "0612345679"),
        (5, "+33 7 81 23 45 67"),
    ]


def test_csv_semicolon_and_comma():
    data = b"NOM;TELEPHONE\nA;06 12 34 56 78\nB;0612345679\n"
    assert read_phone_column(data, "l.csv") == [
        (2, "06 12 34 56 78"),
        (3, "0612345679"),
    ]
    data = "telephone,nom\n0612345678,A\n".encode("latin-1")
    assert read_phone_column(data, "L.CSV") == [(2, "0612345678")]


@pytest.mark.parametrize(
    "data, filename, code",
    [
        (b"", "a.xlsx", "empty"),
        (b"x" * (10 * 1024 * 1024 + 1), "a.xlsx", "too_big"),
        (b"hello", "a.pdf", "wrong_type"),
        (b"not a zip", "a.xlsx", "unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xlsx", "encrypted"),
        (b"NOM;PORTABLE\nA;0612345678\n", "a.csv", "no_column"),
        (b"TELEPHONE\n\n\n", "a.csv", "empty"),
    ],
)
def test_refused_files(data, filename, code):
    with pytest.raises(SpreadsheetError) as err:
        read_phone_column(data, filename)
    assert err.value.code == code


def test_missing_column_xlsx():
    with pytest.raises(SpreadsheetError) as err:
        read_phone_column(xlsx([["Nom", "Mobile"], ["A", "0612345678"]]), "a.xlsx")
    assert err.value.code == "no_column"


def test_formula_refused():
    with pytest.raises(SpreadsheetError) as err:
        read_phone_column(
            xlsx([["TELEPHONE"], ["0612345678"], [None]], formula_row=3), "a.xlsx"
        )
    assert err.value.code == "formula"
    assert err.value.details["row"] == 3


def test_too_many_rows():
    rows = "TELEPHONE\n" + "0612345678\n" * (MAX_ROWS + 1)
    with pytest.raises(SpreadsheetError) as err:
        read_phone_column(rows.encode(), "a.csv")
    assert err.value.code == "too_many_rows"
    rows = "TELEPHONE\n" + "0612345678\n" * MAX_ROWS
    assert len(read_phone_column(rows.encode(), "a.csv")) == MAX_ROWS


# -- hostile files: refused before they are inflated -----------------------------------
def test_a_shared_string_bomb_is_refused_unread():
    from psms_fakes.fake_files import bomb_xlsx
    from psms_tools.excel import MAX_SHARED_STRINGS

    data = bomb_xlsx(MAX_SHARED_STRINGS + 1)
    assert len(data) < 200 * 1024
    with pytest.raises(SpreadsheetError) as error:
        read_phone_column(data, "bombe.xlsx")
    assert error.value.code == "too_big_inside"
    assert "sharedStrings" in error.value.details["part"]


def test_a_long_cell_under_the_part_limits_is_refused_as_a_cell():
    from psms_fakes.fake_files import bomb_xlsx

    with pytest.raises(SpreadsheetError) as error:
        read_phone_column(bomb_xlsx(5000), "long.xlsx")
    assert error.value.code == "cell_too_long"
    assert read_phone_column(bomb_xlsx(10), "ok.xlsx") == [(2, "0000000000")]


def test_csv_field_limit_and_garbage():
    with pytest.raises(SpreadsheetError) as error:
        read_phone_column(("TELEPHONE\n" + "1" * 200000 + "\n").encode(), "long.csv")
    assert error.value.code == "cell_too_long"
    with pytest.raises(SpreadsheetError) as error:
        read_phone_column(b"PK\x03\x04garbage", "broken.xlsx")
    assert error.value.code == "unreadable"


# -- writing: an export holds data, never formulas -------------------------------------
FORMULA_LIKE = [
    '=HYPERLINK("http://x","Cliquez ici")',
    "+33 6 12 34 56 78",
    "-1",
    "@SUM(A1)",
    "\tX",
    "\rX",
    "=",
    "#N/A",
    "#DIV/0!",
]


def _write(values, write_only):
    from psms_tools.excel import data_row

    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("S") if write_only else workbook.active
    sheet.append(data_row(sheet, values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read(data, read_only):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=read_only)
    row = next(workbook.worksheets[0].iter_rows())
    return [(cell.value, cell.data_type) for cell in row], row


def test_plain_openpyxl_writes_such_texts_as_formulas():
    """Why the helper exists: ``append`` of a plain value makes ``=…`` a formula."""
    workbook = Workbook()
    workbook.active.append(FORMULA_LIKE)
    buffer = io.BytesIO()
    workbook.save(buffer)
    types = [data_type for _value, data_type in _read(buffer.getvalue(), False)[0]]
    assert types[0] == "f" and types[7] == "e"


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("read_only", [False, True])
def test_texts_are_written_as_text_exactly(write_only, read_only):
    cells, _row = _read(
        _write(FORMULA_LIKE + ["Bonjour", "a\r\nb"], write_only), read_only
    )
    assert cells == [(value, "s") for value in FORMULA_LIKE + ["Bonjour", "a\r\nb"]]


def test_formula_like_texts_get_the_quote_prefix_and_only_they():
    from psms_tools.excel import looks_like_formula

    _cells, row = _read(_write(FORMULA_LIKE + ["Bonjour", "1-2", " =1"], False), False)
    assert [cell.quotePrefix for cell in row] == [True] * len(FORMULA_LIKE) + [
        False
    ] * 3
    assert all(map(looks_like_formula, FORMULA_LIKE))
    assert not any(map(looks_like_formula, ["", "Bonjour", "1-2", None, 12, -1]))


def test_other_values_keep_their_type():
    from datetime import datetime

    cells, _row = _read(
        _write([datetime(2026, 1, 2, 9, 30), 3, None, -1, 2.5], False), False
    )
    assert cells == [
        (datetime(2026, 1, 2, 9, 30), "d"),
        (3, "n"),
        (None, "n"),
        (-1, "n"),
        (2.5, "n"),
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        st.characters(
            blacklist_categories=("Cs",),
            blacklist_characters="".join(
                map(chr, [*range(0, 9), 11, 12, *range(14, 32)])
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_text_comes_back_as_the_same_text(text):
    """Whatever a participant or a user typed, the cell reads back as that text."""
    cells, _row = _read(_write([text, "=" + text], True), False)
    assert cells == [(text, "s"), ("=" + text, "s")]
