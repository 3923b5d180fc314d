"""Well-formed office files made with the libraries that write each format, so that no binary
is committed; shared by the parser tests and the worker and question tests."""

import datetime
import io
from email.message import EmailMessage


def docx_file(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def limits_workbook() -> bytes:
    """XlsxWriter stores a formula with its computed value, as Excel does (openpyxl does not)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    limits = workbook.add_worksheet("Approval limits")
    limits.write_row(0, 0, ["Approval limits FY2026"])
    limits.write_row(2, 0, ["Role", "Approval limit (EUR)", "Doubled"])
    money = workbook.add_format({"num_format": "#,##0"})
    for row, (role, limit) in enumerate([("Manager", 10_000), ("CFO", 250_000), ("CEO", 1_000_000)], start=3):
        limits.write(row, 0, role)
        limits.write_number(row, 1, limit, money)
        limits.write_formula(row, 2, f"=B{row + 1}*2", money, limit * 2)
    rates = workbook.add_worksheet("Rates")
    rates.write_row(0, 0, ["Currency", "Rate", "Since"])
    rates.write_row(1, 0, ["USD", 0.92])
    rates.write_datetime(
        1, 2, datetime.datetime(2026, 1, 1), workbook.add_format({"num_format": "yyyy-mm-dd"})
    )
    hidden = workbook.add_worksheet("Scratch")
    hidden.write(0, 0, "do not index")
    hidden.hide()
    workbook.close()
    return buffer.getvalue()


def travel_deck(slide_count: int = 2) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "Travel rules"
    slide.placeholders[1].text_frame.text = "Book through the travel desk."
    slide.notes_slide.notes_text_frame.text = "Mention the 21-day rule."
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(5), Inches(6), Inches(1)).table
    for c, (head, value) in enumerate([("City tier", "Tier 1"), ("Limit per night", "EUR 220")]):
        table.cell(0, c).text, table.cell(1, c).text = head, value
    for _ in range(slide_count - 1):
        other = presentation.slides.add_slide(presentation.slide_layouts[5])
        other.shapes.title.text = "Questions"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def hotel_mail(*, html: bool = False, attachment: bool = False, body: bool = True) -> bytes:
    message = EmailMessage()
    message["From"] = "Chen Jing <chen.jing@northwind.example>"
    message["To"] = "finance@northwind.example"
    message["Date"] = "Mon, 2 Feb 2026 09:30:00 +0800"
    message["Subject"] = "New hotel limits from March"
    if body:
        message.set_content("From 1 March the Tier 1 hotel limit is EUR 240.\n\nRegards,\nChen Jing\n")
    if html:
        message.add_alternative(
            "<p>From 1 March the <b>Tier 1</b> hotel limit is EUR 240.</p>", subtype="html"
        )
    if attachment:
        message.add_attachment(b"%PDF-1.4 ...", maintype="application", subtype="pdf", filename="limits.pdf")
    return message.as_bytes()
