"""A new document into the store: its original kept durably, then the row that points at it.

Also what the row records of it: the media type of its sniffed format, and its filename as a
person sent it, cleaned to printable text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from inference.store.objects import ObjectStore, object_key
from inference.store.repository import Store

CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "pdf": "application/pdf",
}

MAX_UPLOADER = 200  # characters of an uploader account (documents.uploader)


def clean_text(value: str | None, limit: int) -> str | None:
    """Printable text only (no control characters, no lone surrogates), at most `limit`."""
    if value is None:
        return None
    kept = "".join(
        ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cs", "Cn")
    ).strip()
    return kept[:limit] or None


def clean_filename(name: str | None) -> str | None:
    if not name:
        return None
    return clean_text(re.split(r"[\\/]", name)[-1], 255)


def keep_original(store: Store, objects: ObjectStore, data: bytes, filename: str | None,
                  source_format: str, uploader: str | None = None) -> tuple[str, bool]:
    """Durable first: the original, then the document row (new ones `processing` and claimed).
    Returns (document id, whether this call created the row).

    No original without its row: the database is asked first (down → nothing is written), and
    an original this call wrote is removed again when its row cannot be written."""
    document_id = hashlib.sha256(data).hexdigest()
    key = object_key(document_id)
    content_type = CONTENT_TYPES[source_format]
    store.ping()
    written = objects.put(key, data, content_type)
    try:
        _, created = store.get_or_create_document(
            document_id, filename=clean_filename(filename), content_type=content_type,
            size=len(data), object_key=key, uploader=clean_text(uploader, MAX_UPLOADER) or None,
        )
    except Exception:
        if written:
            objects.delete(key)
        raise
    return document_id, created
