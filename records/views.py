"""Generic pages for every registered record type: list, detail, form, delete, history."""
from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import ProtectedError, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from records.api import fill_derived
from records.filters import filterset_for
from records.registry import RecordType
from township import access
from township.masking import mask_field
from township.numbers import share, yuan

# ---------------------------------------------------------------- display


def display_value(obj, name, user=None, record_type: RecordType | None = None):
    """The value of field `name` of `obj` as a person reads it (Chinese labels, masked personal data)."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return "、".join(str(item) for item in getattr(obj, name).all()) or "—"
    value = getattr(obj, name)
    if record_type and name in record_type.masked_fields and not access.sees_personal_data(user):
        return mask_field(name, value) or "—"
    if field.choices and value not in (None, ""):
        return getattr(obj, f"get_{name}_display")()
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def field_label(model, name):
    return model._meta.get_field(name).verbose_name


def _is_date(model, name):
    """Whether a column holds dates: its cells never wrap (1995-03-15, not 1995-/03-15)."""
    return isinstance(model._meta.get_field(name), models.DateField)


# ---------------------------------------------------------------- filters


# ---------------------------------------------------------------- forms


BLANK_REQUIRED, BLANK_OPTIONAL = "请选择", "（不选）"


def _label_blank_choice(field):
    """A select's empty choice in words ("请选择", or "（不选）" where leaving it empty means something),
    never Django's "---------"."""
    label = BLANK_REQUIRED if field.required else BLANK_OPTIONAL
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = label
    elif isinstance(field, forms.ChoiceField):
        field.choices = [(value, label if value == "" else text) for value, text in field.choices]


class RecordForm(forms.ModelForm):
    """A ModelForm whose choices are limited to what the user may see.

    Personal data (`masked_fields`) is never sent to a user who may not see it: on an
    existing record the input starts empty, and leaving it empty keeps the stored value.
    """

    masked_fields: tuple = ()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and hasattr(field.queryset.model, "SCOPE"):
                field.queryset = access.visible(user, field.queryset)
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            if isinstance(field, forms.DateTimeField):
                field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            _label_blank_choice(field)
        own_village_id = access.confined_village_id(user)
        if own_village_id is not None and "village" in self.fields:
            # A secretary's records are always their own village's, never township-level ones.
            self.fields["village"].required = True
            self.fields["village"].empty_label = None
            if self.instance.pk is None:
                self.fields["village"].initial = own_village_id
        if self.instance.pk is None and user is not None and not access.chooses_township(user):
            # Township-level records belong to the user's township, never one picked in the form.
            if any(f.name == "township" for f in self.instance._meta.fields) and "township" not in self.fields:
                self.instance.township_id = user.township_id
        self.hidden_personal_fields = []
        if self.instance.pk is not None and not access.sees_personal_data(user):
            for name in self.masked_fields:
                stored = getattr(self.instance, name, "")
                if name in self.fields and stored:
                    self.hidden_personal_fields.append(name)
                    self.initial[name] = ""
                    field = self.fields[name]
                    field.required = False
                    field.widget.attrs["placeholder"] = mask_field(name, stored)
                    field.help_text = "已隐藏；留空则保持不变，如需更正请输入完整号码"

    def clean(self):
        cleaned = super().clean()
        for name in self.hidden_personal_fields:
            if not cleaned.get(name) and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def _get_validation_exclusions(self):
        # The township is set from the user, not typed in the form, but the unique
        # constraints that include it (one target per township and year) must still be checked.
        exclude = super()._get_validation_exclusions()
        if getattr(self.instance, "township_id", None) is not None:
            exclude.discard("township")
        return exclude


def build_form_class(record_type: RecordType, user):
    base = record_type.form_class or RecordForm
    form_class = forms.modelform_factory(record_type.model, form=base, fields=record_type.editable_fields(user))
    form_class.masked_fields = tuple(record_type.masked_fields)
    return form_class


# ---------------------------------------------------------------- views


class RecordView(LoginRequiredMixin, View):
    record_type: RecordType = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.can_see_kind(request.user, self.record_type.model):
            raise Http404("记录不存在或无权查看")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.record_type.visible_to(self.request.user)

    def get_object(self, pk):
        return access.get_visible_or_404(self.request.user, self.get_queryset(), pk=pk)

    def url(self, action, obj=None):
        name = f"records:{self.record_type.slug}-{action}"
        return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)

    def context(self, **extra):
        rt = self.record_type
        user = self.request.user
        return {
            "record_type": rt,
            "can_write": access.can_write_kind(user, rt.model),
            "list_url": self.url("list"),
            "create_url": self.url("create"),
            **extra,
        }


def _stated(value, unit):
    """A total as the list states it: money with separators and two decimals, counts as they are."""
    if unit == "元":
        return yuan(value or 0)
    return f"{value or 0}{unit}"


class RecordListView(RecordView):
    def filtered(self, params):
        # A list of a day past (?on=…) lists the records by where they belonged that day (RecordType.as_of).
        queryset = self.record_type.visible_to(self.request.user, params=params)
        filterset = filterset_for(self.record_type)(params or None, queryset=queryset, request=self.request)
        valid = filterset.is_bound and filterset.is_valid()
        return filterset, (filterset.qs if valid else self.get_queryset())

    def summary(self, qs, count):
        """What the list states of its records: 共 N 条, and on request (a figure's source) a total and a share.

        ?sum=<field> totals a declared field; ?share_of=<filter,…> states the count (or total) as a
        share of the list under only those filters, the way the figure's share is computed."""
        rt = self.record_type
        params = self.request.GET
        field = params.get("sum")
        unit = rt.sum_fields.get(field) if field else None
        summary = {"count": count, "label": None, "total": None, "share": None}
        if unit is not None:
            summary["label"] = field_label(rt.model, field)
            summary["total"] = qs.aggregate(total=Sum(field))["total"] or 0
        names = [n for n in params.get("share_of", "").split(",") if n in params and n not in ("sum", "share_of")]
        if params.get("share_of") is not None:
            _fs, whole_qs = self.filtered({n: params[n] for n in names})
            whole = whole_qs.aggregate(total=Sum(field))["total"] if unit is not None else whole_qs.count()
            part = summary["total"] if unit is not None else count
            summary["share"] = {"whole": _stated(whole, unit) if unit else f"{whole}条", "percent": share(part, whole)}
        if unit is not None:
            summary["total"] = _stated(summary["total"], unit)
        return summary

    def get(self, request):
        rt = self.record_type
        filterset, qs = self.filtered(request.GET)
        qs = qs.order_by(*(rt.ordering or rt.model._meta.ordering or ["-pk"]), "pk")
        page = Paginator(qs, settings.RECORDS_PER_PAGE).get_page(request.GET.get("page"))
        columns = [{"label": field_label(rt.model, name), "date": _is_date(rt.model, name)} for name in rt.list_fields]
        objects = list(page.object_list)
        # A list of a day past holds records of then that are another township's now (a member transferred away
        # after that day): listed as counted, but not linked to a page the user may not open.
        openable = None
        if rt.as_of_day(request.GET) is not None:
            openable = set(rt.visible_to(request.user).filter(pk__in=[obj.pk for obj in objects])
                           .values_list("pk", flat=True))
        rows = [
            (obj, reverse(f"records:{rt.slug}-detail", args=[obj.pk]) if openable is None or obj.pk in openable
             else None,
             [(column, display_value(obj, name, request.user, rt)) for column, name in zip(columns, rt.list_fields,
                                                                                           strict=True)])
            for obj in objects
        ]
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "records/list.html", self.context(
            filterset=filterset,
            page=page,
            summary=self.summary(qs, page.paginator.count),
            rows=rows,
            columns=columns,
            query=query.urlencode(),
        ))


class RecordDetailView(RecordView):
    def get(self, request, pk):
        rt = self.record_type
        obj = self.get_object(pk)
        names = [
            f.name for f in rt.model._meta.get_fields()
            if f.concrete and not f.auto_created and f.name != "id"
        ]
        fields = [(field_label(rt.model, n), display_value(obj, n, request.user, rt)) for n in names]
        return render(request, "records/detail.html", self.context(
            obj=obj,
            fields=fields,
            can_change=self._can_change(obj),
            lock_notice=access.month_lock_message(obj),
            edit_url=self.url("update", obj),
            delete_url=self.url("delete", obj),
            history_url=self.url("history", obj),
            tables=rt.detail_tables(obj, request.user) if rt.detail_tables else [],
        ))

    def _can_change(self, obj):
        try:
            access.check_write(self.request.user, obj)
        except PermissionDenied:
            return False
        return True


class RecordFormView(RecordView):
    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and access.can_see_kind(user, self.record_type.model):
            if "pk" in kwargs:
                self.get_object(kwargs["pk"])  # an outsider gets 404 before learning it is read-only
            if not access.can_write_kind(user, self.record_type.model):
                raise PermissionDenied("您的角色只能查看，不能新增或修改记录。")
        return super().dispatch(request, *args, **kwargs)

    def get_instance(self, pk):
        if pk is None:
            return None
        obj = self.get_object(pk)
        access.check_write(self.request.user, obj)
        return obj

    def get(self, request, pk=None):
        instance = self.get_instance(pk)
        form = build_form_class(self.record_type, request.user)(instance=instance, user=request.user)
        return self.render_form(form, instance)

    def post(self, request, pk=None):
        instance = self.get_instance(pk)
        form = build_form_class(self.record_type, request.user)(
            request.POST, request.FILES, instance=instance, user=request.user
        )
        if form.is_valid():
            try:
                fill_derived(form.instance)
                access.check_write(request.user, form.instance)
                # Moving a record that rows of an approved month hang on is refused by the model's lock
                # (villages/locks.py) as it saves; the savepoint keeps the page's transaction usable.
                with transaction.atomic():
                    obj = form.save()
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{self.record_type.label}已保存。")
                return HttpResponseRedirect(self.url("detail", obj))
        return self.render_form(form, instance, status=400)

    def render_form(self, form, instance, status=200):
        return render(request=self.request, template_name="records/form.html", context=self.context(
            form=form, obj=instance,
        ), status=status)


class RecordDeleteView(RecordFormView):
    def get(self, request, pk):
        obj = self.get_instance(pk)
        return render(request, "records/delete.html", self.context(obj=obj, detail_url=self.url("detail", obj)))

    def post(self, request, pk):
        obj = self.get_instance(pk)
        try:
            # Refused (MonthLocked, a 403 with the lock message) when rows of an approved month hang on it.
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            messages.error(request, f"该{self.record_type.label}仍被其他记录引用，不能删除。")
            return HttpResponseRedirect(self.url("detail", obj))
        except ValidationError as exc:  # a rule of the record kind refuses it (a development step's order)
            messages.error(request, "；".join(exc.messages))
            return HttpResponseRedirect(self.url("detail", obj))
        messages.success(request, f"{self.record_type.label}已删除，修改记录中仍保留其历史。")
        return HttpResponseRedirect(self.url("list"))


class RecordHistoryView(RecordView):
    def get(self, request, pk):
        rt = self.record_type
        obj = self.get_object(pk)
        if not hasattr(obj, "history"):
            raise Http404("该记录没有修改记录")
        entries = list(obj.history.all().select_related("history_user").order_by("-history_date", "-history_id"))
        changes = []
        for newer, older in zip(entries, entries[1:] + [None], strict=True):
            if older is None:
                diffs = []
            else:
                delta = newer.diff_against(older)
                diffs = [
                    (field_label(rt.model, change.field),
                     self._history_value(rt, change.field, change.old),
                     self._history_value(rt, change.field, change.new))
                    for change in delta.changes
                ]
                if not access.sees_personal_data(request.user):
                    # A masked change that masks alike (the same last four) is not shown: whether the number
                    # changed would tell a reader who typed a candidate whether it was the stored one.
                    masked_labels = {field_label(rt.model, name) for name in rt.masked_fields}
                    diffs = [d for d in diffs if not (d[0] in masked_labels and d[1] == d[2])]
            changes.append({"entry": newer, "diffs": diffs})
        return render(request, "records/history.html", self.context(
            obj=obj, changes=changes, detail_url=self.url("detail", obj),
        ))

    def _history_value(self, rt, name, value):
        field = rt.model._meta.get_field(name)
        if name in rt.masked_fields and not access.sees_personal_data(self.request.user):
            return mask_field(name, value) or "—"
        if value is None or value == "" or value == []:
            return "—"
        if field.many_to_many:
            # simple_history gives the through rows: [{"alliance": 1, "village": 2}, ...]
            target = field.m2m_reverse_field_name()
            ids = [row.get(target) for row in value if isinstance(row, dict)]
            names = self._names(field.related_model, ids)
            return "、".join(names.get(pk, f"#{pk}") for pk in ids) or "—"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if field.many_to_one:
            return self._names(field.related_model, [value]).get(value, f"#{value}")
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)

    def _names(self, model, ids):
        """{pk: str(obj)} for the ids, cached per page so a long history costs one query per related record."""
        cache = self.__dict__.setdefault("_name_cache", {})
        missing = [pk for pk in ids if (model, pk) not in cache]
        if missing:
            for obj in model._default_manager.filter(pk__in=missing):
                cache[(model, obj.pk)] = str(obj)
        return {pk: cache[(model, pk)] for pk in ids if (model, pk) in cache}


def record_urlpatterns(record_types):
    from django.urls import path

    patterns = []
    for rt in record_types:
        s = rt.slug
        patterns += [
            path(f"{s}/", RecordListView.as_view(record_type=rt), name=f"{s}-list"),
            path(f"{s}/new/", RecordFormView.as_view(record_type=rt), name=f"{s}-create"),
            path(f"{s}/<int:pk>/", RecordDetailView.as_view(record_type=rt), name=f"{s}-detail"),
            path(f"{s}/<int:pk>/edit/", RecordFormView.as_view(record_type=rt), name=f"{s}-update"),
            path(f"{s}/<int:pk>/delete/", RecordDeleteView.as_view(record_type=rt), name=f"{s}-delete"),
            path(f"{s}/<int:pk>/history/", RecordHistoryView.as_view(record_type=rt), name=f"{s}-history"),
        ]
    return patterns
