"""Where evidence files live: a private storage, outside MEDIA_ROOT, served only through
aftersales.views.evidence_file after checking the case's parties."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def evidence_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
