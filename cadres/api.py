"""GET /api/members/due/: what falls due in the development of the members the user may see; GET
/api/members/dues/?year=: the branches' dues of each month, derived from the members' dues."""
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .due import DueKind, due_items_for
from .models import dues_totals_for


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


class DuesTotalSerializer(serializers.Serializer):
    village = serializers.IntegerField(source="village_id")
    village_name = serializers.CharField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    members = serializers.IntegerField(help_text="应缴人数：登记党费的党员")
    members_paid = serializers.IntegerField(help_text="足额交纳的党员")
    members_in_arrears = serializers.IntegerField(help_text="欠交的党员")
    expected = serializers.DecimalField(source="expected_total", max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(source="paid_total", max_digits=14, decimal_places=2)


class DuesTotals(APIView):
    """各村党支部每月党费收缴汇总：由党员每月党费记录汇总得出（不另行填报）。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("year", int, description="年度，默认为今年")],
                   responses=inline_serializer(
        "DuesTotals", {"year": serializers.IntegerField(), "results": DuesTotalSerializer(many=True)}))
    def get(self, request):
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            return Response({"year": ["年度应为2000至2100之间的整数"]}, status=400)
        if not 2000 <= year <= 2100:
            return Response({"year": ["年度应在2000至2100之间"]}, status=400)
        rows = dues_totals_for(request.user, year)
        return Response({"year": year, "results": DuesTotalSerializer(rows, many=True).data})
