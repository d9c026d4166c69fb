"""History helpers for bulk writers: django-simple-history records nothing for bulk deletes by itself."""
from django.utils import timezone


def delete_with_history(objs, model, *, user, reason=""):
    """Delete `objs` with one history row each, in two queries whatever their number.

    QuerySet.delete() would send post_delete per object, and simple-history would
    insert one history row per signal without knowing the user.
    """
    objs = list(objs)
    if not objs:
        return 0
    history_model = model.history.model
    now = timezone.now()
    tracked = [f.attname for f in model._meta.concrete_fields]
    history_model.objects.bulk_create([
        history_model(
            history_type="-", history_date=now, history_user=user, history_change_reason=reason,
            **{name: getattr(obj, name) for name in tracked},
        )
        for obj in objs
    ])
    queryset = model._default_manager.filter(pk__in=[obj.pk for obj in objs])
    # Nothing references these rows (no FK points at them), so the raw delete skips
    # only the signals whose work was done above.
    return queryset._raw_delete(queryset.db)
