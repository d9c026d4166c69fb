from django.apps import AppConfig


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = "村与党支部"

    def ready(self):
        # A record that month-locked rows hang on is neither deleted nor moved while one of them lies in an
        # approved month, whichever path asks (villages/locks.py).
        from . import dates, locks

        locks.connect()
        dates.register()  # date__year read in SQL on SQLite, not by a Python call per row
