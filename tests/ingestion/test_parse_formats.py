"""The documents companies actually have: Word tables, spreadsheets, CSV, slides, e-mail,
OpenDocument, legacy encodings and PDFs with stray leading bytes. Every file is made here
with the library that writes the format, so no binary is committed. No database needed."""

import io
from pathlib import Path

import pytest

from ingestion.chunk import chunk_document
from ingestion.parse import ParseError, ParseLimits, detect_type, parse_document, table_rows
from tests.ingestion import bad_files
from tests.ingestion.office_files import docx_file, hotel_mail, limits_workbook, travel_deck


def texts(parsed) -> list[str]:
    return [section.text for section in parsed.sections]


# --- the one table form -------------------------------------------------------------


def test_a_table_row_carries_its_column_headers():
    rows = [["City tier", "Examples", "Limit per night"], ["Tier 1", "London, Paris", "EUR 220"]]
    assert table_rows(rows) == ["City tier: Tier 1 · Examples: London, Paris · Limit per night: EUR 220"]


def test_a_two_column_list_without_a_header_mark_stays_term_and_value():
    rows = [["Governing law", "England and Wales"], ["Notice period", "30 days"]]
    assert table_rows(rows) == ["Governing law · England and Wales", "Notice period · 30 days"]


def test_markdown_tables_read_like_the_others():
    source = b"# Hotels\n\n| City tier | Examples | Limit per night |\n|---|---|---|\n| Tier 1 | London | EUR 220 |\n"
    parsed = parse_document(source, "hotels.md")
    assert texts(parsed) == ["City tier: Tier 1 · Examples: London · Limit per night: EUR 220"]


def test_html_header_cells_and_spans_stay_over_their_values():
    page = (
        b"<table><tr><th>Role</th><th colspan=2>Limit</th></tr>"
        b"<tr><td>CFO</td><td>EUR 250,000</td><td>per order</td></tr></table>"
    )
    assert texts(parse_document(page, "limits.html")) == ["Role: CFO · Limit: EUR 250,000 · Limit: per order"]


# --- Word ------------------------------------------------------------------------------


def test_a_word_file_made_only_of_tables_is_read():
    def build(document):
        table = document.add_table(rows=3, cols=3)
        for r, row in enumerate(
            [
                ["Role", "Approval limit", "Approver"],
                ["CFO", "EUR 250,000", "CEO"],
                ["CEO", "EUR 1,000,000", "Board"],
            ]
        ):
            for c, value in enumerate(row):
                table.cell(r, c).text = value

    parsed = parse_document(docx_file(build), "limits.docx")
    assert texts(parsed) == [
        "Role: CFO · Approval limit: EUR 250,000 · Approver: CEO",
        "Role: CEO · Approval limit: EUR 1,000,000 · Approver: Board",
    ]


def test_word_paragraphs_and_tables_keep_reading_order_and_a_bold_header_counts():
    def build(document):
        document.add_heading("Expenses", 1)
        document.add_paragraph("Limits are per claim.")
        table = document.add_table(rows=2, cols=2)
        for c, value in enumerate(["Item", "Limit"]):
            table.cell(0, c).paragraphs[0].add_run(value).bold = True
        table.cell(1, 0).text, table.cell(1, 1).text = "Taxi", "EUR 40"
        document.add_paragraph("Receipts are required.")

    parsed = parse_document(docx_file(build), "expenses.docx")
    assert [(s.heading, s.text) for s in parsed.sections] == [
        ("Expenses", "Limits are per claim."),
        ("Expenses", "Item: Taxi · Limit: EUR 40"),
        ("Expenses", "Receipts are required."),
    ]


def test_merged_word_cells_are_read_once():
    def build(document):
        table = document.add_table(rows=3, cols=3)
        for r, row in enumerate([["Grade", "Hotel", "Meals"], ["G1", "", ""], ["G2", "EUR 150", "EUR 50"]]):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        table.cell(1, 1).merge(table.cell(1, 2)).text = "Not eligible"

    assert (
        texts(parse_document(docx_file(build), "grades.docx"))[0]
        == "Grade: G1 · Hotel: Not eligible · Meals: Not eligible"
    )


def test_word_headers_and_footers_are_read_once_at_the_end():
    def build(document):
        document.sections[0].header.paragraphs[0].text = "Northwind Robotics — Internal"
        document.sections[0].footer.paragraphs[0].text = "Finance policy v5"
        document.add_paragraph("Page one text.")
        document.add_section()
        document.add_paragraph("Page two text.")

    parsed = parse_document(docx_file(build), "policy.docx")
    assert texts(parsed) == [
        "Page one text.",
        "Page two text.",
        "Northwind Robotics — Internal",
        "Finance policy v5",
    ]
    assert parsed.sections[-1].heading == "Page header and footer"


def test_text_inside_word_content_controls_is_read():
    from docx.oxml import parse_xml

    def build(document):
        w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        control = f"<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>Clause in a control.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        document.element.body.insert(0, parse_xml(control))

    assert texts(parse_document(docx_file(build), "template.docx")) == ["Clause in a control."]


# --- spreadsheets and CSV --------------------------------------------------------------


def test_a_sheet_is_a_section_of_header_and_row_lines_with_formulas_as_values():
    parsed = parse_document(limits_workbook(), "limits.xlsx")

    assert parsed.detected_type == "xlsx"
    assert [(s.heading, s.text) for s in parsed.sections] == [
        ("Approval limits", "Approval limits FY2026"),
        ("Approval limits", "Role: Manager · Approval limit (EUR): 10,000 · Doubled: 20,000"),
        ("Approval limits", "Role: CFO · Approval limit (EUR): 250,000 · Doubled: 500,000"),
        ("Approval limits", "Role: CEO · Approval limit (EUR): 1,000,000 · Doubled: 2,000,000"),
        ("Rates", "Currency: USD · Rate: 0.92 · Since: 2026-01-01"),
    ]


def test_the_cfo_row_is_one_chunk_under_its_sheet():
    """The question "What is the approval limit for a CFO?" finds one chunk that says it whole."""
    parsed = parse_document(limits_workbook(), "limits.xlsx")
    chunks = chunk_document(
        parsed, count_tokens=lambda text: len(text.split()), max_tokens=24, overlap_tokens=0
    )

    cfo = [c for c in chunks if "CFO" in c.text]
    assert len(cfo) == 1
    assert "Role: CFO · Approval limit (EUR): 250,000" in cfo[0].text
    assert cfo[0].heading == "Approval limits"


def test_it_refuses_a_workbook_over_the_sheet_or_cell_limit():
    data = limits_workbook()
    with pytest.raises(ParseError, match=r"^the workbook has 2 sheets, over the limit of 1$"):
        parse_document(data, "limits.xlsx", limits=ParseLimits(max_sheets=1))
    with pytest.raises(ParseError, match=r"more than 5 filled cells"):
        parse_document(data, "limits.xlsx", limits=ParseLimits(max_cells=5))


def test_a_workbook_openpyxl_wrote_is_read():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Leave"
    for row in [["Country", "Annual leave", "Carry-over"], ["UK", "25 days", "5 days"]]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert texts(parse_document(buffer.getvalue(), "leave.xlsx")) == [
        "Country: UK · Annual leave: 25 days · Carry-over: 5 days"
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("limits.csv", b'Role,Approval limit\nCFO,"EUR 250,000"\n'),
        ("limits.csv", "Role;Approval limit\nCFO;EUR 250.000\n".encode("cp1252")),
        ("limits.tsv", b"Role\tApproval limit\nCFO\tEUR 250,000\n"),
    ],
    ids=["comma", "semicolon", "tab"],
)
def test_csv_rows_carry_their_header_whatever_the_delimiter(name, data):
    parsed = parse_document(data, name)
    assert parsed.detected_type == "csv"
    assert texts(parsed)[0].startswith("Role: CFO · Approval limit: EUR 250")


def test_a_chinese_csv_saved_by_excel_in_gbk_is_read():
    data = '事项,部门经理,首席财务官\n费用报销,"5,000 元","200,000 元"\n'.encode("gbk")
    parsed = parse_document(data, "matrix.csv")
    assert texts(parsed) == ["事项: 费用报销 · 部门经理: 5,000 元 · 首席财务官: 200,000 元"]
    assert parsed.encoding == "GB18030"


# --- slides --------------------------------------------------------------------------


def test_a_slide_gives_its_title_text_table_and_notes_with_its_number_as_page():
    parsed = parse_document(travel_deck(), "travel.pptx")

    assert parsed.title == "Travel rules"
    assert [(s.heading, s.page, s.text) for s in parsed.sections] == [
        ("Slide 1: Travel rules", 1, "Book through the travel desk."),
        ("Slide 1: Travel rules", 1, "City tier: Tier 1 · Limit per night: EUR 220"),
        ("Slide 1: Travel rules", 1, "Speaker notes: Mention the 21-day rule."),
    ]


def test_it_refuses_a_presentation_over_the_slide_limit():
    with pytest.raises(ParseError, match=r"^the presentation has 3 slides, over the limit of 2$"):
        parse_document(travel_deck(3), "deck.pptx", limits=ParseLimits(max_slides=2))


# --- e-mail --------------------------------------------------------------------------


def test_an_email_gives_its_subject_sender_date_and_body():
    parsed = parse_document(hotel_mail(html=True), "limits.eml")

    assert parsed.title == "New hotel limits from March"
    assert texts(parsed) == [
        "From: Chen Jing <chen.jing@northwind.example> · To: finance@northwind.example · Date: Mon, 02 Feb 2026 09:30:00 +0800",
        "From 1 March the Tier 1 hotel limit is EUR 240.",
        "Regards,",
        "Chen Jing",
    ]


def test_an_emails_attachments_are_listed_not_read():
    parsed = parse_document(hotel_mail(attachment=True), "limits.eml")
    assert texts(parsed)[-1] == "Attachments, not indexed with the message: limits.pdf (application/pdf)"


def test_an_email_that_is_only_attachments_is_refused_with_their_names():
    with pytest.raises(ParseError, match=r"no text of its own.*limits\.pdf.*upload them as documents"):
        parse_document(hotel_mail(body=False, attachment=True), "fwd.eml")


def test_a_text_file_named_eml_without_headers_is_refused():
    with pytest.raises(ParseError, match=r"no e-mail headers"):
        parse_document(b"Just some notes, not a message.\n", "notes.eml")


# --- OpenDocument --------------------------------------------------------------------


def test_an_odt_gives_headings_paragraphs_lists_and_tables():
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Leave policy"))
    document.text.addElement(P(text="Annual leave is 25 days."))
    items = List()
    item = ListItem()
    item.addElement(P(text="Book it in the HR portal."))
    items.addElement(item)
    document.text.addElement(items)
    table = Table(name="Carry")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    header = TableHeaderRows()
    for cells, parent in ((("Country", "Carry-over"), header), (("UK", "5 days"), table)):
        row = TableRow()
        for value in cells:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        parent.addElement(row)
        if parent is header:
            table.addElement(header)
    document.text.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)

    parsed = parse_document(buffer.getvalue(), "leave.odt")
    assert parsed.detected_type == "odt"
    assert parsed.title == "Leave policy"
    assert texts(parsed) == [
        "Annual leave is 25 days.",
        "Book it in the HR portal.",
        "Country: UK · Carry-over: 5 days",
    ]


# --- encodings -----------------------------------------------------------------------

LEAVE_ZH = "年假：员工每年享有 15 天带薪年假。"
LEAVE_TW = "年假：員工每年享有十五天帶薪年假，請於人資系統申請。"
LEAVE_JA = "年次有給休暇：社員は毎年15日の有給休暇を取得できます。"
MENU = "Café crème brûlée, déjà vu à la carte — “menu” for €12."


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        (LEAVE_ZH, "utf-8", "UTF-8"),
        (LEAVE_ZH, "utf-8-sig", "UTF-8"),
        (LEAVE_ZH, "utf-16", "UTF-16"),
        ("Annual leave is 25 days.\n", "utf-16-le", "UTF-16"),
        ("Annual leave is 25 days.\n", "utf-16-be", "UTF-16"),
        (LEAVE_ZH, "gb18030", "GB18030"),
        (LEAVE_ZH, "gbk", "GB18030"),
        (LEAVE_TW, "big5", "Big5"),
        (LEAVE_JA, "shift_jis", "Shift-JIS"),
        (MENU, "cp1252", "Windows-1252"),
        ("Café crème brûlée, déjà vu à la carte.", "latin-1", "Windows-1252"),
    ],
    ids=[
        "utf-8",
        "utf-8 bom",
        "utf-16 bom",
        "utf-16-le",
        "utf-16-be",
        "gb18030",
        "gbk",
        "big5",
        "shift-jis",
        "cp1252",
        "latin-1",
    ],
)
def test_it_reads_text_in_the_encodings_company_tools_save_and_says_which(text, encoding, detected):
    parsed = parse_document(text.encode(encoding), "note.txt")
    assert "\n".join(texts(parsed)) == text.strip()
    assert parsed.encoding == detected


def test_html_in_a_legacy_encoding_is_read():
    parsed = parse_document(f"<html><body><p>{LEAVE_ZH}</p></body></html>".encode("gbk"), "leave.html")
    assert texts(parsed) == [LEAVE_ZH]


# --- PDF, detection, legacy formats --------------------------------------------------


def test_a_pdf_with_a_byte_order_mark_before_its_header_is_read():
    data = b"\xef\xbb\xbf" + bad_files.text_pdf()
    assert detect_type(data, "bom.pdf") == "pdf"
    assert "Trips abroad need the director's approval." in "\n".join(texts(parse_document(data, "bom.pdf")))


def test_it_refuses_a_pdf_over_the_page_limit():
    with pytest.raises(ParseError, match=r"^the PDF has 1 pages, over the limit of 0$"):
        parse_document(bad_files.text_pdf(), "one.pdf", limits=ParseLimits(max_pages=0))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("old.doc", r"old Word \.doc files are not supported .* save it as \.docx"),
        ("old.xls", r"old Excel \.xls files are not supported"),
        ("mail.msg", r"Outlook \.msg files are not supported"),
    ],
)
def test_legacy_formats_are_refused_saying_what_to_do(name, reason):
    with pytest.raises(ParseError, match=reason):
        parse_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, name)


def test_office_files_are_sniffed_and_a_renamed_one_is_refused():
    xlsx = limits_workbook()
    assert detect_type(xlsx, "a.xlsx") == "xlsx"
    assert detect_type(travel_deck(), "a.pptx") == "pptx"
    with pytest.raises(ParseError, match=r"named \.docx but its content is an Excel workbook"):
        detect_type(xlsx, "a.docx")
    with pytest.raises(ParseError, match=r"Excel workbook is password-protected or in the old \.xls format"):
        detect_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "locked.xlsx")


@pytest.mark.parametrize("name", ["limits.xlsx", "travel.pptx", "limits.eml", "limits.csv"])
def test_damaged_copies_of_new_formats_fail_only_with_parse_errors(name):
    data = {"limits.xlsx": limits_workbook, "travel.pptx": travel_deck, "limits.eml": hotel_mail}.get(
        name, lambda: b"Role,Limit\nCFO,250000\n" * 50
    )()
    damaged = [data[:cut] for cut in (len(data) // 5, len(data) // 2, len(data) - 10)]
    damaged += [data[:offset] + b"\xff" * 64 + data[offset + 64 :] for offset in (200, len(data) // 2)]
    for variant in damaged:
        try:
            parse_document(variant, name)
        except ParseError as refused:
            assert str(refused)


def test_python_docx_own_file_of_empty_tables_is_refused_as_having_no_text():
    """Shipped in python-docx's sdist (see files/README.md): two tables, every cell empty."""
    data = (Path(__file__).parent / "files" / "tbl-having-tables.docx").read_bytes()
    with pytest.raises(ParseError, match=r"^no readable text was found in the document$"):
        parse_document(data, "tbl-having-tables.docx")
