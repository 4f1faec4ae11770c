"""System checks: where attachments are stored must take them."""

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.files)
def attachments_can_be_stored(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production without a bucket keeps attachments in MEDIA_ROOT: refuse one the process cannot
    write (a read-only image, a path through a file) here, not at every upload."""
    if not settings.PRODUCTION or settings.NEXUS_MEDIA_S3_BUCKET:
        return []
    media_root = Path(settings.MEDIA_ROOT)
    try:
        media_root.mkdir(parents=True, exist_ok=True)  # as the storage would on the first upload
        with tempfile.TemporaryFile(dir=media_root):
            pass
    except OSError as exc:
        return [
            checks.Error(
                f"Attachments cannot be stored: MEDIA_ROOT ({media_root}) is not a writable "
                f"folder ({exc.strerror}).",
                hint="Mount a writable volume shared by every web replica at MEDIA_ROOT, or set "
                "NEXUS_MEDIA_S3_BUCKET (docs/deploy.md).",
                id="nexus.E001",
            )
        ]
    return []
