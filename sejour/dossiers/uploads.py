"""Intake of uploaded documents: the type is read from the content, then checked and cleaned."""

import hashlib
import hmac
import io
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Protocol

import filetype
import pillow_heif
from django.conf import settings
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

from sejour.core.errors import DomainError

logger = logging.getLogger(__name__)

# iPhone photos (HEIC) are opened by Pillow and stored as JPEG; their extra images are not read.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

MEGABYTE = 1024 * 1024
NAME_MAX_LENGTH = 120
NAME_FALLBACK = "document"

# Sniffed MIME type -> (Pillow format to decode with, stored type and extension).
_KINDS: dict[str, tuple[str | None, str, str]] = {
    "application/pdf": (None, "application/pdf", "pdf"),
    "image/jpeg": ("JPEG", "image/jpeg", "jpg"),
    "image/png": ("PNG", "image/png", "png"),
    "image/apng": ("PNG", "image/png", "png"),
    "image/heic": ("HEIF", "image/jpeg", "jpg"),
}
_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

# Characters that have no place in a file name: controls, invisible formatting (including the
# right-to-left override that disguises "gpj.exe" as "exe.jpg"), unassigned code points.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_RESERVED_IN_NAMES = re.compile(r'[<>:"|?*]')

EMPTY = _("The file is empty. Choose the file again, or send another one.")
TOO_LARGE = _(
    "The file is larger than %(limit)s MB. Scan it at a lower resolution or split it into "
    "several files, then send it again."
)
TYPE_NOT_ALLOWED = _(
    "Only PDF files and JPEG or PNG photos are accepted. If this is a text document, save or "
    "export it as PDF, then send it again."
)
PDF_ENCRYPTED = _(
    "This PDF is protected by a password. Remove the password (open the file and save or print "
    "it as a new PDF), then send it again."
)
PDF_CORRUPT = _(
    "This PDF is damaged or incomplete and cannot be opened. Save or scan the document again, "
    "then send the new file."
)
PDF_JAVASCRIPT = _(
    "This PDF contains scripts (JavaScript), so it cannot be shown safely to the agents. Print "
    'it to a new PDF ("Print", then "Save as PDF") or scan the paper document, then send that '
    "file."
)
PDF_EMBEDDED_FILES = _(
    "This PDF contains attached files, so it cannot be shown safely to the agents. Send each "
    'document as a file of its own, or print it to a new PDF ("Print", then "Save as PDF").'
)
PDF_LAUNCH = _(
    "This PDF tries to open other programs, so it cannot be shown safely to the agents. Print it "
    'to a new PDF ("Print", then "Save as PDF") or scan the paper document, then send that file.'
)
IMAGE_TOO_MANY_PIXELS = _(
    "This image is too large (more than %(limit)s million pixels). Take the photo again at a "
    "lower resolution, or reduce its size, then send it again."
)
IMAGE_CORRUPT = _(
    "This image is damaged or incomplete and cannot be opened. Take the photo again or export "
    "it again, then send the new file."
)


class UploadRefused(DomainError):
    """The uploaded file cannot be accepted; the message says what to do instead."""

    default_message = _("This file cannot be accepted.")


class IntegrityFailure(DomainError):
    """A stored file no longer matches the fingerprint taken when it was received."""

    default_message = _(
        "This file is damaged: it no longer matches the file that was received. Staff have been "
        "alerted; you may be asked to send it again."
    )


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class CleanFile:
    """An accepted upload: the bytes to store and what is known about them."""

    content: bytes
    content_type: str
    extension: str
    original_name: str
    size: int
    sha256: str
    pages: int | None = None
    width: int | None = None
    height: int | None = None


def inspect_upload(*, data: bytes | Readable, name: str, max_bytes: int | None = None) -> CleanFile:
    """Check an upload and return what to store; raise UploadRefused with a reason otherwise.

    The type comes from the content, never from the name or the browser. PDFs are kept as they
    are once they open and hold nothing active; images are decoded and encoded again, which
    drops their metadata (EXIF, GPS, comments, text chunks) and anything hidden after them.
    """
    limit = settings.SEJOUR_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    content = _read(data, limit)
    kind = filetype.guess(content)
    if kind is None or kind.mime not in _KINDS:
        raise UploadRefused(TYPE_NOT_ALLOWED)
    decoder, content_type, extension = _KINDS[kind.mime]
    pages = width = height = None
    if decoder is None:
        pages = _check_pdf(content)
    else:
        content, width, height = _reencode_image(content, decoder=decoder, extension=extension)
    return CleanFile(
        content=content,
        content_type=content_type,
        extension=extension,
        original_name=clean_name(name),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        pages=pages,
        width=width,
        height=height,
    )


def clean_name(name: str) -> str:
    """The person's file name, fit to show and to offer as a download name; never a path."""
    visible = "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", visible))[-1]
    base = " ".join(_RESERVED_IN_NAMES.sub("_", base).split()).strip(" .")
    if len(base) > NAME_MAX_LENGTH:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and len(extension) <= 10:
            base = stem[: NAME_MAX_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            base = base[:NAME_MAX_LENGTH].rstrip(" .")
    return base or NAME_FALLBACK


def storage_name(*, sha256: str, extension: str) -> str:
    """A name made by the server for a stored file.

    It never comes from the person's file name, nor from the content: the fingerprint stays on
    the record, so two uploads of the same bytes never share or overwrite one file.
    """
    if extension not in {kind[2] for kind in _KINDS.values()}:
        raise ValueError(f"Unexpected extension for a stored document: {extension!r}")
    month = timezone.localdate().strftime("%Y/%m")
    return f"documents/{month}/{uuid.uuid4().hex}.{extension}"


def verify_integrity(*, content: bytes, sha256: str) -> None:
    """Raise IntegrityFailure, and alert staff through the error log, if `content` changed."""
    actual = hashlib.sha256(content).hexdigest()
    if not hmac.compare_digest(actual, sha256.lower()):
        logger.error(
            "Stored document does not match its fingerprint",
            extra={"expected_sha256": sha256, "actual_sha256": actual},
        )
        raise IntegrityFailure()


def _read(data: bytes | Readable, limit: int) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        content = bytes(data)
    else:
        declared = getattr(data, "size", None)
        if isinstance(declared, int) and declared > limit:
            raise UploadRefused(TOO_LARGE % {"limit": _megabytes(limit)})
        if getattr(data, "seekable", lambda: False)():
            data.seek(0)  # type: ignore[attr-defined]  # a form may have read it already
        # One byte past the limit tells a too-large file without reading all of it.
        content = data.read(limit + 1)
    if not content:
        raise UploadRefused(EMPTY)
    if len(content) > limit:
        raise UploadRefused(TOO_LARGE % {"limit": _megabytes(limit)})
    return content


def _megabytes(limit: int) -> str:
    """The limit as people write it in their language: "10", "1.5" or "1,5"."""
    whole, part = divmod(limit, MEGABYTE)
    return formats.number_format(whole if part == 0 else round(limit / MEGABYTE, 1))


def _check_pdf(content: bytes) -> int:
    """Return the page count of a PDF that opens and holds nothing active."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        # A PDF locked only against editing opens with an empty password, as in any viewer.
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRefused(PDF_ENCRYPTED)
        pages = len(reader.pages)
        danger = _active_content(reader.trailer)
    except UploadRefused:
        raise
    except Exception as exc:  # pypdf meets hostile input with many kinds of exception
        raise UploadRefused(PDF_CORRUPT) from exc
    if pages == 0:
        raise UploadRefused(PDF_CORRUPT)
    if danger is not None:
        raise UploadRefused(danger)
    return pages


def _active_content(trailer: DictionaryObject) -> Promise | None:
    """What in the document could act on an agent's computer: scripts, launches, attachments.

    Every object reachable from the trailer is visited once, without decoding page content.
    """
    seen: set[tuple[int, int]] = set()
    pending: list[PdfObject | None] = [trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            action = _resolved(item.get("/S"))
            if "/JS" in item or "/JavaScript" in item or action == "/JavaScript":
                return PDF_JAVASCRIPT
            if action == "/Launch":
                return PDF_LAUNCH
            if (
                "/EmbeddedFiles" in item
                or "/EF" in item
                or _resolved(item.get("/Type")) == "/EmbeddedFile"
                or _resolved(item.get("/Subtype")) in ("/FileAttachment", "/RichMedia")
            ):
                return PDF_EMBEDDED_FILES
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return None


def _resolved(value: PdfObject | None) -> PdfObject | None:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _reencode_image(content: bytes, *, decoder: str, extension: str) -> tuple[bytes, int, int]:
    """Decode the image and encode its pixels alone; return the new bytes and the size."""
    max_pixels: int = settings.SEJOUR_UPLOAD_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(content), formats=[decoder]) as opened:
            # The size comes from the header: a bomb is refused before any pixel is decoded.
            # This is Pillow's MAX_IMAGE_PIXELS check, without changing that process-wide value.
            if opened.width * opened.height > max_pixels:
                raise _too_many_pixels(max_pixels)
            opened.load()
            image = _upright(opened)
        image = _to_srgb(image)
        output = io.BytesIO()
        if extension == "jpg":
            if image.mode not in ("L", "RGB"):
                image = image.convert("RGB")
            image.info = {}
            image.save(output, format="JPEG", quality=85, optimize=True)
        else:
            if image.mode not in _PNG_MODES:
                image = image.convert("RGBA" if "A" in image.mode else "RGB")
            # Only transparency is kept: no text chunks, EXIF, ICC profile or timestamps.
            image.info = {k: v for k, v in image.info.items() if k == "transparency"}
            image.save(output, format="PNG", optimize=True)
    except UploadRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(max_pixels) from exc
    except Exception as exc:  # decoders meet broken input with many kinds of exception
        raise UploadRefused(IMAGE_CORRUPT) from exc
    return output.getvalue(), image.width, image.height


def _too_many_pixels(max_pixels: int) -> UploadRefused:
    return UploadRefused(IMAGE_TOO_MANY_PIXELS % {"limit": max_pixels // 1_000_000})


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, since the EXIF that held it is not kept."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # phones write odd EXIF; a photo is still better kept than refused
        logger.warning("Unreadable EXIF orientation in an uploaded image", exc_info=True)
        return image.copy()


def _to_srgb(image: Image.Image) -> Image.Image:
    """Turn colours described by an ICC profile into plain sRGB, so no profile is needed."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        logger.warning("Unusable ICC profile in an uploaded image", exc_info=True)
        return image
    return converted if converted is not None else image
