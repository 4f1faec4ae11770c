"""Attachments: files put into Markdown, sniffed from their bytes, capped, images re-encoded.

Nothing the uploader says about a file is believed: not its name, not its declared type. The
bytes decide the type from a short allowlist; images are decoded and encoded again by Pillow, so
what is stored is pixels we wrote (no EXIF or GPS, no trailing HTML or script of a polyglot), and
text that a browser would sniff as markup is refused.
"""

import io
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from nexus.accounts.models import User
from nexus.core import clock
from nexus.knowledge import policies
from nexus.knowledge.models import Attachment

NAME_MAX_CHARS = 100
# Pillow format name -> (media type, file extension) for the images we accept.
IMAGE_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
PDF = ("application/pdf", "pdf")
PLAIN_TEXT = ("text/plain; charset=utf-8", "txt")
# What the WHATWG MIME sniffing algorithm takes for HTML, XML or SVG at the start of a file.
MARKUP_START = re.compile(
    rb"\A[\t\n\x0c\r ]*<(?:!doctype|html|head|body|script|iframe|svg|\?xml|!--|h1|div|font|table"
    rb"|a|style|title|b|br|p)[\t\n\x0c\r >/]",
    re.IGNORECASE,
)
UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
ACCEPTED = "PNG, JPEG, GIF or WebP images, PDF documents, or plain text"


@dataclass(frozen=True)
class SniffedFile:
    """What the bytes turned out to be, and the bytes to store."""

    content_type: str
    extension: str
    content: bytes
    width: int | None = None
    height: int | None = None


def attachment_create(*, owner: User, upload: "UploadedFile[bytes]") -> Attachment:
    """Store an uploaded file for `owner` after sniffing, capping and (for images) re-encoding."""
    if not policies.can_upload_attachment(owner):
        raise PermissionDenied("Sign in to attach files.")
    _check_hourly_quota(owner)
    limit = settings.NEXUS_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise _file_error(f"Files may be at most {limit // (1024 * 1024)} MB.")
    if upload.size == 0:
        raise _file_error("The file is empty.")
    sniffed = sniff(upload.read(limit + 1))
    key = uuid.uuid4()
    with transaction.atomic():
        attachment = Attachment(
            key=key,
            owner=owner,
            name=display_name(upload.name or "", sniffed.extension),
            content_type=sniffed.content_type,
            size=len(sniffed.content),
            width=sniffed.width,
            height=sniffed.height,
        )
        attachment.file.save(f"{key}.{sniffed.extension}", ContentFile(sniffed.content), save=False)
        attachment.save()
    return attachment


def sniff(content: bytes) -> SniffedFile:
    """What `content` is by its bytes (images re-encoded), or a ValidationError on `file`."""
    if len(content) > settings.NEXUS_ATTACHMENT_MAX_BYTES:
        raise _file_error("The file is too large.")
    image = _reencoded_image(content)
    if image is not None:
        return image
    if content.startswith(b"%PDF-"):
        return SniffedFile(*PDF, content=content)
    if _is_plain_text(content):
        return SniffedFile(*PLAIN_TEXT, content=content)
    raise _file_error(f"This kind of file is not accepted: attach {ACCEPTED}.")


def display_name(uploaded: str, extension: str) -> str:
    """The uploader's file name made safe for a URL and a header, with the sniffed extension."""
    base = uploaded.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    ascii_base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = UNSAFE_NAME_CHARACTERS.sub("-", ascii_base).strip(".-")[:NAME_MAX_CHARS] or "file"
    return f"{stem}.{extension}"


def _reencoded_image(content: bytes) -> SniffedFile | None:
    """The image decoded and written again, or None when Pillow sees no accepted image."""
    max_pixels = settings.NEXUS_ATTACHMENT_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(content), formats=list(IMAGE_FORMATS)) as image:
            # Every frame of an animation is decoded: they count together.
            if image.width * image.height * getattr(image, "n_frames", 1) > max_pixels:
                raise _file_error(f"Images may have at most {max_pixels:,} pixels.")
            content_type, extension = IMAGE_FORMATS[image.format or ""]
            image.load()
            return SniffedFile(
                content_type,
                extension,
                content=_encode(image),
                width=image.width,
                height=image.height,
            )
    except UnidentifiedImageError:
        return None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _file_error("The image is damaged or truncated.") from error


def _encode(image: Image.Image) -> bytes:
    """Pixels only: a fresh file without the source's metadata (EXIF, GPS, comments, ICC)."""
    output = io.BytesIO()
    if image.format == "JPEG":
        image.convert("RGB").save(output, format="JPEG", quality=90)
    elif image.format == "GIF":
        image.save(output, format="GIF", save_all=getattr(image, "is_animated", False))
    elif image.format == "WEBP":
        image.save(output, format="WEBP", quality=90)
    else:
        image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _is_plain_text(content: bytes) -> bool:
    """UTF-8 without control characters (other than whitespace) that no browser takes for markup."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    controls = (char for char in text if unicodedata.category(char) == "Cc")
    return all(char in "\t\n\r\x0c" for char in controls) and not MARKUP_START.match(content)


def _check_hourly_quota(owner: User) -> None:
    since = clock.now() - timedelta(hours=1)
    limit = settings.NEXUS_ATTACHMENTS_PER_HOUR
    if Attachment.objects.filter(owner=owner, created_at__gte=since).count() >= limit:
        raise _file_error(f"You attached {limit} files in the last hour; try again later.")


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})
