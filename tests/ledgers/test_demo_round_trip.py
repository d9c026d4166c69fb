"""Every ledger's export of the demo township imports back with no problem and nothing to write (issue 14)."""

import pytest

from ledgers import exporting, importing
from records import registry
from township.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_db(demo_township):
    """The demo, loaded once for the module (tests/conftest.py demo_loaded)."""
    return demo_township


@pytest.mark.parametrize("slug", importing.importable_slugs())
def test_each_ledger_exports_and_imports_back_unchanged(slug, demo_db):
    staff = User.objects.get(username="staff")
    record_type = registry.get(slug)
    queryset = record_type.model._default_manager.all()
    from township import access

    queryset = access.visible(staff, queryset).order_by(*(record_type.ordering or record_type.model._meta.ordering
                                                          or ["-pk"]), "pk")
    table = exporting.build_table(record_type, queryset, staff)
    assert table.importable
    data = exporting.to_xlsx(table)
    result = importing.preview(importing.resource_for(slug)(township=staff.township), data, slug=slug)
    assert result.file_error == ""
    assert [str(p) for p in result.problems][:5] == []
    counts = {"new": len(result.creates), "updated": len(result.updates), "steps": len(result.steps),
              "invalid": result.invalid_rows}
    assert counts == {"new": 0, "updated": 0, "steps": 0, "invalid": 0}
    assert result.unchanged == result.total_rows == queryset.count() > 0

