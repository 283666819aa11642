"""Hostile files, made in code (no committed binaries): what an attacker — or a confused phone —
might upload as a photo, a scan or a registry list. Each maker returns (file name, bytes)."""

import struct
import zipfile
import zlib
from io import BytesIO

from PIL import Image


def _jpeg(size=(320, 240), **save) -> bytes:
    buffer = BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buffer, "JPEG", **save)
    return buffer.getvalue()


def elf_executable() -> tuple[str, bytes]:
    header = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + struct.pack("<HHI", 2, 0x3E, 1)
    return "IMG_0001.jpg", header + b"\x00" * 4000 + b"/lib64/ld-linux-x86-64.so.2\x00"


def pe_executable() -> tuple[str, bytes]:
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44
    stub += struct.pack("<I", 0x80) + b"This program cannot be run in DOS mode.\r\r\n$"
    stub += b"\x00" * 60
    return "IMG_0002.jpg", stub + b"PE\x00\x00" + b"\x00" * 2000


def pdf_as_jpeg() -> tuple[str, bytes]:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog "
    body += b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n"
    return "IMG_0003.jpg", body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def html_as_jpeg() -> tuple[str, bytes]:
    return "IMG_0004.jpg", b"<!doctype html><html><body><script>alert(document.cookie)</script>"


def svg_with_script(name: str = "IMG_0005.jpg") -> tuple[str, bytes]:
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b"<script>fetch('/ledger/export.xlsx').then(r=>r.blob())</script>"
        b'<rect width="100" height="100" fill="red"/></svg>'
    )
    return name, svg


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb() -> tuple[str, bytes]:
    """A PNG that declares 100,000 × 100,000 pixels (30 GB decoded) in a few hundred bytes: the
    rows it carries are deflated zeros."""
    width = height = 100_000
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + width * 3) * 4, 9)
    body = _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")
    return "bomb.png", b"\x89PNG\r\n\x1a\n" + body


def png_bomb_under_pillows_limit() -> tuple[str, bytes]:
    """60 megapixels of one colour: ~60 KB on disk, 180 MB decoded; over our 40 MP limit and
    under the point where Pillow itself refuses to open it."""
    buffer = BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG", optimize=True)
    return "flat.png", buffer.getvalue()


def jpeg_bomb() -> tuple[str, bytes]:
    """A real small JPEG whose frame header is rewritten to claim 65,000 × 65,000 pixels."""
    data = bytearray(_jpeg((64, 48)))
    start = data.index(b"\xff\xc0")  # SOF0: length(2) precision(1) height(2) width(2)
    data[start + 5 : start + 9] = struct.pack(">HH", 65_000, 65_000)
    return "IMG_0006.jpg", bytes(data)


def jpeg_with_huge_exif() -> tuple[str, bytes]:
    """A 1-pixel-tall picture under ~14 MB of metadata: the largest EXIF block a JPEG segment
    holds, then ~220 more application segments of junk."""
    exif = Image.Exif()
    exif[0x010E] = "x" * 60_000  # ImageDescription
    data = _jpeg((64, 1), exif=exif.tobytes())
    junk = b"".join(b"\xff\xe5" + struct.pack(">H", 65_535) + b"J" * 65_533 for _ in range(220))
    return "IMG_0007.jpg", data[:2] + junk + data[2:]


def zero_bytes() -> tuple[str, bytes]:
    return "IMG_0008.jpg", b""


def truncated_jpeg() -> tuple[str, bytes]:
    data = _jpeg((1200, 900), quality=95)
    return "IMG_0009.jpg", data[: len(data) // 3]


def jpeg_header_then_html() -> tuple[str, bytes]:
    """A polyglot: JPEG's first bytes (so a magic-number check passes), then an HTML page."""
    page = b"<html><body><script>alert(document.domain)</script></body></html>"
    jfif = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return "IMG_0010.jpg", jfif + page


PHOTO_CORPUS = {
    "elf_executable": elf_executable,
    "pe_executable": pe_executable,
    "pdf_as_jpeg": pdf_as_jpeg,
    "html_as_jpeg": html_as_jpeg,
    "svg_as_jpeg": svg_with_script,
    "svg": lambda: svg_with_script("drawing.svg"),
    "png_bomb": png_bomb,
    "png_bomb_under_pillows_limit": png_bomb_under_pillows_limit,
    "jpeg_bomb": jpeg_bomb,
    "jpeg_with_huge_exif": jpeg_with_huge_exif,
    "zero_bytes": zero_bytes,
    "truncated_jpeg": truncated_jpeg,
    "jpeg_header_then_html": jpeg_header_then_html,
}


def xlsx_bomb(real: bytes) -> tuple[str, bytes]:
    """A real workbook whose shared strings are swapped for 40 MB that deflate ~1000 times: the
    shape of a zip bomb, small enough to make in a test (the limit is on the ratio as well as
    the total)."""
    source = zipfile.ZipFile(BytesIO(real))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for member in source.infolist():
            if member.filename != "xl/sharedStrings.xml":
                book.writestr(member, source.read(member))
        strings = b"<si><t>" + b"A" * 4000 + b"</t></si>"
        body = b'<?xml version="1.0"?><sst>' + strings * 10_000 + b"</sst>"
        book.writestr("xl/sharedStrings.xml", body)
    return "premises.xlsx", buffer.getvalue()


def truncated_xlsx(real: bytes) -> tuple[str, bytes]:
    return "premises.xlsx", real[: len(real) // 2]


def valid_jpeg_with_html_after_it() -> tuple[str, bytes]:
    """A real JPEG with an HTML page after its end marker: readable, so accepted — and the
    stored photo is re-encoded from the pixels, so nothing after the image survives."""
    page = b"<html><script>alert(1)</script></html>"
    return "IMG_0011.jpg", _jpeg((320, 240)) + page
