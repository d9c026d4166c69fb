from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = "镇党委"

    def ready(self):
        # Each app declares its record types in records.py.
        from township.records import _register_work_records

        _register_work_records()
        autodiscover_modules("records")
