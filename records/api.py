"""The API of every registered record type: list/retrieve/create/update/delete, scoped."""
from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.settings import api_settings

from records.filters import filterset_for
from records.registry import RecordType
from township import access
from township.masking import mask_field


class MonthLockedError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该村该月的月报已审核通过并锁定。"
    default_code = "month_locked"


class RecordInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该记录仍被其他记录引用，不能删除。"
    default_code = "in_use"


class RecordSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose related choices are limited to what the user may see,
    with personal data masked for everyone but staff."""

    masked_fields: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in self.fields.values():
            target = getattr(field, "child_relation", field)
            if isinstance(target, serializers.PrimaryKeyRelatedField) and target.queryset is not None:
                if hasattr(target.queryset.model, "SCOPE"):
                    target.queryset = access.visible(user, target.queryset)
            if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank:
                # DRF drops allow_blank from read-only fields, so the schema's enum would leave out
                # the "" that a blank=True choice field (发展阶段 before any stage change) does return.
                model_field = self._model_field(field)
                if model_field is not None and model_field.blank:
                    field.allow_blank = True

    def _model_field(self, field):
        model = getattr(getattr(self, "Meta", None), "model", None)
        source = field.source or field.field_name
        if model is None or not source or "." in source:
            return None
        try:
            return model._meta.get_field(source)
        except FieldDoesNotExist:  # a serializer-only field
            return None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not access.sees_personal_data(getattr(request, "user", None)):
            for name in self.masked_fields:
                if data.get(name):
                    data[name] = mask_field(name, data[name])
        return data


def build_serializer_class(record_type: RecordType):
    base = record_type.serializer_class or RecordSerializer
    fields = record_type.api_fields or ["id", *record_type.editable_fields(None)]
    read_only = list(getattr(getattr(base, "Meta", None), "read_only_fields", []))
    if record_type.has_township_field:
        read_only.append("township")
    meta_attrs = {"model": record_type.model, "fields": fields, "read_only_fields": read_only}
    if hasattr(base, "Meta"):
        meta = type("Meta", (base.Meta,), meta_attrs)
    else:
        meta = type("Meta", (), meta_attrs)
    attrs = {"Meta": meta, "masked_fields": tuple(record_type.masked_fields)}
    for name in record_type.masked_fields:
        model_field = record_type.model._meta.get_field(name)
        if name in fields and not model_field.editable and not isinstance(model_field, models.CharField):
            # A masked value is text ("1992年" for a birth date) whatever the column is: the schema says so.
            attrs[name] = serializers.CharField(read_only=True, label=model_field.verbose_name)
    return type(f"{record_type.model.__name__}Serializer", (base,), attrs)


class RecordPermission(permissions.BasePermission):
    """Reads for whoever may see the kind; writes only for roles that may write it."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        model = view.record_type.model
        if not access.can_see_kind(user, model):
            raise exceptions.NotFound("记录不存在或无权查看")
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.kwargs.get(view.lookup_url_kwarg or view.lookup_field) is not None:
            # A write to one record: someone who may not see it gets 404 (from the scoped
            # queryset) before learning that their role is read-only (has_object_permission).
            return True
        return self._check_write_kind(user, model)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return self._check_write_kind(request.user, view.record_type.model)

    @staticmethod
    def _check_write_kind(user, model):
        if not access.can_write_kind(user, model):
            raise exceptions.PermissionDenied("您的角色只能查看，不能新增或修改记录。")
        return True


def _full_clean(instance):
    """Run the model's own validation (clean(), constraints) and answer 400 in Chinese, as the forms do.

    The serializer alone does not call Model.clean() and skips the unique constraints that
    include the township it sets itself; without this an API write could end in a 500."""
    exclude = [f.name for f in instance._meta.fields if not f.editable]  # set by save() or by the system
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise serializers.ValidationError(detail) from exc


def fill_derived(instance):
    """Let the record set what it derives from its other fields (the village a person's step is made in, the
    ends of a transfer) before its scope and lock are checked: a model's own `fill_derived()`."""
    fill = getattr(instance, "fill_derived", None)
    if fill is not None:
        fill()


def _check(user, obj):
    try:
        access.check_write(user, obj)
    except access.MonthLocked as exc:
        raise MonthLockedError(str(exc)) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


class RecordViewSet(viewsets.ModelViewSet):
    record_type: RecordType = None
    permission_classes = [RecordPermission]

    def get_queryset(self):
        rt = self.record_type
        # The list of a day past (?on=…) holds the records by where they belonged that day (RecordType.as_of).
        params = self.request.query_params if self.action == "list" else None
        qs = rt.visible_to(self.request.user, prefetch=[f.name for f in rt.model._meta.many_to_many], params=params)
        return qs.order_by(*(rt.ordering or rt.model._meta.ordering or ["-pk"]), "pk")

    def _unsaved(self, serializer, base=None):
        """An unsaved instance with the submitted values, to check scope and lock before writing."""
        model = self.record_type.model
        instance = model() if base is None else model._default_manager.get(pk=base.pk)
        m2m = {f.name for f in model._meta.many_to_many}
        for name, value in serializer.validated_data.items():
            if name not in m2m:
                setattr(instance, name, value)
        user = self.request.user
        if self.record_type.has_township_field and instance.pk is None and not access.chooses_township(user):
            instance.township_id = user.township_id
        fill_derived(instance)
        return instance

    def perform_create(self, serializer):
        unsaved = self._unsaved(serializer)
        _check(self.request.user, unsaved)
        _full_clean(unsaved)
        extra = {}
        if self.record_type.has_township_field and not access.chooses_township(self.request.user):
            extra["township_id"] = self.request.user.township_id
        serializer.save(**extra)

    def perform_update(self, serializer):
        _check(self.request.user, serializer.instance)
        unsaved = self._unsaved(serializer, base=serializer.instance)
        _check(self.request.user, unsaved)
        _full_clean(unsaved)
        try:
            # Moving a record that rows of an approved month hang on is refused as it saves (villages/locks.py).
            with transaction.atomic():
                serializer.save()
        except access.MonthLocked as exc:
            raise MonthLockedError(str(exc)) from exc

    def perform_destroy(self, instance):
        _check(self.request.user, instance)
        try:
            # So is deleting it: its stage changes would go with a person (CASCADE), whatever their month.
            with transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            raise RecordInUse() from exc
        except access.MonthLocked as exc:
            raise MonthLockedError(str(exc)) from exc
        except DjangoValidationError as exc:  # a rule of the record kind refuses it (a development step's order)
            raise exceptions.ValidationError({"detail": exc.messages}) from exc


def build_viewset(record_type: RecordType):
    rt = record_type
    return type(
        f"{rt.model.__name__}ViewSet",
        (RecordViewSet,),
        {
            "record_type": rt,
            "serializer_class": build_serializer_class(rt),
            "filterset_class": filterset_for(rt),
            "search_fields": [],  # the filterset's q does the search
            "ordering_fields": [n for n in rt.list_fields if "__" not in n and n not in rt.masked_fields],
            "__doc__": f"{rt.label_plural}：按村、年度筛选，范围由用户角色决定。",
        },
    )
