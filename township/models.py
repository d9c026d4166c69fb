"""The user of the product: a role, a township and, for a secretary, a village."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from township.access import Scope


class Role(models.TextChoices):
    STAFF = "staff", "镇党委工作人员"
    SECRETARY = "secretary", "村党支部书记"
    LEADER = "leader", "镇党委领导"
    COUNTY = "county", "县级督导"


class County(models.Model):
    """A county (县) whose users oversee several townships, read-only."""

    name = models.CharField("县名称", max_length=50, unique=True)
    townships = models.ManyToManyField("villages.Township", verbose_name="所辖镇", related_name="counties",
                                       blank=True)

    class Meta:
        verbose_name = "县"
        verbose_name_plural = "县"
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.LEADER)
    township = models.ForeignKey(
        "villages.Township", verbose_name="所属镇", null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    village = models.ForeignKey(
        "villages.Village", verbose_name="所属村", null=True, blank=True, on_delete=models.PROTECT,
        related_name="secretaries",
    )
    county = models.ForeignKey(
        County, verbose_name="所属县", null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        help_text="县级督导用户查看本县所辖各镇的全部数据，不能修改。",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # A secretary without a village would see nothing or, worse, everything.
            models.CheckConstraint(
                condition=~Q(role="secretary") | Q(village__isnull=False),
                name="secretary_has_village",
            ),
            # A county user without a county would see nothing; give them one.
            models.CheckConstraint(
                condition=~Q(role="county") | Q(county__isnull=False),
                name="county_user_has_county",
            ),
        ]

    def save(self, *args, **kwargs):
        # set_password() leaves the new password in _password until the save: the API tokens issued under the old
        # one end with it (sessions end by themselves: their hash no longer matches), as they do on deactivation.
        password_changed = self._password is not None
        super().save(*args, **kwargs)
        if (password_changed or not self.is_active) and self.pk is not None:
            self.revoke_api_tokens()

    def revoke_api_tokens(self) -> int:
        """Delete every API token of the user; returns how many there were."""
        from knox.models import get_token_model

        deleted, _ = get_token_model().objects.filter(user_id=self.pk).delete()
        return deleted

    @property
    def is_staff_role(self):
        return self.role == Role.STAFF

    @property
    def is_secretary(self):
        return self.role == Role.SECRETARY and not self.is_superuser

    @property
    def is_leader(self):
        return self.role == Role.LEADER and not self.is_superuser

    @property
    def is_county(self):
        return self.role == Role.COUNTY and not self.is_superuser


class RefusalReason(models.TextChoices):
    """Why a 身份证号 was refused (the audit says; the user read only access.ID_NUMBER_REFUSED)."""

    SAME_VILLAGE = "same_village", "本村已登记"
    SAME_TOWNSHIP = "same_township", "本镇其他村已登记"
    OTHER_TOWNSHIP = "other_township", "其他镇已登记"
    NAME_MISMATCH = "name_mismatch", "已登记，姓名不一致"
    STAGE_RECORDED = "stage_recorded", "已登记，该发展阶段已有记录"
    THROTTLED = "throttled", "当日被拒次数已达上限，未查询"


class IdNumberRefusalQuerySet(models.QuerySet):
    def counted_since(self, user, since):
        """The refusals that count towards `user`'s daily limit (not the attempts refused for the limit itself)."""
        return self.filter(user=user, at__gte=since).exclude(reason=RefusalReason.THROTTLED)


class IdNumberRefusal(models.Model):
    """A 身份证号 that someone who may not learn whether it is registered was refused (township.audit).

    It belongs to the township that holds the number: its staff read it (and are notified), the
    refused user's own township does not learn from it where the number is registered."""

    user = models.ForeignKey(User, verbose_name="操作人", null=True, on_delete=models.SET_NULL,
                             related_name="id_number_refusals")
    username = models.CharField("用户名", max_length=150)
    at = models.DateTimeField("时间", auto_now_add=True)
    path = models.CharField("操作位置", max_length=255)
    masked_number = models.CharField("身份证号（打码）", max_length=18)
    reason = models.CharField("原因", max_length=20, choices=RefusalReason.choices)
    township = models.ForeignKey("villages.Township", verbose_name="号码所属镇", on_delete=models.PROTECT,
                                 related_name="+")

    objects = IdNumberRefusalQuerySet.as_manager()
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "身份证号核查记录"
        verbose_name_plural = "身份证号核查记录"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"]), models.Index(fields=["township", "at"])]

    def __str__(self):
        return f"{self.username} {self.masked_number} {self.get_reason_display()}"


class IdNumberNotice(models.Model):
    """An in-app notice to a staff member of the township holding a refused 身份证号.

    Here, not in submissions.Notice: cadres and ledgers refuse numbers and may not import submissions."""

    user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="id_number_notices")
    refusal = models.ForeignKey(IdNumberRefusal, verbose_name="核查记录", on_delete=models.CASCADE,
                                related_name="notices")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "身份证号核查通知"
        verbose_name_plural = "身份证号核查通知"
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user} {self.refusal}"
