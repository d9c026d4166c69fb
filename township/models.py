"""The user of the product: a role, a township and, for a secretary, a village."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


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
