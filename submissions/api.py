"""The monthly workbook's API (issue 4): template, upload, preview, confirm, review, completeness."""
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, generics, permissions, renderers, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ledgers.spreadsheets import XLSX_CONTENT_TYPE as XLSX_TYPE
from ledgers.uploads import SizeLimitedAPIMixin
from township import access

from . import rules, services, tasks
from .completeness import build_grid
from .models import Entry, Submission, SubmissionStatus
from .workbook import build_template, file_name_problem

# A submission someone might try to confirm: the API says why it cannot be.
CONFIRM_LOOKING_STATUSES = (SubmissionStatus.PREVIEW, SubmissionStatus.CONFIRMING, SubmissionStatus.SUPERSEDED)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "当前状态不允许该操作。"
    default_code = "conflict"


class WorkbookProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="工作表名称；整个文件的问题为空")
    row = serializers.IntegerField(allow_null=True, help_text="Excel 行号")
    column = serializers.CharField(help_text="列名")
    message = serializers.CharField()


class ChangeCountSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    replaced = serializers.IntegerField()
    removed = serializers.IntegerField()
    unchanged = serializers.IntegerField(required=False, help_text="与现有记录相同的行（不列入 changes）")


class RowChangeSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="工作表名称")
    row = serializers.IntegerField(allow_null=True, help_text="Excel 行号；删除的记录不在本表中，为空")
    action = serializers.ChoiceField(choices=["add", "replace", "remove"], help_text="新增、替换或删除")
    before = serializers.DictField(child=serializers.CharField(allow_blank=True), allow_null=True,
                                   help_text="变更前的值（列名 → 值）；新增时为空")
    after = serializers.DictField(child=serializers.CharField(allow_blank=True), allow_null=True,
                                  help_text="变更后的值（列名 → 值）；删除时为空")


class SubmissionSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)
    errors = WorkbookProblemSerializer(many=True, read_only=True)
    changes = serializers.SerializerMethodField(help_text="确认后（或本次上报）变更的每一行，含变更前后的值")
    change_summary = serializers.DictField(child=ChangeCountSerializer(), read_only=True,
                                           help_text="按工作表：新增、替换、删除、无变化的行数")

    class Meta:
        model = Submission
        fields = ["id", "village", "village_name", "year", "month", "status", "progress", "errors", "changes",
                  "change_summary", "message", "original_name", "file_size", "uploaded_by", "uploaded_at",
                  "confirmed_at"]
        read_only_fields = fields

    @extend_schema_field(RowChangeSerializer(many=True))
    def get_changes(self, submission):
        request = self.context.get("request")
        return rules.visible_changes(getattr(request, "user", None), submission)


class SubmissionDetailSerializer(SubmissionSerializer):
    confirmable = serializers.SerializerMethodField(help_text="现在能否确认上报")
    cannot_confirm = serializers.SerializerMethodField(help_text="不能确认上报的原因；能确认或无需确认时为空")

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "confirmable", "cannot_confirm"]
        read_only_fields = fields

    def _refusal(self, submission):
        if not hasattr(submission, "_refusal"):
            submission._refusal = services.confirm_refusal(submission)
        return submission._refusal

    @extend_schema_field(serializers.BooleanField())
    def get_confirmable(self, submission):
        return self._refusal(submission) is None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cannot_confirm(self, submission):
        refusal = self._refusal(submission)
        if refusal is None or submission.status not in CONFIRM_LOOKING_STATUSES:
            return None
        return refusal.message


class UploadSerializer(serializers.Serializer):
    village = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    file = serializers.FileField(help_text=".xlsx、.xls 或 .ods 工作簿")

    def validate_file(self, upload):
        wrong_kind = file_name_problem(upload.name)
        if wrong_kind:
            raise serializers.ValidationError(wrong_kind)
        return upload


class EnteredRowsSerializer(serializers.Serializer):
    village = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    rows = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="工作表名称 → 行的列表，每行为 列名 → 值，工作表名称和列名与模板相同，"
                  '如 {"集体经济收入": [{"收入类别": "土地流转", "金额（元）": "12000.50", "备注": ""}]}；'
                  "行号按模板计（第一行为第2行）",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


StatusSerializer = inline_serializer("SubmissionActionResult", {
    "id": serializers.IntegerField(), "status": serializers.CharField(),
})


def _int_param(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise exceptions.ValidationError({name: "应为整数"}) from None


def _action_result(submission):
    return {"id": submission.pk, "status": submission.status}


@extend_schema(tags=["月度报表"])
class SubmissionListCreate(SizeLimitedAPIMixin, generics.ListAPIView):
    """List the submissions you may see (filter by year, month, village), or upload a workbook, or send the
    month's rows as JSON (checked and confirmed exactly like a workbook)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SubmissionSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends = []

    def get_queryset(self):
        queryset = rules.submissions_for(self.request.user).order_by("-uploaded_at", "-pk")
        for name in ("year", "month", "village"):
            value = _int_param(self.request, name)
            if value is not None:
                queryset = queryset.filter(**{name: value})
        return queryset

    @extend_schema(parameters=[
        OpenApiParameter("year", int), OpenApiParameter("month", int), OpenApiParameter("village", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer, "application/json": EnteredRowsSerializer},
        responses={
            201: SubmissionSerializer,
            202: SubmissionSerializer,
            403: OpenApiResponse(description="角色只能查看"),
            404: OpenApiResponse(description="村不存在或无权查看"),
            409: OpenApiResponse(description="该月已审核锁定"),
            413: OpenApiResponse(description="文件过大"),
        },
    )
    def post(self, request, *args, **kwargs):
        user = request.user
        access.check_upload_workbook(user)
        data = request.data
        if data.get("village") not in (None, ""):
            rules.village_for_upload(user, data.get("village"))
        entered = "rows" in data and not data.get("file")
        upload = (EnteredRowsSerializer if entered else UploadSerializer)(data=data)
        upload.is_valid(raise_exception=True)
        values = upload.validated_data
        village = rules.village_for_upload(user, values["village"])
        if entered:
            uploaded_file, entry = services.entered_rows_file(values["rows"]), Entry.ROWS
        else:
            uploaded_file, entry = values["file"], Entry.WORKBOOK
        try:
            submission = services.submission_create(village=village, year=values["year"], month=values["month"],
                                                     uploaded_file=uploaded_file, user=user, entry=entry)
        except access.MonthLocked as exc:
            raise Conflict(str(exc)) from exc
        tasks.queue_preview(submission)
        submission.refresh_from_db()
        code = status.HTTP_202_ACCEPTED if submission.is_busy else status.HTTP_201_CREATED
        return Response(SubmissionSerializer(submission).data, status=code)


@extend_schema(tags=["月度报表"])
class SubmissionDetail(generics.RetrieveAPIView):
    """One submission: its status, every problem found, every row confirming changes, and whether it can be
    confirmed now."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SubmissionDetailSerializer

    def get_object(self):
        return rules.submission_for(self.request.user, self.kwargs["pk"])


class _ActionView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _submission(self, request, pk):
        return rules.submission_for(request.user, pk)


@extend_schema(tags=["月度报表"], request=None, responses={
    200: StatusSerializer, 202: StatusSerializer, 403: OpenApiResponse(description="角色只能查看"),
    404: OpenApiResponse(description="不存在或无权查看"),
    409: OpenApiResponse(description="报表有错误、已上报，或该月已锁定"),
})
class SubmissionConfirm(_ActionView):
    """Confirm a clean preview: the whole month is written, or nothing."""

    def post(self, request, pk):
        submission = self._submission(request, pk)
        access.check_upload_workbook(request.user)
        if not tasks.runs_inline():
            refusal = services.confirm_refusal(submission)  # the worker checks again under the month's lock
            if refusal is not None:
                raise Conflict(refusal.message, refusal.code)
            tasks.queue_confirm(submission, request.user)
            return Response({"id": submission.pk, "status": SubmissionStatus.CONFIRMING},
                            status=status.HTTP_202_ACCEPTED)
        try:
            submission = services.submission_confirm(submission=submission, user=request.user)
        except services.SubmissionRefused as exc:
            raise Conflict(exc.message, exc.code) from exc
        return Response(_action_result(submission))


def _review_view(service_name, doc):
    @extend_schema(tags=["月度报表"], request=ReasonSerializer, responses={
        200: StatusSerializer, 403: OpenApiResponse(description="只有镇党委工作人员可以审核"),
        404: OpenApiResponse(description="不存在或无权查看"), 409: OpenApiResponse(description="当前状态不允许"),
    })
    class ReviewView(_ActionView):
        def post(self, request, pk):
            submission = self._submission(request, pk)
            access.check_review_workbooks(request.user)
            reason = ReasonSerializer(data=request.data)
            reason.is_valid(raise_exception=True)
            service = getattr(services, service_name)
            try:
                submission = service(submission=submission, user=request.user,
                                     reason=reason.validated_data["reason"])
            except services.SubmissionRefused as exc:
                raise Conflict(exc.message, exc.code) from exc
            return Response(_action_result(submission))

    ReviewView.__name__ = ReviewView.__qualname__ = f"Submission{service_name.split('_')[1].title()}"
    ReviewView.__doc__ = doc
    return ReviewView


SubmissionApprove = _review_view("submission_approve", "Approve the current submission; the month is locked.")
SubmissionReturn = _review_view("submission_return", "Return the current submission with a reason (required).")
SubmissionReopen = _review_view("submission_reopen", "Reopen an approved month with a reason (required).")


class XlsxRenderer(renderers.BaseRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


@extend_schema(tags=["月度报表"], parameters=[
    OpenApiParameter("village", int, required=True), OpenApiParameter("year", int, required=True),
    OpenApiParameter("month", int, required=True),
], responses={(200, XLSX_TYPE): OpenApiTypes.BINARY, 404: OpenApiResponse(description="村不存在或无权查看")})
class SubmissionTemplate(APIView):
    """The month's .xlsx template for a village, prefilled with village, year and month."""

    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [renderers.JSONRenderer, XlsxRenderer]

    def get(self, request):
        village_id = _int_param(request, "village") or request.user.village_id
        year, month = _int_param(request, "year"), _int_param(request, "month")
        if village_id is None or year is None or month is None:
            raise exceptions.ValidationError("请提供 village、year 和 month 参数。")
        try:
            year, month = rules.parse_period(year, month)
        except ValueError as exc:
            raise exceptions.ValidationError(str(exc)) from exc
        village = access.get_visible_or_404(request.user, rules.villages_for(request.user), pk=village_id)
        response = HttpResponse(build_template(village=village, year=year, month=month), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{village.name}{year}年{month:02d}月月度报表.xlsx")
        return response


CompletenessSerializer = inline_serializer("SubmissionCompleteness", {
    "year": serializers.IntegerField(),
    "reporting_rate": serializers.FloatField(allow_null=True, help_text="%，一位小数"),
    "on_time_rate": serializers.FloatField(allow_null=True, help_text="%，一位小数"),
    "ended": serializers.IntegerField(help_text="已结束月份的村月数"),
    "reported": serializers.IntegerField(),
    "deadline_passed": serializers.IntegerField(),
    "on_time": serializers.IntegerField(),
    "villages": inline_serializer("SubmissionCompletenessVillage", {
        "id": serializers.IntegerField(), "name": serializers.CharField(),
        "months": inline_serializer("SubmissionCompletenessCell", {
            "month": serializers.IntegerField(), "status": serializers.CharField(),
            "label": serializers.CharField(), "late": serializers.BooleanField(),
            "on_time": serializers.BooleanField(),
        }, many=True),
    }, many=True),
})


@extend_schema(tags=["月度报表"], parameters=[OpenApiParameter("year", int)],
               responses={200: CompletenessSerializer})
class SubmissionCompleteness(APIView):
    """Villages × months of a year with the reporting and on-time rates; secretaries see their own row."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        year = _int_param(request, "year") or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise exceptions.ValidationError({"year": "年度应在2000至2100之间"})
        grid = build_grid(villages=rules.villages_for(request.user), year=year)
        return Response({
            "year": year,
            "reporting_rate": grid.reporting_rate,
            "on_time_rate": grid.on_time_rate,
            "ended": grid.ended,
            "reported": grid.reported,
            "deadline_passed": grid.deadline_passed,
            "on_time": grid.on_time,
            "villages": [
                {"id": village.pk, "name": village.name, "months": [
                    {"month": c.month, "status": c.status, "label": c.label, "late": c.late, "on_time": c.on_time}
                    for c in cells
                ]}
                for village, cells in grid.rows
            ],
        })
