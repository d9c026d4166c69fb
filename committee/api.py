"""The API of the township's notices beyond their records (/api/township-notices/): a user's inbox, marking a
notice read (a village's secretary), and who has read it (staff, leaders)."""
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ledgers.uploads import SizeLimitedAPIMixin
from township import access

from . import attachments
from .models import TownshipNotice
from .views import notice_to_mark_read, notice_with_receipts

InboxSerializer = inline_serializer("TownshipNoticeInboxItem", {
    "id": serializers.IntegerField(), "title": serializers.CharField(), "text": serializers.CharField(),
    "deadline": serializers.DateField(allow_null=True), "created_at": serializers.DateTimeField(),
    "read": serializers.BooleanField(), "read_at": serializers.DateTimeField(allow_null=True),
}, many=True)
ReadSerializer = inline_serializer("TownshipNoticeRead", {
    "id": serializers.IntegerField(), "read_at": serializers.DateTimeField()})
ReceiptsSerializer = inline_serializer("TownshipNoticeReceipts", {
    "id": serializers.IntegerField(), "title": serializers.CharField(),
    "sent": serializers.IntegerField(help_text="发送的村数"), "read": serializers.IntegerField(help_text="已读的村数"),
    "villages": inline_serializer("TownshipNoticeReceiptVillage", {
        "id": serializers.IntegerField(), "name": serializers.CharField(), "read": serializers.BooleanField(),
        "readers": inline_serializer("TownshipNoticeReader", {
            "user": serializers.CharField(), "read_at": serializers.DateTimeField()}, many=True),
    }, many=True),
})


@extend_schema(tags=["镇通知"], responses={200: InboxSerializer})
class NoticeInbox(APIView):
    """The township's notices the user may see (a secretary: those sent to her village), unread first."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        notices = access.visible(request.user, TownshipNotice.objects.all()).inbox(request.user)[:200]
        return Response([{
            "id": n.pk, "title": n.title, "text": n.text, "deadline": n.deadline, "created_at": n.created_at,
            "read": n.read_at is not None, "read_at": n.read_at,
        } for n in notices])


@extend_schema(tags=["镇通知"], request=None, responses={200: ReadSerializer})
class NoticeRead(APIView):
    """Mark a notice read (its village's secretary): the read receipt staff see. Reading again changes nothing."""

    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        notice = notice_to_mark_read(request.user, pk)
        receipt = notice.mark_read(request.user)
        return Response({"id": notice.pk, "read_at": receipt.read_at})


@extend_schema(tags=["镇通知"], responses={200: ReceiptsSerializer})
class NoticeReceipts(APIView):
    """Which villages the notice was sent to have read it, by whom and when (staff, leaders)."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        notice = notice_with_receipts(request.user, pk)
        villages = notice.read_by_village()
        return Response({
            "id": notice.pk, "title": notice.title, "sent": len(villages),
            "read": sum(1 for _v, receipts in villages if receipts),
            "villages": [{"id": village.pk, "name": village.name, "read": bool(receipts), "readers": [
                {"user": r.user.get_full_name() or r.user.username, "read_at": r.read_at} for r in receipts]}
                for village, receipts in villages],
        })


# ---------------------------------------------------------------- evidence attached to records

ATTACHMENT_FIELDS = {
    "id": serializers.IntegerField(), "url": serializers.CharField(),
    "thumbnail_url": serializers.CharField(allow_null=True), "name": serializers.CharField(),
    "kind": serializers.CharField(), "size": serializers.IntegerField(),
    "uploaded_at": serializers.DateTimeField(),
}
AttachmentSerializer = inline_serializer("Attachment", ATTACHMENT_FIELDS)
AttachmentUploadSerializer = inline_serializer("AttachmentUpload", {
    "target": serializers.ChoiceField(choices=attachments.ATTACHABLE, help_text="记录类型（如 org-life）"),
    "object_id": serializers.IntegerField(), "file": serializers.FileField(),
})


def attachment_json(attachment):
    return {
        "id": attachment.pk, "url": reverse("attachments:file", args=[attachment.pk]),
        "thumbnail_url": reverse("attachments:thumbnail", args=[attachment.pk]) if attachment.thumbnail else None,
        "name": attachment.name, "kind": attachment.kind, "size": attachment.size,
        "uploaded_at": attachment.uploaded_at,
    }


def _object_id(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise exceptions.ValidationError({"object_id": "应为记录编号（整数）"}) from None


class AttachmentListCreate(SizeLimitedAPIMixin, APIView):
    """The evidence of one record (?target=&object_id=), and adding a photo, PDF or Word file to it (a body past
    ATTACHMENT_MAX_BYTES is answered 413 while it streams in, before anything reads it)."""

    upload_limit_setting = "ATTACHMENT_MAX_BYTES"
    upload_limit_default = attachments.MAX_BYTES_DEFAULT

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=["附件"], parameters=[OpenApiParameter("target", str), OpenApiParameter("object_id", int)],
                   responses={200: inline_serializer("AttachmentList", ATTACHMENT_FIELDS, many=True)})
    def get(self, request):
        target = attachments.target_for(request.user, request.query_params.get("target", ""),
                                        _object_id(request.query_params.get("object_id")))
        return Response([attachment_json(a) for a in attachments.attachments_of(target)])

    @extend_schema(tags=["附件"], request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer})
    def post(self, request):
        target = attachments.target_for(request.user, request.data.get("target", ""),
                                        _object_id(request.data.get("object_id")))
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": "请选择要上传的照片或文件。"})
        try:
            attachment = attachments.attach(user=request.user, target=target, upload=upload)
        except access.MonthLocked as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except attachments.AttachmentRefused as exc:
            raise exceptions.ValidationError({"file": exc.message}) from exc
        return Response(attachment_json(attachment), status=status.HTTP_201_CREATED)
