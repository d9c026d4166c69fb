"""The user of the product: a role, a township and, for a secretary, a village."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    STAFF = "staff", "镇党委工作人员"
    SECRETARY = "secretary", "村党支部书记"
    LEADER = "leader", "镇党委领导"


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

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # A secretary without a village would see nothing or, worse, everything.
            models.CheckConstraint(
                condition=~Q(role="secretary") | Q(village__isnull=False),
                name="secretary_has_village",
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
