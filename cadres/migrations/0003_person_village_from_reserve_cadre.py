"""Every person belongs to a village (issue 14): the people recorded without one get the village of their
reserve-cadre record; anyone still without a village stops the migration, with how to settle it.

No one is given a village by guess. The next migration makes the column required; this one runs in
its own transaction so that PostgreSQL never alters the table while row updates are pending.
"""
from django.db import migrations


def village_from_reserve_cadre(apps, schema_editor):
    Person = apps.get_model("cadres", "Person")
    ReserveCadre = apps.get_model("cadres", "ReserveCadre")
    for person_id, village_id in ReserveCadre.objects.filter(person__village__isnull=True).values_list(
            "person_id", "village_id"):
        Person.objects.filter(pk=person_id, village__isnull=True).update(village_id=village_id)
    missing = list(Person.objects.filter(village__isnull=True).values_list("pk", "name")[:20])
    if missing:
        names = "、".join(f"{name}（id {pk}）" for pk, name in missing)
        raise RuntimeError(
            f"有人员没有所属村：{names}。人员现在必须属于一个村：请先在当前版本的“党员与入党人员”页面"
            "（/records/persons/<id>/edit/）为他们选择所属村，再执行迁移。"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cadres', '0002_initial'),
    ]

    operations = [
        migrations.RunPython(village_from_reserve_cadre, migrations.RunPython.noop),
    ]
