"""Page images as Claude takes them: scaled to the size the API would scale them to anyway and
encoded PNG (sharp text) or JPEG (large photos), with the token estimate that size implies."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np

# Claude's vision guide: an image whose long edge exceeds 1568 px, or which is above ~1.15
# megapixels, is scaled down by the API before the model sees it. Doing it here sends fewer bytes
# and costs nothing in accuracy; tokens ≈ width × height / 750 after the scaling.
MAX_LONG_SIDE = 1568
MAX_PIXELS = 1_150_000
PIXELS_PER_TOKEN = 750
# Base64 grows 4/3 and the API refuses images above 5 MB; keep PNG (sharp text) while it is
# comfortably small, otherwise JPEG (photos compress far better).
MAX_PNG_BYTES = 3_500_000

PageInput = np.ndarray | bytes


@dataclass(frozen=True)
class EncodedPage:
    media_type: Literal["image/png", "image/jpeg"]
    data: bytes
    width: int
    height: int

    @property
    def estimated_tokens(self) -> int:
        return image_tokens(self.width, self.height)

    def content_block(self) -> dict[str, Any]:
        return {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": self.media_type,
                "data": base64.b64encode(self.data).decode("ascii"),
            },
        }


def fit_size(width: int, height: int) -> tuple[int, int]:
    """The size Claude would scale the image to anyway (aspect ratio kept)."""
    scale = min(1.0, MAX_LONG_SIDE / max(width, height), math.sqrt(MAX_PIXELS / (width * height)))
    return max(1, int(width * scale)), max(1, int(height * scale))


def image_tokens(width: int, height: int) -> int:
    return math.ceil(width * height / PIXELS_PER_TOKEN)


def _sniff(data: bytes) -> Literal["image/png", "image/jpeg"] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def encode_page(page: PageInput) -> EncodedPage:
    """A BGR/grey array or encoded image bytes → PNG/JPEG no larger than `fit_size`."""
    if isinstance(page, bytes | bytearray | memoryview):
        raw = bytes(page)
        image = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError("page bytes are not a decodable image")
        height, width = image.shape[:2]
        media_type = _sniff(raw)
        # Already small and in a format the API takes: send the bytes untouched.
        if media_type and fit_size(width, height) == (width, height) and len(raw) <= MAX_PNG_BYTES:
            return EncodedPage(media_type, raw, width, height)
    else:
        image = page
    height, width = image.shape[:2]
    new_w, new_h = fit_size(width, height)
    if (new_w, new_h) != (width, height):
        image = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", image)
    if ok and len(png) <= MAX_PNG_BYTES:
        return EncodedPage("image/png", png.tobytes(), new_w, new_h)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("could not encode the page image")
    return EncodedPage("image/jpeg", jpeg.tobytes(), new_w, new_h)
