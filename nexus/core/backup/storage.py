"""Where archives live: a folder (NEXUS_BACKUP_DIR) or an S3-compatible bucket
(NEXUS_BACKUP_S3_BUCKET). Both hold an archive and its .sha256 sidecar side by side."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError
from django.conf import settings

from nexus.core.backup.dump import BackupError


class Destination(Protocol):
    def names(self) -> list[str]:
        """Every file name held, sidecars included."""

    def put(self, path: Path) -> None:
        """Store the local file under its own name."""

    def fetch(self, name: str, target: Path) -> None:
        """Copy the file called `name` to the local path `target`."""

    def delete(self, name: str) -> None:
        """Remove `name` (nothing happens when it is already gone)."""

    def describe(self) -> str:
        """Where this is, for messages."""


class FolderDestination:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(path.name for path in self.folder.iterdir() if path.is_file())

    def put(self, path: Path) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Copied under a temporary name, then renamed: a reader never sees half a file.
        partial = self.folder / f".{path.name}.partial"
        shutil.copyfile(path, partial)
        partial.replace(self.folder / path.name)

    def fetch(self, name: str, target: Path) -> None:
        source = self.folder / name
        if not source.is_file():
            raise BackupError(f"No {name} in {self.folder}.")
        shutil.copyfile(source, target)

    def delete(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)

    def describe(self) -> str:
        return str(self.folder)


class S3Destination:
    """A bucket through boto3's client (AWS, MinIO, Ceph... by endpoint URL)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def names(self) -> list[str]:
        names = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        ):
            names += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        return sorted(name for name in names if name and "/" not in name)

    def put(self, path: Path) -> None:
        with path.open("rb") as body:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + path.name, Body=body)

    def fetch(self, name: str, target: Path) -> None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError as exc:
            raise BackupError(f"No {name} in {self.describe()}: {exc}") from exc
        with target.open("wb") as writer:
            for chunk in answer["Body"].iter_chunks():
                writer.write(chunk)

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def configured_destination() -> Destination:
    """The bucket when NEXUS_BACKUP_S3_BUCKET is set, the folder NEXUS_BACKUP_DIR otherwise."""
    if not settings.NEXUS_BACKUP_S3_BUCKET:
        return FolderDestination(Path(settings.NEXUS_BACKUP_DIR))
    # boto3 takes a second to load: only bucket users pay for it.
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=settings.NEXUS_BACKUP_S3_ENDPOINT_URL or None,
        region_name=settings.NEXUS_BACKUP_S3_REGION or None,
        aws_access_key_id=settings.NEXUS_BACKUP_S3_ACCESS_KEY or None,
        aws_secret_access_key=settings.NEXUS_BACKUP_S3_SECRET_KEY or None,
    )
    return S3Destination(client, settings.NEXUS_BACKUP_S3_BUCKET, settings.NEXUS_BACKUP_S3_PREFIX)
