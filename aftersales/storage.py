"""Where evidence files live: a private storage, outside MEDIA_ROOT, served only through
aftersales.views (the evidence view checks the case's parties)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """FileSystemStorage under PRIVATE_MEDIA_ROOT, read at each use (not once when the model
    loads), so a deployment's or a test's setting is the one that counts. No URL: files are
    never served directly."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def evidence_storage() -> PrivateStorage:
    return PrivateStorage()
