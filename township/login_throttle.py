"""Login throttling per account and per address (django-axes, AXES_HANDLER).

django-axes compares the failures of each lockout parameter with one limit. Here each parameter has
its own: AXES_FAILURE_LIMIT failures of one user name from one address lock that account there;
AXES_IP_FAILURE_LIMIT failures from one address across any user names lock the address, so that one
password tried over many accounts (password spraying) is slowed down too, while an office behind one
address does not lock itself out after a few typing mistakes.
"""
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum

ACCOUNT = ("username", "ip_address")
ADDRESS = ("ip_address",)


def _key(parameter):
    return (parameter,) if isinstance(parameter, str) else tuple(parameter)


class TieredLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The worst failure count, scaled to AXES_FAILURE_LIMIT: axes locks out when it reaches that limit, so an
        address reaches it at AXES_IP_FAILURE_LIMIT failures and an account at AXES_FAILURE_LIMIT."""
        account_limit = get_failure_limit(request, credentials)
        limits = {ACCOUNT: account_limit, ADDRESS: getattr(settings, "AXES_IP_FAILURE_LIMIT", account_limit)}
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            limit = limits.get(_key(parameter), account_limit)
            worst = max(worst, failures * account_limit // max(limit, 1))
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        """On a successful login, forget that account's failures from that address, not the address's: else
        logging in to one's own account would wipe a spray of passwords over other user names."""
        parameters = get_lockout_parameters(request, credentials)
        count = 0
        for parameter, attempts in zip(parameters, self.filter_user_attempts(request, credentials), strict=True):
            if _key(parameter) != ADDRESS:
                deleted, _ = attempts.delete()
                count += deleted
        return count
