"""What staff add to a drafted annual report: edits, items, the final version and its log.

The draft itself is never stored: it is written from the figures each time, so
new data changes it. Staff text lives beside it (ReportSectionEdit keeps the
draft it was written against, to show where the two now differ), and a final
report freezes figures and text in ReportFinal.
"""
from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from township.access import Scope


class Report(models.Model):
    """A township's annual work summary of one year."""

    township = models.ForeignKey("villages.Township", verbose_name="镇", on_delete=models.PROTECT,
                                 related_name="reports")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "年度工作总结"
        verbose_name_plural = "年度工作总结"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["township", "year"], name="one_report_per_township_year")]

    def __str__(self):
        return f"{self.township}{self.year}年党建工作总结"

    @property
    def final(self):
        """The ReportFinal when the report is final, else None; its frozen figures and text come from the cache.

        Whether the report is final is always asked of the database (a small query, so a
        reopening in another process is seen at once); only the frozen content, which never
        changes once written, is served from Django's cache.
        """
        cache_name = ReportFinal._meta.get_field("report").remote_field.cache_name
        if cache_name in self._state.fields_cache:  # read already, or with select_related("final_version")
            final = self._state.fields_cache[cache_name]
        else:
            final = ReportFinal.objects.defer(*ReportFinal.FROZEN).filter(report=self).first()
            self._state.fields_cache[cache_name] = final
        if final is not None and not getattr(final, "_frozen_loaded", False):
            final.report = self
            final.load_frozen()
            final._frozen_loaded = True
        return final


class ReportSectionEdit(models.Model):
    """Staff's text for one part of the report, kept apart from the draft."""

    report = models.ForeignKey(Report, verbose_name="总结", on_delete=models.CASCADE, related_name="edits")
    part = models.CharField("部分", max_length=32)
    text = models.TextField("修改后的文字")
    draft_at_edit = models.TextField("修改时的草稿", blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    SCOPE = Scope(township="report__township", village=None)

    class Meta:
        verbose_name = "总结修改"
        verbose_name_plural = "总结修改"
        constraints = [models.UniqueConstraint(fields=["report", "part"], name="one_edit_per_report_part")]

    def __str__(self):
        return f"{self.report} {self.part}"


class ItemSection(models.TextChoices):
    HIGHLIGHTS = "highlights", "亮点工作"
    PROBLEMS = "problems", "存在的问题"
    NEXT_STEPS = "next_steps", "下一步措施"


class ItemStatus(models.TextChoices):
    ACCEPTED = "accepted", "采用"
    DISMISSED = "dismissed", "不采用"


class ReportItem(models.Model):
    """An item of highlights, problems or next steps: written by staff, or a data suggestion accepted or dismissed."""

    report = models.ForeignKey(Report, verbose_name="总结", on_delete=models.CASCADE, related_name="items")
    section = models.CharField("部分", max_length=16, choices=ItemSection.choices)
    text = models.TextField("内容")
    suggestion_key = models.CharField("数据提示", max_length=40, blank=True,
                                      help_text="由数据提示采用或不采用时记录提示的标识")
    status = models.CharField("状态", max_length=16, choices=ItemStatus.choices, default=ItemStatus.ACCEPTED)
    order = models.PositiveSmallIntegerField("排序", default=0,
                                             help_text="排在本部分第几段（含数据生成的段落）；0表示排在最后")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="添加人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    SCOPE = Scope(township="report__township", village=None)

    class Meta:
        verbose_name = "总结条目"
        verbose_name_plural = "总结条目"
        ordering = ["section", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "suggestion_key"], condition=~models.Q(suggestion_key=""),
                                    name="one_decision_per_suggestion"),
        ]

    def __str__(self):
        return self.text[:30]


class ReportFinal(models.Model):
    """The report as it was marked final: figures and text frozen."""

    report = models.OneToOneField(Report, verbose_name="总结", on_delete=models.CASCADE,
                                  related_name="final_version")
    figures = models.JSONField("定稿时的数据")
    sections = models.JSONField("定稿时的文字")
    # Last year's figures as they were when this one was made final: the Word file's 上年 column stays frozen too.
    previous_figures = models.JSONField("定稿时的上年数据", default=dict, blank=True)
    finalized_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="定稿人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    finalized_at = models.DateTimeField("定稿时间", auto_now_add=True)

    SCOPE = Scope(township="report__township", village=None)

    class Meta:
        verbose_name = "定稿"
        verbose_name_plural = "定稿"

    def __str__(self):
        return f"{self.report}（定稿）"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.cache_frozen()  # warm: the first reader after finalising does not pay for the JSON

    def delete(self, *args, **kwargs):
        cache.delete(self.cache_key)
        return super().delete(*args, **kwargs)

    # The frozen content never changes after it is written (a reopening deletes the row and a
    # new final is a new row), so the key names the row and its time and needs no invalidation.
    CACHE_SECONDS = 7 * 24 * 3600

    @property
    def cache_key(self):
        return f"reports:final:{self.pk}:{self.report_id}:{self.finalized_at.isoformat()}"

    # The frozen content, deferred when a report is read and filled from the cache.
    FROZEN = ("figures", "sections", "previous_figures")

    def load_frozen(self):
        """Fill the deferred frozen content from the cache, or from the database (then cache it)."""
        frozen = cache.get(self.cache_key)
        if frozen is None or set(frozen) != set(self.FROZEN):
            self.refresh_from_db(fields=list(self.FROZEN))
            self.cache_frozen()
        else:
            for name in self.FROZEN:
                setattr(self, name, frozen[name])

    def cache_frozen(self):
        cache.set(self.cache_key, {name: getattr(self, name) for name in self.FROZEN}, self.CACHE_SECONDS)


class LogAction(models.TextChoices):
    FINALIZE = "finalize", "定稿"
    REOPEN = "reopen", "重新打开"


class ReportLog(models.Model):
    """Every marking final and every reopening, with who and why."""

    report = models.ForeignKey(Report, verbose_name="总结", on_delete=models.CASCADE, related_name="log")
    action = models.CharField("操作", max_length=16, choices=LogAction.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True,
                             on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    SCOPE = Scope(township="report__township", village=None)

    class Meta:
        verbose_name = "定稿记录"
        verbose_name_plural = "定稿记录"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.report} {self.get_action_display()}"
