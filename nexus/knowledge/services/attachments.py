"""Attachments: files put into Markdown by the editor, stored through the default storage after
nexus.knowledge.uploads has judged them by their bytes."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from nexus.accounts.models import User
from nexus.core import clock
from nexus.knowledge import policies
from nexus.knowledge.models import Attachment
from nexus.knowledge.uploads import display_name, file_error, sniff


def attachment_create(*, owner: User, upload: "UploadedFile[bytes]") -> Attachment:
    """Store an uploaded file for `owner` after sniffing, capping and (for images) re-encoding."""
    if not policies.can_upload_attachment(owner):
        raise PermissionDenied("Sign in to attach files.")
    _check_hourly_quota(owner)
    limit = settings.NEXUS_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise file_error(f"Files may be at most {filesizeformat(limit)}.")
    if upload.size == 0:
        raise file_error("The file is empty.")
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
        try:
            attachment.save()
        except Exception:  # no row, so no file: the storage keeps nothing nobody can reach
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    """Remove an attachment and its stored bytes (its uploader, or a mentor or admin). Where it
    was shown, readers now see a broken image or link: the text that named it is the author's."""
    if not policies.can_delete_attachment(actor, attachment):
        raise PermissionDenied("Only its uploader, a mentor or an admin may remove an attachment.")
    stored: str = attachment.file.name or ""
    storage = attachment.file.storage
    attachment.delete()
    if stored:
        # After the commit: a rolled-back delete keeps its row, and so must keep its bytes.
        transaction.on_commit(lambda: storage.delete(stored))


def _check_hourly_quota(owner: User) -> None:
    since = clock.now() - timedelta(hours=1)
    limit = settings.NEXUS_ATTACHMENTS_PER_HOUR
    if Attachment.objects.filter(owner=owner, created_at__gte=since).count() >= limit:
        raise file_error(f"You attached {limit} files in the last hour; try again later.")
