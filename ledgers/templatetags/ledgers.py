from django import template

from ledgers.importing import resource_for

register = template.Library()


@register.filter
def importable(record_type):
    """Whether the record type has a ledger resource (and so an import page)."""
    return resource_for(record_type.slug) is not None
