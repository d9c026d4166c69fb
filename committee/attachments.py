"""Evidence attached to records: what a file is (by its content, never its name), images re-encoded without
EXIF or GPS and a thumbnail made, stored through Django's storage API, and served only within the record's scope.

The kinds that take evidence are named by their record slugs (ATTACHABLE); the record's scope rules are
township.access's (visible to see, check_attach to add, the month lock with them).
"""
from __future__ import annotations

import io
import uuid
import zipfile

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction

from records import registry
from township import access

from .models import Attachment, AttachmentKind

ATTACHABLE = ("study-activities", "org-life", "problems", "star-ratings")
MAX_BYTES_DEFAULT = 10 * 1024 * 1024
THUMBNAIL_SIZE = (320, 320)
REFUSED_KIND = ("只能上传照片（JPEG、PNG、WebP）、PDF或Word文件；"
                "该文件的内容不是这些格式（改了扩展名的程序或网页也不行）。")


class AttachmentRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_bytes():
    return getattr(settings, "ATTACHMENT_MAX_BYTES", MAX_BYTES_DEFAULT)


def sniff(head: bytes, data: bytes) -> tuple[str, str, str]:
    """(kind, MIME type, extension) of a file from its first bytes (and, for .docx, its parts); refused else."""
    if head.startswith(b"\xff\xd8\xff"):
        return AttachmentKind.IMAGE, "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentKind.IMAGE, "image/png", "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return AttachmentKind.IMAGE, "image/webp", "webp"
    if head.startswith(b"%PDF-"):
        return AttachmentKind.PDF, "application/pdf", "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # the OLE container of a .doc
        return AttachmentKind.WORD, "application/msword", "doc"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return (AttachmentKind.WORD,
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
        except zipfile.BadZipFile:
            pass
    raise AttachmentRefused(REFUSED_KIND)


def clean_image(data: bytes, mime: str) -> tuple[bytes, bytes]:
    """(the image re-encoded from its pixels alone: no EXIF, no GPS, no comments; a JPEG thumbnail)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the way it was taken up, then drop the EXIF
            fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[mime]
            if image.mode not in ("RGB", "RGBA", "L"):
                image = image.convert("RGBA")
            if fmt == "JPEG" and image.mode == "RGBA":
                image = image.convert("RGB")
            # A new image holding the pixels alone: nothing of the file's metadata comes along.
            pixels = Image.new(image.mode, image.size)
            pixels.paste(image)
            out = io.BytesIO()
            pixels.save(out, fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
            thumb = pixels.convert("RGB")
            thumb.thumbnail(THUMBNAIL_SIZE)
            small = io.BytesIO()
            thumb.save(small, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise AttachmentRefused("图片已损坏或无法识别，请重新拍摄或导出后上传。") from exc
    return out.getvalue(), small.getvalue()


def target_for(user, slug, object_id):
    """The record `user` attaches to or reads the attachments of: 404 when the kind takes no attachments
    or the record is not visible to them."""
    from django.http import Http404

    if slug not in ATTACHABLE:
        raise Http404("该类记录不能添加附件")
    model = registry.get(slug).model
    return access.get_visible_or_404(user, model._default_manager.all(), pk=object_id)


def _name(upload_name: str, ext: str) -> str:
    stem = (upload_name or "附件").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0][:150] or "附件"
    return f"{stem}.{ext}"


def attach(*, user, target, upload) -> Attachment:
    """Store `upload` as evidence of `target` after check_attach; refused (AttachmentRefused) when too big
    or not a photo, PDF or Word file. Nothing is stored on a refusal."""
    access.check_attach(user, target)
    if upload.size > max_bytes():
        raise AttachmentRefused(f"文件不能超过{max_bytes() // (1024 * 1024)}MB。")
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise AttachmentRefused(f"文件不能超过{max_bytes() // (1024 * 1024)}MB。")
    kind, mime, ext = sniff(data[:16], data)
    thumbnail = None
    if kind == AttachmentKind.IMAGE:
        data, thumbnail = clean_image(data, mime)
    attachment = Attachment(content_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk,
                            kind=kind, name=_name(upload.name, ext), mime=mime, size=len(data), uploaded_by=user)
    with transaction.atomic():
        # Stored under a random name: the typed one is shown, never used as a path.
        stored = uuid.uuid4().hex
        attachment.file.save(f"{stored}.{ext}", ContentFile(data), save=False)
        if thumbnail is not None:
            attachment.thumbnail.save(f"{stored}.jpg", ContentFile(thumbnail), save=False)
        attachment.save()
    return attachment


def attachments_of(target):
    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(type(target)),
                                     object_id=target.pk)


def attachment_for(user, pk) -> Attachment:
    """An attachment whose record `user` may see (404 otherwise, the same as no attachment at all)."""
    from django.http import Http404

    attachment = Attachment.objects.select_related("content_type").filter(pk=pk).first()
    if attachment is None:
        raise Http404("附件不存在或无权查看")
    model = attachment.content_type.model_class()
    access.get_visible_or_404(user, model._default_manager.all(), pk=attachment.object_id)
    return attachment


def slug_of(model) -> str | None:
    record_type = registry.for_model(model)
    return record_type.slug if record_type and record_type.slug in ATTACHABLE else None
