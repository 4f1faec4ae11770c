"""Production's static files storage: WhiteNoise's hashed names and gzip, brotli by choice."""

from typing import Any

from django.conf import settings
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestGzipStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, compressing with brotli only when NEXUS_STATIC_BROTLI says so.

    WhiteNoise adds brotli whenever the package happens to be importable; a development
    dependency (locust, through geventhttpclient) brings it, and at brotli's highest quality
    collectstatic then took over a minute instead of seven seconds on two cores. The image has
    no brotli: gzip alone is what production serves unless the setting and the package are both
    there.
    """

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(use_brotli=settings.NEXUS_STATIC_BROTLI, **kwargs)
