"""GET /api/org-life/compliance/?year=: each branch's 三会一课 and 主题党日 requirements, held and met."""
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .compliance import build
from .views import branches_for, year_param

ComplianceSerializer = inline_serializer("OrgLifeCompliance", {
    "year": serializers.IntegerField(),
    "months_ended": serializers.IntegerField(),
    "compliance_rate": serializers.FloatField(allow_null=True, help_text="%，一位小数：已落实项数 ÷ 应落实项数"),
    "requirements_due": serializers.IntegerField(),
    "requirements_met": serializers.IntegerField(),
    "villages": inline_serializer("OrgLifeComplianceBranch", {
        "village": serializers.IntegerField(), "village_name": serializers.CharField(),
        "branch": serializers.IntegerField(), "branch_name": serializers.CharField(),
        "met": serializers.BooleanField(help_text="每类要求均已落实"),
        "kinds": inline_serializer("OrgLifeComplianceKind", {
            "kind": serializers.CharField(), "label": serializers.CharField(),
            "frequency": serializers.CharField(),
            "required": serializers.IntegerField(help_text="已结束的应召开期间数"),
            "held": serializers.IntegerField(help_text="本年召开次数"),
            "met": serializers.BooleanField(),
            "missing": serializers.ListField(child=serializers.CharField(), help_text="未召开的期间"),
        }, many=True),
    }, many=True),
})


@extend_schema(tags=["组织生活"], parameters=[OpenApiParameter("year", int)], responses={200: ComplianceSerializer})
class OrgLifeCompliance(APIView):
    """Per branch and kind of organisational life: required, held, met; secretaries see their own branch."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        today = timezone.localdate()
        year = year_param(request.query_params.get("year"), today.year)
        if year is None:
            raise exceptions.ValidationError({"year": "年度应为2000至2100之间的整数"})
        result = build(branches=branches_for(request.user), year=year, today=today)
        return Response({
            "year": year,
            "months_ended": result.months_ended,
            "compliance_rate": result.rate,
            "requirements_due": result.due,
            "requirements_met": result.met,
            "villages": [{
                "village": row.village.pk, "village_name": row.village.name,
                "branch": row.branch.pk, "branch_name": row.branch.name,
                "met": not row.short,
                "kinds": [{"kind": k.kind, "label": k.label, "frequency": k.frequency, "required": k.required,
                           "held": k.held, "met": k.met, "missing": k.missing} for k in row.kinds],
            } for row in result.rows],
        })
