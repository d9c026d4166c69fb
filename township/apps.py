from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = "用户与权限"

    def ready(self):
        from township.middleware import start_idle_clock

        # The login writes the session anyway: the idle clock starts with it, not with a write on the next page.
        user_logged_in.connect(start_idle_clock, dispatch_uid="township-start-idle-clock")
