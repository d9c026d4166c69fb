"""Error pages in Chinese, and the log of refused 身份证号."""
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from township import access, audit


class LoginView(auth_views.LoginView):
    """The login page, which says how long a session lasts without use (SessionIdleTimeoutMiddleware)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        hours = settings.SESSION_IDLE_HOURS
        return super().get_context_data(**kwargs, idle_hours=int(hours) if float(hours).is_integer() else hours,
                                        idle_ended="idle" in self.request.GET)


class LogoutView(auth_views.LogoutView):
    """退出登录 ends everything the user is signed in with: this session and every API token (each device and
    script signs in again). The API's own /api/auth/logout/ revokes only the token it is called with."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            from knox.models import get_token_model

            get_token_model().objects.filter(user=request.user).delete()
        return super().post(request, *args, **kwargs)


def redirect_back(request):
    """Back to the POSTed `next` when it stays on this site (and on https when the request is), else to the
    user's home: where a small action (marking a notice read) returns."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = access.home_url_for(request.user)
    return redirect(target)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有权限执行此操作。"
    return render(request, "403.html", {"message": message}, status=403)


LOCKOUT_MESSAGE = ("登录失败次数过多，该账号（或本网络地址）已被暂时锁定，请15分钟后再试；"
                   "如忘记密码，请联系镇党委工作人员重置。")


def bad_request(request, exception=None):
    """handler400: the Chinese 400 page; a body over DATA_UPLOAD_MAX_MEMORY_SIZE gets the 413 page."""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", {"message": "提交的内容超过了大小上限，已拒绝接收。"}, status=413)
    return render(request, "400.html", {"message": "请求无法处理，请检查后重试。"}, status=400)


def locked_out(request, original_response=None, credentials=None):
    """django-axes lock-out: a Chinese message, JSON for the API token endpoint."""
    from django.http import JsonResponse

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKOUT_MESSAGE}, status=429)
    return render(request, "registration/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)


# ---------------------------------------------------------------- refused 身份证号 (township.audit)

REFUSALS_PER_PAGE = 100


@login_required
@require_GET
def id_number_refusals(request):
    """The log of refused 身份证号 held by the user's township: who, when, where, the masked number, why."""
    from township.models import IdNumberNotice, IdNumberRefusal

    user = request.user
    if not access.can_read_id_number_audit(user):
        raise Http404("页面不存在或无权查看")
    refusals = access.visible(user, IdNumberRefusal.objects.select_related("township"))
    page = Paginator(refusals, REFUSALS_PER_PAGE).get_page(request.GET.get("page"))
    unread = set(IdNumberNotice.objects.filter(user=user, read_at__isnull=True, refusal__in=page.object_list)
                 .values_list("refusal_id", flat=True))
    return render(request, "township/id_number_refusals.html", {
        "page": page, "unread": unread, "limit": audit.daily_limit(),
    })


@login_required
@require_POST
def id_number_notices_read(request):
    """Mark the user's notices of refused 身份证号 read."""
    from township.models import IdNumberNotice

    if not access.can_read_id_number_audit(request.user):
        raise Http404("页面不存在或无权查看")
    IdNumberNotice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("id-number-refusals")
