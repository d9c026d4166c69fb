"""Template tags for what shared pages show of a village's people (the village page is the villages app's, which
reads no cadres code)."""
from django import template
from django.urls import reverse
from django.utils.http import urlencode

from ..due import due_counts, people_for
from ..models import Person

register = template.Library()


@register.simple_tag
def party_members(village):
    """{count, href}: the village's Party members (PersonQuerySet.party_members) and the list that shows them."""
    return {
        "count": Person.objects.filter(village=village).party_members().count(),
        "href": f"{reverse('records:persons-list')}?{urlencode({'village': village.pk, 'party_member': 'true'})}",
    }


@register.simple_tag
def members_due(user):
    """{count, overdue, href}: the due items of the development (cadres.due) of the people `user` may see."""
    count, overdue = due_counts(people_for(user))
    return {"count": count, "overdue": overdue, "href": reverse("members:due")}
