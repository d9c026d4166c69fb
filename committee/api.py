"""The API of the township's notices beyond their records (/api/township-notices/): a user's inbox, marking a
notice read (a village's secretary), and who has read it (staff, leaders)."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from township import access

from .models import TownshipNotice
from .views import notice_for

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
        notice = notice_for(request.user, pk)
        if not access.marks_notices_read(request.user):
            raise exceptions.PermissionDenied("只有接收通知的村党组织书记确认已读。")
        receipt = notice.mark_read(request.user)
        return Response({"id": notice.pk, "read_at": receipt.read_at})


@extend_schema(tags=["镇通知"], responses={200: ReceiptsSerializer})
class NoticeReceipts(APIView):
    """Which villages the notice was sent to have read it, by whom and when (staff, leaders)."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        notice = notice_for(request.user, pk)
        if not access.reads_notice_receipts(request.user):
            raise exceptions.PermissionDenied("已读情况由镇党委查看。")
        villages = notice.read_by_village()
        return Response({
            "id": notice.pk, "title": notice.title, "sent": len(villages),
            "read": sum(1 for _v, receipts in villages if receipts),
            "villages": [{"id": village.pk, "name": village.name, "read": bool(receipts), "readers": [
                {"user": r.user.get_full_name() or r.user.username, "read_at": r.read_at} for r in receipts]}
                for village, receipts in villages],
        })
