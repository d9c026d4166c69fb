"""Notices from the township: a secretary marks one read; staff and leaders see who has read it."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from township import access

from .models import TownshipNotice


def notice_for(user, pk):
    """A notice `user` may see (404 otherwise)."""
    return access.get_visible_or_404(user, TownshipNotice.objects.all(), pk=pk)


@login_required
@require_POST
def notice_read(request, pk):
    user = request.user
    notice = notice_for(user, pk)
    if not access.marks_notices_read(user):
        raise PermissionDenied("只有接收通知的村党组织书记确认已读。")
    notice.mark_read(user)
    messages.success(request, f"已确认阅读：{notice.title}")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = access.home_url_for(user)
    return redirect(target)


@login_required
@require_GET
def notice_receipts(request, pk):
    user = request.user
    notice = notice_for(user, pk)
    if not access.reads_notice_receipts(user):
        raise PermissionDenied("已读情况由镇党委查看。")
    villages = notice.read_by_village()
    return render(request, "committee/receipts.html", {
        "notice": notice, "villages": villages, "read": sum(1 for _v, receipts in villages if receipts),
    })
