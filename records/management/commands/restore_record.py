"""Bring back a deleted record from its django-simple-history history.

    python manage.py restore_record cadres.Person 42
    python manage.py restore_record economy.IncomeRecord 7 --history-id 1234

Without --history-id the record comes back as it was when it was deleted (the last
history entry, which simple-history writes with the values at deletion). It refuses
when the record still exists, when the history does not hold it, when a unique key
is now taken by another record, or when something it pointed to is gone; then
nothing is written. The restore itself is a new history entry ("从修改记录恢复").
"""
from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

REASON = "从修改记录恢复"


class Command(BaseCommand):
    help = "从修改记录中恢复一条已删除的记录（默认恢复为删除前的最后状态）。"

    def add_arguments(self, parser):
        parser.add_argument("model", help="app_label.Model，例如 cadres.Person")
        parser.add_argument("id", type=int, help="被删除记录的 id")
        parser.add_argument("--history-id", type=int, default=None,
                            help="恢复到指定的修改记录（history_id）；默认为删除前的最后状态")

    def handle(self, *args, model, id, history_id, **options):
        model_class = self._model(model)
        label = model_class._meta.verbose_name
        if model_class._default_manager.filter(pk=id).exists():
            raise CommandError(f"{label} #{id} 仍然存在，无需恢复。")
        entries = model_class.history.filter(id=id).order_by("-history_date", "-history_id")
        if history_id is not None:
            entries = entries.filter(history_id=history_id)
        entry = entries.first()
        if entry is None:
            where = f"修改记录 #{history_id}" if history_id is not None else "修改记录"
            raise CommandError(f"{where}中没有{label} #{id}，无法恢复。")
        instance = entry.instance
        instance._change_reason = REASON
        try:
            # The unique keys and constraints of the table as it is now: another record may have taken them.
            instance.validate_unique()
            instance.validate_constraints()
        except ValidationError as exc:
            raise CommandError(f"无法恢复{label} #{id}：与现有记录冲突（{_messages(exc)}）。") from exc
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
                self._restore_m2m(model_class, self._m2m_entry(model_class, entry), instance)
        except IntegrityError as exc:
            raise CommandError(f"无法恢复{label} #{id}：它引用的记录已不存在或与现有记录冲突。") from exc
        self.stdout.write(self.style.SUCCESS(
            f"已恢复{label} #{id}（{instance}），恢复为 {entry.history_date:%Y-%m-%d %H:%M} 的状态"
            f"（修改记录 #{entry.history_id}）。"))

    def _model(self, label):
        try:
            model_class = apps.get_model(label)
        except (LookupError, ValueError) as exc:
            raise CommandError(f"没有这种记录：{label}（格式为 app_label.Model，例如 cadres.Person）。") from exc
        if not hasattr(model_class, "history"):
            raise CommandError(f"{model_class._meta.verbose_name}没有修改记录，无法恢复。")
        return model_class

    @staticmethod
    def _m2m_entry(model_class, entry):
        """The entry whose many-to-many links to restore: simple-history records none on the deletion entry."""
        if entry.history_type != "-":
            return entry
        earlier = model_class.history.filter(id=entry.id, history_id__lt=entry.history_id)
        return earlier.order_by("-history_date", "-history_id").first() or entry

    @staticmethod
    def _restore_m2m(model_class, entry, instance):
        """The many-to-many links recorded with the history entry (models declared with m2m_fields)."""
        for field in getattr(entry, "_history_m2m_fields", []) or []:
            rows = getattr(entry, field.name).all()
            target = field.related_model._meta.model_name
            ids = [getattr(row, f"{target}_id") for row in rows]
            existing = set(field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
            getattr(instance, field.name).set([pk for pk in ids if pk in existing])


def _messages(exc):
    return "；".join(str(m) for m in exc.messages)
