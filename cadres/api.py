"""GET /api/members/due/: what falls due in the development of the members the user may see."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .due import DueKind, due_items_for


class DueItemSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk", help_text="人员 id")
    name = serializers.CharField(source="person.name")
    village = serializers.IntegerField(source="person.village_id")
    village_name = serializers.CharField(source="person.village.name")
    kind = serializers.ChoiceField(choices=DueKind.choices)
    kind_label = serializers.CharField()
    due_date = serializers.DateField(source="due")
    days_left = serializers.IntegerField(help_text="距到期的天数；负数为已逾期天数")
    overdue = serializers.BooleanField()


class MembersDue(APIView):
    """预备期满（含延长预备期）待讨论转正、培养考察满一年可确定为发展对象的人员，按到期日期排列。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=inline_serializer("MembersDue", {
        "count": serializers.IntegerField(), "results": DueItemSerializer(many=True)}))
    def get(self, request):
        items = due_items_for(request.user)
        return Response({"count": len(items), "results": DueItemSerializer(items, many=True).data})
