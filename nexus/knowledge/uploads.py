"""What an uploaded file is, judged by its bytes alone, and the bytes we keep of it.

Nothing the uploader says about a file is believed: not its name, not its declared type. The
bytes decide the type from a short allowlist; images are decoded and encoded again by Pillow, so
what is stored is pixels we wrote (no EXIF or GPS, no trailing HTML or script of a polyglot), and
text that a browser would sniff as markup is refused.
"""

import io
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

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


def sniff(content: bytes) -> SniffedFile:
    """What `content` is by its bytes (images re-encoded), or a ValidationError on `file`."""
    if len(content) > settings.NEXUS_ATTACHMENT_MAX_BYTES:
        raise file_error("The file is too large.")
    image = _reencoded_image(content)
    if image is not None:
        return image
    if content.startswith(b"%PDF-"):
        return SniffedFile(*PDF, content=content)
    if _is_plain_text(content):
        return SniffedFile(*PLAIN_TEXT, content=content)
    raise file_error(f"This kind of file is not accepted: attach {ACCEPTED}.")


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
                raise file_error(f"Images may have at most {max_pixels:,} pixels.")
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
        raise file_error("The image is damaged or truncated.") from error


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


def file_error(message: str) -> ValidationError:
    """A refusal of the upload, as the `file` field's error."""
    return ValidationError({"file": [message]})
