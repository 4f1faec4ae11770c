"""Production's static storage compresses with gzip, and with brotli only when asked to."""

import pytest
from django.test import override_settings

from nexus.core.staticfiles import ManifestGzipStorage

brotli = pytest.importorskip("brotli", reason="brotli is installed with the dev dependencies")


def compressed_names(tmp_path):
    (tmp_path / "app.js").write_text("console.log('nexus');\n" * 200)
    storage = ManifestGzipStorage(location=tmp_path)
    return sorted(name for _, name in storage.compress_files(["app.js"]))


def test_gzip_only_by_default_though_brotli_is_importable(tmp_path):
    assert compressed_names(tmp_path) == ["app.js.gz"]


@override_settings(NEXUS_STATIC_BROTLI=True)
def test_brotli_copies_when_the_setting_asks(tmp_path):
    assert compressed_names(tmp_path) == ["app.js.br", "app.js.gz"]
