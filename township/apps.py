from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = "镇党委"

    def ready(self):
        # Each app declares its record types in records.py.
        autodiscover_modules("records")
