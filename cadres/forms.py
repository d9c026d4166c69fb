"""Input of people through the pages and the API: the 身份证号 is normalised before it is checked, and
whether it is already registered is told only to the staff of the township that holds it."""
from django.core.exceptions import ValidationError
from rest_framework import exceptions, serializers
from rest_framework.validators import UniqueValidator

from records.api import RecordSerializer
from records.views import RecordForm
from township import access, audit
from villages.models import Village

from .id_numbers import id_number_problem, normalize_id_number
from .models import Person


class PersonForm(RecordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "village" in self.fields:
            # Person.clean refuses a change: a member moves by a dated 组织关系转接, which keeps their history.
            self.fields["village"].help_text = "所属村不能直接修改；调动请登记“组织关系转接”"

    def clean_id_number(self):
        # "640102199001011234 " and a lower-case x are the same person: normalise before the
        # unique check, or the database would refuse what the form let through.
        value = normalize_id_number(self.cleaned_data.get("id_number"))
        if not value and "id_number" in self.hidden_personal_fields:
            return value  # left blank: the stored number stays (RecordForm.clean)
        if self.instance.pk is not None and value == self.instance.id_number:
            return value
        problem = id_number_problem(value)
        if problem:
            raise ValidationError(problem, code="invalid_id_number")
        try:
            refusal = Person.objects.registration_refusal(user=self.user, id_number=value,
                                                          exclude_pk=self.instance.pk)
        except audit.IdNumberThrottled as exc:
            raise ValidationError(exc.message, code="throttled") from None
        if refusal:
            raise ValidationError(refusal, code="refused")
        return value

    def _get_validation_exclusions(self):
        # The model's unique check would say "已登记" to everyone: clean_id_number has asked the register.
        exclude = super()._get_validation_exclusions()
        exclude.add("id_number")
        return exclude


class IdNumberField(serializers.CharField):
    def to_internal_value(self, data):
        return normalize_id_number(super().to_internal_value(data))


class PersonSerializer(RecordSerializer):
    class Meta:
        # The stage follows the dated stage changes (StageChange.save), never typed directly.
        read_only_fields = ["stage"]

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name == "id_number":
            field_class = IdNumberField
            # DRF's UniqueValidator would tell everyone "already exists": validate_id_number asks the register.
            kwargs["validators"] = [v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)]
        return field_class, kwargs

    def validate_id_number(self, value):
        if self.instance is not None and value == self.instance.id_number:
            return value
        problem = id_number_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        request = self.context.get("request")
        try:
            refusal = Person.objects.registration_refusal(
                user=getattr(request, "user", None), id_number=value,
                exclude_pk=getattr(self.instance, "pk", None), where=getattr(request, "path", ""))
        except audit.IdNumberThrottled as exc:
            raise exceptions.Throttled(detail=exc.message) from None
        if refusal:
            raise serializers.ValidationError(refusal)
        return value


def _destinations(user):
    """The villages a transfer may reach, named with their township (township.access decides which)."""
    return access.transfer_destinations(user, Village.objects.select_related("township").order_by(
        "township__name", "order", "name"))


class TransferForm(RecordForm):
    """组织关系转接: the person, the kind and date, and where they go (a village of the system, or a place
    outside it); where they come from is where they are (Transfer.fill_derived)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "to_village" in self.fields:
            field = self.fields["to_village"]
            field.queryset = _destinations(self.user)
            field.label_from_instance = lambda village: f"{village.township}{village}"


class TransferSerializer(RecordSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if "to_village" in self.fields:
            self.fields["to_village"].queryset = _destinations(getattr(request, "user", None))
