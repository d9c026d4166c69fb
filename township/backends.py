"""The login backend: Django's ModelBackend, whose user of each request comes with their township and village.

Nearly every page asks the user's township or village (the navigation names it, township.access decides
with it): read with the user, in the one query every request makes for its session's user.
"""
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        try:
            user = get_user_model()._default_manager.select_related("township", "village").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
