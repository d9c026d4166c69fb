"""Notices from the township (a secretary marks one read; staff and leaders see who has read it), and the
evidence attached to records (added and served within the record's scope)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from ledgers.uploads import limit_upload_size
from township import access
from township.views import redirect_back

from . import attachments
from .models import AttachmentKind, TownshipNotice


def notice_for(user, pk):
    """A notice `user` may see (404 otherwise)."""
    return access.get_visible_or_404(user, TownshipNotice.objects.all(), pk=pk)


def notice_to_mark_read(user, pk):
    """A notice `user` may mark read: 404 when not visible, 403 for all but its villages' secretaries
    (the page and the API alike; DRF answers Django's PermissionDenied with 403 too)."""
    notice = notice_for(user, pk)
    if not access.marks_notices_read(user):
        raise PermissionDenied("只有接收通知的村党组织书记确认已读。")
    return notice


def notice_with_receipts(user, pk):
    """A notice whose read receipts `user` may see: 404 when not visible, 403 for secretaries."""
    notice = notice_for(user, pk)
    if not access.reads_notice_receipts(user):
        raise PermissionDenied("已读情况由镇党委查看。")
    return notice


@login_required
@require_POST
def notice_read(request, pk):
    notice = notice_to_mark_read(request.user, pk)
    notice.mark_read(request.user)
    messages.success(request, f"已确认阅读：{notice.title}")
    return redirect_back(request)


@login_required
@require_GET
def notice_receipts(request, pk):
    notice = notice_with_receipts(request.user, pk)
    villages = notice.read_by_village()
    return render(request, "committee/receipts.html", {
        "notice": notice, "villages": villages, "read": sum(1 for _v, receipts in villages if receipts),
    })


# ---------------------------------------------------------------- evidence attached to records


def _file_response(stored, name, mime, *, inline=True):
    response = FileResponse(stored.open("rb"), content_type=mime)
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def attachment_file(request, pk):
    attachment = attachments.attachment_for(request.user, pk)
    inline = attachment.kind in (AttachmentKind.IMAGE, AttachmentKind.PDF)
    return _file_response(attachment.file, attachment.name, attachment.mime, inline=inline)


@login_required
@require_GET
def attachment_thumbnail(request, pk):
    attachment = attachments.attachment_for(request.user, pk)
    if not attachment.thumbnail:
        raise Http404("该附件没有缩略图")
    return _file_response(attachment.thumbnail, "thumb.jpg", "image/jpeg")


def _attachment_too_large(request):
    limit = attachments.max_bytes() // (1024 * 1024)
    return render(request, "413.html", {"message": f"文件超过{limit}MB的上限，已拒绝接收。"}, status=413)


@login_required
@limit_upload_size("ATTACHMENT_MAX_BYTES", attachments.MAX_BYTES_DEFAULT, too_large=_attachment_too_large)
@require_POST
def attachment_add(request):
    user = request.user
    slug = request.POST.get("target", "")
    target = attachments.target_for(user, slug, request.POST.get("object_id"))
    back = reverse(f"records:{slug}-detail", args=[target.pk])
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的照片或文件。")
        return redirect(back)
    try:
        attachments.attach(user=user, target=target, upload=upload)
    except attachments.AttachmentRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "附件已上传。")
    return redirect(back)
