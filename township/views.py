"""Error pages in Chinese."""
from django.shortcuts import render


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有权限执行此操作。"
    return render(request, "403.html", {"message": message}, status=403)


LOCKOUT_MESSAGE = "登录失败次数过多，该账号已被暂时锁定，请15分钟后再试；如忘记密码，请联系镇党委工作人员重置。"


def locked_out(request, original_response=None, credentials=None):
    """django-axes lock-out: a Chinese message, JSON for the API token endpoint."""
    from django.http import JsonResponse

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKOUT_MESSAGE}, status=429)
    return render(request, "registration/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)
