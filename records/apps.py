from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "记录"

    def ready(self):
        # Each domain app declares its record types in its records.py.
        autodiscover_modules("records")
