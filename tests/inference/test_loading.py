"""Document loading: every fixture is generated here, nothing is read from the repository."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import time
import zipfile
import zlib

import numpy as np
import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from inference.errors import InputRefused
from inference.loading import PageImage, load_pages, load_path, sniff_format

RGB = (200, 100, 30)
BGR = RGB[::-1]
LOSSY = {"jpeg", "webp", "pdf"}
RASTER_FORMATS = ["png", "jpeg", "tiff", "bmp", "webp"]
REASONS = {"empty", "unsupported_format", "corrupt", "encrypted_pdf", "too_large"}


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt.upper(), **params)
    return buf.getvalue()


def solid(size: tuple[int, int] = (40, 30), colour: tuple[int, ...] = RGB, mode: str = "RGB"):
    return Image.new(mode, size, colour)


def noise(size: tuple[int, int] = (64, 48)) -> Image.Image:
    """Incompressible, so that cutting the file in half really cuts the pixel data."""
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def refused(data: bytes, **kw: object) -> InputRefused:
    with pytest.raises(InputRefused) as caught:
        load_pages(data, **kw)
    assert "\n" not in str(caught.value)
    return caught.value


def assert_bgr(page: PageImage, shape: tuple[int, int], bgr: tuple[int, ...], atol: int = 0):
    assert page.image.dtype == np.uint8
    assert page.image.shape == (*shape, 3)
    centre = page.image[shape[0] // 2, shape[1] // 2].astype(int)
    np.testing.assert_allclose(centre, bgr, atol=atol)


def pdf_bytes(objects: list[bytes], trailer: bytes) -> bytes:
    """A PDF file from numbered object bodies (1, 2, ...), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: bytes, owner_password: bytes) -> bytes:
    """A one-page PDF locked with the PDF standard security handler, revision 2 (40-bit RC4),
    following ISO 32000-1 section 7.6.3, algorithms 2, 3 and 4. Neither qpdf nor pypdf is
    installed, and the page has no strings or streams, so only /O and /U need computing."""
    pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
    file_id = bytes(range(16))
    permissions = struct.pack("<i", -4)
    owner = rc4(hashlib.md5((owner_password + pad)[:32]).digest()[:5], (user_password + pad)[:32])
    key = hashlib.md5((user_password + pad)[:32] + owner + permissions + file_id).digest()[:5]
    user = rc4(key, pad)
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>"
            % (owner.hex().encode(), user.hex().encode()),
        ],
        b"<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>"
        % (file_id.hex().encode(), file_id.hex().encode()),
    )


def png_bomb(side: int) -> bytes:
    """A valid 1-bit side x side PNG: a few tens of KB that would decode to side² RGB pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    compressor = zlib.compressobj(9)
    row = bytes(1 + (side + 7) // 8)  # filter byte + packed bits
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", RASTER_FORMATS)
def test_each_raster_format_loads_as_bgr(fmt: str) -> None:
    [page] = load_pages(encode(solid(), fmt))
    assert page.index == 0
    assert page.source_format == fmt
    assert_bgr(page, (30, 40), BGR, atol=4 if fmt in LOSSY else 0)


@pytest.mark.parametrize("fmt", [*RASTER_FORMATS, "pdf"])
def test_format_is_sniffed_from_bytes_not_the_file_name(fmt: str, tmp_path) -> None:
    data = encode(solid(), fmt)
    assert sniff_format(data) == fmt
    misnamed = tmp_path / "timetable.txt"
    misnamed.write_bytes(data)
    assert [page.source_format for page in load_path(misnamed)] == [fmt]


def test_pdf_header_after_leading_junk_is_still_a_pdf() -> None:
    data = b"\r\n\xef\xbb\xbf" + encode(solid(), "pdf")
    assert sniff_format(data) == "pdf"
    assert len(load_pages(data)) == 1


def test_every_pdf_page_is_rendered_at_the_requested_dpi() -> None:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    first, *rest = [solid(colour=colour) for colour in colours]
    # Pillow makes a 40x30 pt page per image at 72 dpi, so 144 dpi renders 80x60 pixels.
    data = encode(first, "pdf", save_all=True, append_images=rest, resolution=72)
    pages = load_pages(data, pdf_dpi=144)
    assert [page.index for page in pages] == [0, 1, 2]
    for page, colour in zip(pages, colours, strict=True):
        assert page.source_format == "pdf"
        assert_bgr(page, (60, 80), colour[::-1], atol=4)


def test_every_frame_of_a_multi_page_tiff_is_a_page() -> None:
    frames = [solid((40, 30), (255, 0, 0)), solid((20, 50), (0, 0, 255)), solid((10, 10), RGB)]
    data = encode(frames[0], "tiff", save_all=True, append_images=frames[1:])
    pages = load_pages(data)
    assert [page.index for page in pages] == [0, 1, 2]
    assert_bgr(pages[0], (30, 40), (0, 0, 255))
    assert_bgr(pages[1], (50, 20), (255, 0, 0))
    assert_bgr(pages[2], (10, 10), BGR)


@pytest.mark.parametrize("fmt", ["pdf", "tiff"])
def test_a_document_longer_than_the_page_limit_is_refused_before_decoding(fmt: str) -> None:
    pages = [solid(colour=(k * 40, 0, 0)) for k in range(5)]
    data = encode(pages[0], fmt, save_all=True, append_images=pages[1:])
    error = refused(data, max_pages=4)
    assert error.reason == "too_many_pages" and "5 pages" in str(error)
    assert len(load_pages(data, max_pages=5)) == 5


@pytest.mark.parametrize("fmt", ["jpeg", "tiff", "webp"])
def test_exif_orientation_is_applied(fmt: str) -> None:
    stored = Image.new("RGB", (40, 20), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 20, 20))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": the stored left edge becomes the top
    [page] = load_pages(encode(stored, fmt, exif=exif.tobytes()))
    assert page.image.shape == (40, 20, 3)
    np.testing.assert_allclose(page.image[5, 10], (0, 0, 255), atol=8)  # red at the top
    np.testing.assert_allclose(page.image[35, 10], (255, 0, 0), atol=8)  # blue at the bottom


# --- colour modes ----------------------------------------------------------------------------


def test_transparent_pixels_become_white_paper() -> None:
    image = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    image.paste((255, 0, 0, 128), (0, 0, 20, 30))  # left half: half-transparent red
    [page] = load_pages(encode(image, "png"))
    np.testing.assert_allclose(page.image[15, 30], (255, 255, 255))
    np.testing.assert_allclose(page.image[15, 5], (127, 127, 255), atol=1)


@pytest.mark.parametrize(
    ("image", "fmt", "bgr"),
    [
        (solid(mode="1", colour=1), "png", (255, 255, 255)),
        (solid(mode="L", colour=77), "png", (77, 77, 77)),
        (solid(mode="LA", colour=(0, 0)), "png", (255, 255, 255)),
        (solid().convert("P", palette=Image.Palette.ADAPTIVE), "png", BGR),
        (solid().convert("P", palette=Image.Palette.ADAPTIVE), "bmp", BGR),
        (solid(mode="CMYK", colour=(0, 255, 255, 0)), "tiff", (0, 0, 255)),
        (solid(mode="CMYK", colour=(0, 255, 255, 0)), "jpeg", (0, 0, 254)),
        (Image.fromarray(np.full((30, 40), 0x8000, np.uint16)), "png", (128, 128, 128)),
        (Image.fromarray(np.full((30, 40), 0x8000, np.uint16)), "tiff", (128, 128, 128)),
    ],
    ids=["1bit", "L", "LA", "P-png", "P-bmp", "CMYK-tiff", "CMYK-jpeg", "16bit-png", "16bit-tiff"],
)
def test_every_mode_ends_as_three_channel_uint8_bgr(image: Image.Image, fmt: str, bgr) -> None:
    [page] = load_pages(encode(image, fmt))
    assert_bgr(page, (30, 40), bgr, atol=2 if fmt == "jpeg" else 0)


def test_palette_transparency_becomes_white() -> None:
    image = solid().convert("P", palette=Image.Palette.ADAPTIVE)
    index = image.getpixel((0, 0))
    [page] = load_pages(encode(image, "png", transparency=index))
    assert_bgr(page, (30, 40), (255, 255, 255))


# --- refusals --------------------------------------------------------------------------------


def test_empty_file_is_refused() -> None:
    assert refused(b"").reason == "empty"
    with pytest.raises(InputRefused, match="empty"):
        sniff_format(b"")


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("timetable.png", encode(solid(), "png"))
    return buf.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        encode(solid(), "gif"),
        zip_bytes(),
        b"Monday 8:00 Maths\n",
        b"<!DOCTYPE html><html><body>timetable</body></html>",
    ],
    ids=["gif", "zip", "text", "html"],
)
def test_unsupported_formats_are_refused(data: bytes) -> None:
    assert refused(data).reason == "unsupported_format"


@pytest.mark.parametrize("fmt", [*RASTER_FORMATS, "pdf"])
def test_a_file_cut_in_half_is_corrupt_not_half_decoded(fmt: str) -> None:
    data = encode(noise(), fmt)
    assert refused(data[: len(data) // 2]).reason == "corrupt"


def test_pdf_with_a_valid_header_and_garbage_is_corrupt() -> None:
    assert refused(b"%PDF-1.7\nthis is not a PDF\n%%EOF\n").reason == "corrupt"


def test_password_protected_pdf_is_refused() -> None:
    data = encrypted_pdf(user_password=b"secret", owner_password=b"owner")
    # The fixture is a genuine encrypted PDF: the right password opens it.
    assert len(pdfium.PdfDocument(data, password="secret")) == 1
    assert refused(data).reason == "encrypted_pdf"


def test_pdf_without_pages_is_empty() -> None:
    buf = io.BytesIO()
    pdfium.PdfDocument.new().save(buf)
    assert refused(buf.getvalue()).reason == "empty"


def test_image_above_the_limit_is_too_large() -> None:
    data = encode(solid((200, 100)), "png")
    assert refused(data, max_megapixels=0.01).reason == "too_large"
    assert len(load_pages(data, max_megapixels=0.02)) == 1


# 100 MP is where Image.open would only warn, 400 MP where it would raise: neither may leak.
@pytest.mark.parametrize("side", [10_000, 20_000])
@pytest.mark.filterwarnings("error")
def test_decompression_bomb_is_refused_from_its_header(side: int) -> None:
    data = png_bomb(side)  # 20000: 400 MP, 1.2 GB once decoded to BGR
    assert len(data) < 200_000
    start = time.perf_counter()
    error = refused(data)
    assert error.reason == "too_large"
    assert f"{side}x{side}" in str(error)
    assert time.perf_counter() - start < 1.0


def webp_bomb(width: int, height: int) -> bytes:
    """A valid black lossless WebP of width x height in 34 bytes. libwebp codes a one-colour
    image identically whatever its size, so patching the size fields of a 16x12 encoding gives
    byte for byte what encoding the full size would (checked for the sizes used here), without
    the seconds that takes."""
    data = bytearray(encode(Image.new("L", (16, 12)), "webp", lossless=True, method=0, quality=0))
    data[21:25] = struct.pack("<I", (width - 1) | (height - 1) << 14)  # VP8L header, no alpha
    return bytes(data)


# 168 MP is where Image.open would only warn; 192 MP is where Pillow's WebP opener raises.
@pytest.mark.parametrize(
    "make",
    [
        lambda: webp_bomb(14_000, 12_000),
        lambda: webp_bomb(16_000, 12_000),
        # Made in the test, not at collection: Pillow holds a 1-bit image as 192 MB.
        lambda: encode(Image.new("1", (16_000, 12_000)), "tiff", compression="packbits"),
    ],
    ids=["webp-168MP", "webp-192MP", "tiff-192MP"],
)
@pytest.mark.filterwarnings("error")
def test_big_compressible_images_are_refused_before_decoding(make) -> None:
    data = make()
    assert len(data) < 3_000_000
    start = time.perf_counter()
    assert refused(data).reason == "too_large"
    assert time.perf_counter() - start < 1.0


def test_huge_pdf_page_is_refused_without_rendering() -> None:
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(14_400, 14_400)  # the largest page PDF allows: 200x200 inches
    buf = io.BytesIO()
    pdf.save(buf)
    start = time.perf_counter()
    error = refused(buf.getvalue(), pdf_dpi=200)
    assert error.reason == "too_large"
    assert "40000x40000" in str(error)
    assert time.perf_counter() - start < 1.0


def test_missing_path_is_not_found(tmp_path) -> None:
    with pytest.raises(InputRefused) as caught:
        load_path(tmp_path / "nope.pdf")
    assert caught.value.reason == "not_found"


def test_directory_is_refused(tmp_path) -> None:
    with pytest.raises(InputRefused) as caught:
        load_path(tmp_path)
    assert caught.value.reason == "is_directory"


def test_path_that_cannot_be_read_is_unreadable(tmp_path) -> None:
    file = tmp_path / "page.png"
    file.write_bytes(encode(solid(), "png"))
    with pytest.raises(InputRefused) as caught:
        load_path(file / "child")  # a file used as a folder: ENOTDIR, even for root
    assert caught.value.reason == "unreadable"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_file_without_read_permission_is_unreadable(tmp_path) -> None:
    file = tmp_path / "page.png"
    file.write_bytes(encode(solid(), "png"))
    file.chmod(0)
    with pytest.raises(InputRefused) as caught:
        load_path(str(file))
    assert caught.value.reason == "unreadable"


MAGIC_PREFIXES = [
    b"\x89PNG\r\n\x1a\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"\xff\xd8\xff",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"%PDF-1.7\n",
]


# Pillow warns (never raises) about damaged TIFF tags; only what is raised matters here.
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=512),
        st.tuples(st.sampled_from(MAGIC_PREFIXES), st.binary(max_size=512)).map(b"".join),
    )
)
def test_arbitrary_bytes_only_ever_raise_input_refused(data: bytes) -> None:
    try:
        pages = load_pages(data)
    except InputRefused as error:
        assert error.reason in REASONS
        assert "\n" not in str(error)
    else:
        for page in pages:
            assert page.image.dtype == np.uint8
            assert page.image.ndim == 3
            assert page.image.shape[2] == 3
