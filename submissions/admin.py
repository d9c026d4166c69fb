from django.contrib import admin

from .models import MonthDraft, MonthTransition, Notice, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["village", "year", "month", "status", "entry", "uploaded_by", "uploaded_at"]
    list_filter = ["status", "year"]
    readonly_fields = ["errors", "changes", "change_summary", "fingerprint", "parsed"]


@admin.register(MonthTransition)
class MonthTransitionAdmin(admin.ModelAdmin):
    list_display = ["village_month", "action", "from_status", "to_status", "user", "at"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "year", "month", "created_at", "read_at"]


@admin.register(MonthDraft)
class MonthDraftAdmin(admin.ModelAdmin):
    list_display = ["village", "year", "month", "updated_by", "updated_at"]
