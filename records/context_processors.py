from records import registry as records
from township import access


def navigation(request):
    """Navigation groups with only the record types the user may use."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    groups = {}
    for rt in records.all_types():
        if access.can_see_kind(user, rt.model):
            groups.setdefault(rt.group, []).append(rt)
    return {"nav_groups": list(groups.items())}
