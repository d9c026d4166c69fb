"""Input of people through the pages and the API: the 身份证号 is normalised before it is checked."""
from rest_framework import serializers

from records.api import RecordSerializer
from records.views import RecordForm

from .id_numbers import normalize_id_number


class PersonForm(RecordForm):
    def clean_id_number(self):
        # "640102199001011234 " and a lower-case x are the same person: normalise before the
        # unique check, or the database would refuse what the form let through.
        return normalize_id_number(self.cleaned_data.get("id_number"))


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
        return field_class, kwargs
