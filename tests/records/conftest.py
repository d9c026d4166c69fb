import datetime
from decimal import Decimal

import pytest
from django.db import models

from tests.records.specs import Ctx


@pytest.fixture
def ctx(township, village_a, village_b):
    return Ctx(township=township, village=village_a)


def expected_value(model, name, value):
    """What the database should hold after `value` was posted for field `name`."""
    field = model._meta.get_field(name)
    if field.many_to_many:
        return sorted(value)
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(value)
    if isinstance(field, models.DecimalField):
        return Decimal(str(value))
    if isinstance(field, models.BooleanField):
        return bool(value)
    if isinstance(field, models.IntegerField) and not field.is_relation:
        return int(value)
    return value


def stored_value(obj, name):
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return sorted(getattr(obj, name).values_list("pk", flat=True))
    if field.is_relation:  # ForeignKey and OneToOneField: the id
        return getattr(obj, field.attname)
    return getattr(obj, name)


def assert_stored(obj, payload):
    obj.refresh_from_db()
    for name, value in payload.items():
        assert stored_value(obj, name) == expected_value(type(obj), name, value), name
