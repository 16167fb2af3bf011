"""Evidence uploads: photos (verified by Pillow) and short videos, size- and count-limited,
stored privately and attached to one case, message or appeal of the uploader's."""

import secrets
from contextlib import contextmanager
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from catalog.actors import Actor
from shop.errors import InvalidInput

from ..models import AfterSalesCase, CaseEvidence, CaseMessage

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# A short video: checked by its container's signature (no decoder needed to refuse a fake).
VIDEO_SIGNATURES = {b"ftyp": "video/mp4"}
MAX_PIXELS = 40_000_000


def _video_type(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] in VIDEO_SIGNATURES:
        return VIDEO_SIGNATURES[head[4:8]]
    return None


def _image_type(upload) -> str | None:
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput(_("That image is too large in pixels."), code="invalid_file")
            image.verify()  # refuses truncated and forged files
            content_type = IMAGE_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    return content_type


@transaction.atomic
def evidence_upload(*, actor: Actor, upload) -> CaseEvidence:
    """Store one file of the actor's (people upload, the system does not), not yet attached.
    A file that is not a real image or MP4 video, or is over its size limit, is refused and
    nothing is stored."""
    if actor.user is None:
        raise InvalidInput(_("Evidence is uploaded by people."), code="invalid")
    if upload is None:
        raise InvalidInput(_("Choose a file to upload."), code="file_required")
    size = upload.size or 0
    if size <= 0:
        raise InvalidInput(_("The file is empty."), code="invalid_file")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind, content_type = CaseEvidence.Kind.VIDEO, _video_type(head)
    if content_type is None:
        kind, content_type = CaseEvidence.Kind.IMAGE, _image_type(upload)
    if content_type is None:
        raise InvalidInput(
            _("Upload a photo (JPEG, PNG, WebP, GIF) or a short MP4 video."), code="invalid_file"
        )
    limit = (
        settings.AFTERSALES_VIDEO_MAX_BYTES
        if kind == CaseEvidence.Kind.VIDEO
        else settings.AFTERSALES_IMAGE_MAX_BYTES
    )
    if size > limit:
        raise InvalidInput(
            _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
        )
    public_id = secrets.token_hex(12)
    suffix = {"image/jpeg": ".jpg", "video/mp4": ".mp4"}.get(
        content_type, "." + content_type.split("/")[1]
    )
    evidence = CaseEvidence(
        public_id=public_id,
        uploaded_by=actor.user,
        kind=kind,
        content_type=content_type,
        size=size,
        original_name=PurePath(upload.name or "").name[:200],
    )
    evidence.file.save(f"{public_id}{suffix}", upload, save=False)
    evidence.save()
    return evidence


def evidence_attach(
    *,
    actor: Actor,
    evidence_ids: list[str] | None,
    case: AfterSalesCase,
    message: CaseMessage | None = None,
) -> list[CaseEvidence]:
    """Attach the actor's own unattached uploads; an id that is not theirs or already used is
    refused (400) so nothing is half-attached. The caller's transaction holds the case lock."""
    ids = list(dict.fromkeys(evidence_ids or []))
    if not ids:
        return []
    if len(ids) > settings.AFTERSALES_MAX_EVIDENCE:
        raise InvalidInput(
            _("At most %(count)d files at a time.") % {"count": settings.AFTERSALES_MAX_EVIDENCE},
            code="too_many_files",
        )
    found = list(
        CaseEvidence.objects.select_for_update().filter(
            public_id__in=ids, uploaded_by_id=actor.user_id, case__isnull=True
        )
    )
    if len(found) != len(ids):
        raise InvalidInput(
            _("Some of the files are not yours or already used."), code="invalid_file"
        )
    if case.evidence.count() + len(found) > settings.AFTERSALES_MAX_EVIDENCE * 4:
        raise InvalidInput(_("This case has all the files it can take."), code="too_many_files")
    for item in found:
        item.case = case
        item.message = message
    CaseEvidence.objects.bulk_update(found, ["case", "message"])
    return found


@contextmanager
def evidence_uploaded(*, actor: Actor, files):
    """Store each file through evidence_upload and give their ids to the block. When the block
    fails (a bad file, a service refusing the request) the rows roll back with the caller's
    transaction and the stored files are removed, so nothing is left behind."""
    stored: list[CaseEvidence] = []
    try:
        for upload in files or []:
            stored.append(evidence_upload(actor=actor, upload=upload))
        yield [evidence.public_id for evidence in stored]
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
