"""Turn the bytes of an uploaded document into page images, or refuse it with one clear line.

Every page comes out as an HxWx3 uint8 BGR array whatever the input was (PNG, JPEG, TIFF, BMP,
WebP or PDF). Nothing but `InputRefused` ever escapes for a bad document: the caller can show
`str(error)` to the person who sent it."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import (
    BmpImagePlugin,
    Image,
    ImageFile,
    ImageOps,
    ImageSequence,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)

from inference.errors import InputRefused
from inference.settings import (
    DEFAULT_MAX_MEGAPIXELS,
    DEFAULT_MAX_PAGES,
    DEFAULT_PDF_DPI,
    Settings,
)

# Checked in order; the first prefix that matches names the format.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
)

# Constructing the plugin class reads only the header, like `Image.open`, but skips the check
# `Image.open` makes against Pillow's process-wide `Image.MAX_IMAGE_PIXELS`: it runs before ours
# could and warns or raises on images we refuse anyway. Our per-call `max_megapixels` is checked
# on the header size instead, before any pixel is decoded.
_OPENERS: dict[str, type[ImageFile.ImageFile]] = {
    "png": PngImagePlugin.PngImageFile,
    "jpeg": JpegImagePlugin.JpegImageFile,
    "tiff": TiffImagePlugin.TiffImageFile,
    "bmp": BmpImagePlugin.BmpImageFile,
    "webp": WebPImagePlugin.WebPImageFile,
}

# Phone cameras and scanners store the pixels sideways and record the rotation in EXIF.
_EXIF_ORIENTED = frozenset({"jpeg", "tiff", "webp"})

_SUPPORTED = "PNG, JPEG, TIFF, BMP, WebP or PDF"


# eq=False: the generated __eq__/__hash__ would compare or hash the array and fail.
@dataclass(frozen=True, eq=False)
class PageImage:
    index: int  # 0-based page number in the document
    image: np.ndarray  # HxWx3 uint8, BGR (OpenCV convention)
    source_format: str  # "png", "jpeg", "tiff", "bmp", "webp" or "pdf"


def sniff_format(data: bytes) -> str:
    """The document's format, judged by its first bytes and never by a file name."""
    if not data:
        raise InputRefused("empty", "The file is empty.")
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    # PDF readers (PDFium included) accept a header anywhere in the first 1024 bytes.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    raise InputRefused(
        "unsupported_format", f"This is not a supported document; send {_SUPPORTED}."
    )


def page_limits(settings: Settings) -> dict[str, float | int]:
    """The settings' limits as `load_pages` / `load_path` keywords (one place names them)."""
    return {"max_megapixels": settings.max_megapixels, "pdf_dpi": settings.pdf_dpi,
            "max_pages": settings.max_pages}


def load_pages(
    data: bytes, *, max_megapixels: float = DEFAULT_MAX_MEGAPIXELS,
    pdf_dpi: int = DEFAULT_PDF_DPI, max_pages: int = DEFAULT_MAX_PAGES,
) -> list[PageImage]:
    """Every page of the document as a BGR image (entry points pass the settings' limits). A
    document of more than `max_pages` pages is refused before any page is decoded."""
    source_format = sniff_format(data)
    if source_format == "pdf":
        return _load_pdf(data, max_megapixels, pdf_dpi, max_pages)
    return _load_raster(data, source_format, max_megapixels, max_pages)


def load_path(
    path: str | Path, *, max_megapixels: float = DEFAULT_MAX_MEGAPIXELS,
    pdf_dpi: int = DEFAULT_PDF_DPI, max_pages: int = DEFAULT_MAX_PAGES,
) -> list[PageImage]:
    """`load_pages` for a file on disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InputRefused("not_found", f"There is no file at {path}.") from error
    except IsADirectoryError as error:
        raise InputRefused("is_directory", f"{path} is a folder, not a document.") from error
    except OSError as error:
        raise InputRefused("unreadable", f"{path} cannot be read: {error.strerror}.") from error
    return load_pages(data, max_megapixels=max_megapixels, pdf_dpi=pdf_dpi, max_pages=max_pages)


def _check_pages(count: int, max_pages: int) -> None:
    if count > max_pages:
        raise InputRefused("too_many_pages",
                           f"The document has {count} pages; the limit is {max_pages}.")


def _check_size(width: int, height: int, max_megapixels: float, page: str) -> None:
    megapixels = width * height / 1e6
    if megapixels > max_megapixels:
        raise InputRefused(
            "too_large",
            f"{page} is {width}x{height} pixels ({megapixels:.1f} MP); "
            f"the limit is {max_megapixels:g} MP.",
        )


def _load_raster(data: bytes, source_format: str, max_megapixels: float, max_pages: int
                 ) -> list[PageImage]:
    pages = []
    try:
        with _OPENERS[source_format](io.BytesIO(data)) as image:
            if source_format == "tiff":
                _check_pages(getattr(image, "n_frames", 1), max_pages)
            for index, frame in enumerate(_frames(image, source_format)):
                _check_size(frame.width, frame.height, max_megapixels, f"Page {index + 1}")
                frame.load()
                if source_format in _EXIF_ORIENTED:
                    frame = ImageOps.exif_transpose(frame)
                pages.append(PageImage(index, _to_bgr(frame), source_format))
    except InputRefused:
        raise
    except Image.DecompressionBombError as error:
        # Pillow keeps its process-wide limit for two buffers it sizes itself (the WebP canvas
        # at open, TIFF tiles at load); with default settings ours is stricter and runs first.
        raise InputRefused("too_large", "The image is too large to open safely.") from error
    except Exception as error:
        # Pillow's decoders signal bad input with many unrelated types (OSError, SyntaxError,
        # ValueError, struct.error, ...); to the sender they all mean the same thing.
        raise InputRefused(
            "corrupt", f"The {source_format.upper()} file is damaged or incomplete."
        ) from error
    return pages


def _frames(image: Image.Image, source_format: str) -> Iterable[Image.Image]:
    # A multi-page TIFF is a scanned document; other animations only show their first frame.
    return ImageSequence.Iterator(image) if source_format == "tiff" else [image]


def _to_bgr(image: Image.Image) -> np.ndarray:
    if image.mode.startswith("I"):
        # 16-bit (or 32-bit integer) samples: Pillow's convert() would clip them at 255
        # instead of scaling, turning most of a 16-bit scan white.
        gray = (np.asarray(image).astype(np.int64).clip(0, 65535) >> 8).astype(np.uint8)
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if image.has_transparency_data:
        # Transparent areas are paper: a plain convert("RGB") would make them black.
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)


def _load_pdf(data: bytes, max_megapixels: float, dpi: int, max_pages: int) -> list[PageImage]:
    scale = dpi / 72  # PDF sizes are in points, 1/72 inch
    pdf = pdfium.PdfDocument(_open_pdf(data))
    pages = []
    with pdf:
        if len(pdf) == 0:
            raise InputRefused("empty", "The PDF has no pages.")
        _check_pages(len(pdf), max_pages)
        try:
            for index in range(len(pdf)):
                # The size comes from the page dictionary, so a huge page is refused before
                # PDFium allocates its bitmap.
                width, height = pdf.get_page_size(index)
                _check_size(
                    round(width * scale),
                    round(height * scale),
                    max_megapixels,
                    f"Page {index + 1} at {dpi} dpi",
                )
                bitmap = pdf[index].render(scale=scale)
                # to_numpy() is a view of PDFium's buffer, which is freed with the bitmap.
                pages.append(PageImage(index, np.array(bitmap.to_numpy()), "pdf"))
        except pdfium.PdfiumError as error:
            raise InputRefused("corrupt", "The PDF is damaged; a page cannot be drawn.") from error
    return pages


def _open_pdf(data: bytes) -> pdfium_c.FPDF_DOCUMENT:
    # The raw call, because pypdfium2's PdfDocument(bytes) reports a page-less PDF as a load
    # failure whose err_code is PDFium's *previous* error (PDFium does not reset it on success).
    # PDFium reads `data` lazily: the caller keeps it alive while the document is open.
    document = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if document:
        return document
    if pdfium_c.FPDF_GetLastError() in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
        raise InputRefused("encrypted_pdf", "The PDF is password-protected; send it unlocked.")
    raise InputRefused("corrupt", "The PDF is damaged or incomplete.")
