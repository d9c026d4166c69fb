"""Party members and the development pipeline, reserve cadres and talent."""
import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from ledgers import bulk
from records.validators import validate_not_future, validate_phone
from township import access, audit
from township.access import Scope
from villages.models import MonthlyRecord, Source, Village, month_bounds

from .id_numbers import birth_date_from_id, gender_from_id, normalize_id_number, validate_id_number


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Stage(models.TextChoices):
    """The pipeline, in order: 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员."""

    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    # Recorded outcomes of the probation (《中国共产党发展党员工作细则》第三十四至三十六条): the probation is
    # extended (the person stays a 预备党员), or the membership is cancelled instead of 转正.
    EXTENDED = "extended", "延长预备期"
    MEMBER = "member", "正式党员"
    DISQUALIFIED = "disqualified", "取消预备党员资格"


APPLICANT_MIN_AGE = 18  # 《中国共产党发展党员工作细则》: an applicant has reached 18
ACTIVIST_YEARS = 1  # 培养教育考察一年以上 before 发展对象
PROBATION_YEARS = 1  # 预备期为一年
EXTENSION_MONTHS = (6, 12)  # 延长预备期：不少于半年，最长不超过一年
# The stage a step leaves the person at: a 延长预备期 keeps them a 预备党员.
STAGE_AFTER_STEP = {Stage.EXTENDED: Stage.PROBATIONARY}
# The stages the monthly workbook and the 党员花名册 take: a 延长预备期 needs its length, typed in the form or API.
REPORTED_STAGES = [(value, label) for value, label in Stage.choices if value != Stage.EXTENDED]
# The step that must come before each later step, once a person has any earlier one.
_REQUIRED_BEFORE = {
    Stage.ACTIVIST: Stage.APPLICANT, Stage.CANDIDATE: Stage.ACTIVIST, Stage.PROBATIONARY: Stage.CANDIDATE,
    Stage.EXTENDED: Stage.PROBATIONARY, Stage.MEMBER: Stage.PROBATIONARY, Stage.DISQUALIFIED: Stage.PROBATIONARY,
}


def applicant_age_problem(birth_date, stage, day) -> str | None:
    """Why a 入党申请人 step on `day` is implausible for someone born on `birth_date` (under 18), else None.

    The one rule of the applicant's age: StageChange.clean (forms, API), the monthly workbook's 党员发展
    rows and the 党员花名册 import ask it."""
    if stage != Stage.APPLICANT or birth_date is None or day is None:
        return None
    adult = _years_after(birth_date, APPLICANT_MIN_AGE)
    if day < adult:
        return f"入党申请人须年满{APPLICANT_MIN_AGE}周岁：该人员{adult:%Y年%m月%d日}才满{APPLICANT_MIN_AGE}周岁"
    return None


def probation_end(steps, extension_months=None):
    """When the probation of someone with these steps ({stage: date}) ends: a year after becoming 预备党员,
    plus the months of a 延长预备期; None without a 预备党员 step."""
    start = steps.get(Stage.PROBATIONARY)
    if start is None:
        return None
    end = _years_after(start, PROBATION_YEARS)
    if Stage.EXTENDED in steps and extension_months:
        end = months_after(end, extension_months)
    return end


def candidate_from(activist_day):
    """The first day a 入党积极分子 since `activist_day` may become 发展对象: a year of 培养教育和考察 later."""
    return _years_after(activist_day, ACTIVIST_YEARS)


def development_problem(steps, *, birth_date=None, extension_months=None) -> tuple[str, str] | None:
    """(field, Chinese message) of the first rule of 《中国共产党发展党员工作细则》 that a person's steps break,
    else None. `steps`: {stage: date}, every step of the person once the new or edited one is in;
    `extension_months`: the length of their 延长预备期 step.

    The one rule of the development order, asked by StageChange.clean (forms, API), the monthly workbook's
    党员发展 rows (cadres.services.plan_month_pipeline) and the 党员花名册 import (cadres.resources):
    入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员, each on or after the one before; the applicant
    at least 18; a year as 积极分子 before 发展对象; 转正 not before the probation ends; a 延长预备期 of 6 to 12
    months, decided when the year of probation ends; 转正 and 取消预备党员资格 exclude each other. The first
    recorded step may be any stage (members from before the system); every later one follows the rules."""
    applicant = steps.get(Stage.APPLICANT)
    if applicant is not None:
        too_young = applicant_age_problem(birth_date, Stage.APPLICANT, applicant)
        if too_young:
            return ("date", too_young)
    if Stage.MEMBER in steps and Stage.DISQUALIFIED in steps:
        return ("stage", "同一人员不能既转为正式党员又被取消预备党员资格")
    if Stage.EXTENDED in steps:
        low, high = EXTENSION_MONTHS
        if extension_months is None or not low <= extension_months <= high:
            return ("extension_months", f"延长预备期须填写延长期限：不少于{low}个月，最长不超过{high}个月")
    first = min(steps, key=STAGE_RANK.__getitem__, default=None)
    for stage in sorted(steps, key=STAGE_RANK.__getitem__):
        if stage == first:
            continue
        before = Stage.EXTENDED if stage in (Stage.MEMBER, Stage.DISQUALIFIED) and Stage.EXTENDED in steps \
            else _REQUIRED_BEFORE[stage]
        label, before_label = Stage(stage).label, Stage(before).label
        if before not in steps:
            return ("stage", f"登记“{label}”前须先登记“{before_label}”：发展党员须按入党申请人、入党积极分子、"
                             "发展对象、预备党员、正式党员的顺序逐步登记")
        day, earlier = steps[stage], steps[before]
        if day < earlier:
            return ("date", f"“{label}”的日期不能早于“{before_label}”的日期（{earlier:%Y年%m月%d日}）")
        if stage == Stage.CANDIDATE:
            due = candidate_from(earlier)
            if day < due:
                return ("date", f"入党积极分子须经过{ACTIVIST_YEARS}年以上培养教育和考察才能确定为发展对象："
                                f"该人员最早于{due:%Y年%m月%d日}可确定为发展对象")
        if stage in (Stage.EXTENDED, Stage.MEMBER) and Stage.PROBATIONARY in steps:
            end = probation_end(steps, extension_months if stage == Stage.MEMBER else None)
            if day < end:
                what = "转为正式党员" if stage == Stage.MEMBER else "延长预备期"
                return ("date", f"预备期满才能讨论{what}：该人员的预备期至{end:%Y年%m月%d日}届满")
    return None


def months_after(day, months):
    """The same day `months` later (or earlier, when negative); the month's last day when it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # born on 29 February: of age on 1 March
        return day.replace(year=day.year + years, month=3, day=1)


# Party members (党员): full and probationary members. The one definition of "党员N名" (village pages, the
# 党员 filter of the list, the demo's dues).
PARTY_MEMBER_STAGES = (Stage.PROBATIONARY, Stage.MEMBER)

# The pipeline's order: on one date the later step wins (积极分子 and 发展对象 may share a day).
STAGE_RANK = {stage: rank for rank, stage in enumerate(Stage.values)}
REFRESH_BATCH = 2000
LOOKUP_BATCH = 500


def stage_from_steps(steps) -> str:
    """The stage dated steps [(date, stage)] leave a person at: the latest step (by date; on one date the later
    stage; a 延长预备期 leaves them 预备党员), or "" without any. The rule refresh_stages applies, and what the
    ledger import gives a person it creates with their step (no second write)."""
    latest = max(((day, STAGE_RANK[stage], stage) for day, stage in steps), default=None)
    if latest is None:
        return ""
    return STAGE_AFTER_STEP.get(latest[2], latest[2])


# A person moves only by a dated 组织关系转接 (Transfer): the form, the API and the roster import refuse an edit.
MOVE_BY_TRANSFER = "人员的所属村、镇不能直接修改：调动请登记“组织关系转接”，转接会保留其原村的历史记录"


class PersonQuerySet(models.QuerySet):
    def on_roster(self):
        """People whose 组织关系 is in the system: not transferred out of it (Transfer, kind 转出到系统外)."""
        return self.filter(left_on__isnull=True)

    def party_members(self):
        """People whose current stage makes them Party members (预备党员 and 正式党员), on the roster."""
        return self.on_roster().filter(stage__in=PARTY_MEMBER_STAGES)

    def under_age(self, age, on):
        """People younger than `age` years on the date `on` (from the birth date of the 身份证号)."""
        born_after = _years_before(on, age)
        return self.filter(birth_date__gt=born_after)

    def registration_refusal(self, *, user, id_number, exclude_pk=None, where="") -> str | None:
        """None when `user` may register the (valid, normalised) 身份证号 `id_number`: nobody else has it.
        Else the message they read: whether it is registered only for the holder's staff (township.audit).

        Raises township.audit.IdNumberThrottled past the day's limit of refusals, before looking the number up."""
        audit.check_not_throttled(user, id_number=id_number, where=where)
        holder = (self.filter(id_number=id_number).exclude(pk=exclude_pk)
                  .values("township_id", "village_id").first())
        if holder is None:
            return None
        return audit.registered_answer(user, id_number=id_number, holder_township_id=holder["township_id"],
                                       holder_village_id=holder["village_id"], where=where)

    def refresh_stages(self, *, user=None, reason=""):
        """Set each person's stage to their latest dated step (by date; on one date the later stage; a 延长预备期
        leaves them 预备党员), or "".

        The one rule for Person.stage: StageChange.save() and delete(), the monthly workbook and the
        ledger import call it. Writes, with history, only the people whose stage differs, and returns
        them; two reads per 2,000 people, one UPDATE per stage and the history rows, never a query per person."""
        changed = []
        people = list(self.order_by("pk"))
        for start in range(0, len(people), REFRESH_BATCH):
            batch = {person.pk: person for person in people[start:start + REFRESH_BATCH]}
            steps = defaultdict(list)
            for person_id, day, stage in StageChange.objects.filter(person_id__in=list(batch)).values_list(
                    "person_id", "date", "stage"):
                steps[person_id].append((day, stage))
            for person in batch.values():
                stage = stage_from_steps(steps.get(person.pk, ()))
                if person.stage != stage:
                    person.stage = stage
                    changed.append(person)
        if changed:
            # One UPDATE per stage: Django's bulk_update (a CASE per row) took most of a 10,000-row import.
            ids_by_stage = defaultdict(list)
            for person in changed:
                ids_by_stage[person.stage].append(person.pk)
            with transaction.atomic(savepoint=False):
                for stage, ids in ids_by_stage.items():
                    for start in range(0, len(ids), REFRESH_BATCH):
                        Person.objects.filter(pk__in=ids[start:start + REFRESH_BATCH]).update(stage=stage)
                if bulk.supports(Person):  # without a history instance per person (COPY on PostgreSQL)
                    attnames = [f.attname for f in Person._meta.concrete_fields]
                    bulk.insert_history(Person, [{a: getattr(p, a) for a in attnames} for p in changed],
                                        history_type="~", user=user, reason=reason)
                else:
                    Person.history.bulk_history_create(changed, update=True, batch_size=REFRESH_BATCH,
                                                       default_user=user, default_change_reason=reason)
        return changed


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Person(models.Model):
    """A person of a village or the township: Party member, applicant, reserve cadre or talent."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="persons")
    village = models.ForeignKey("villages.Village", verbose_name="所属村", on_delete=models.PROTECT,
                                related_name="persons")
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True, validators=[validate_id_number],
                                 error_messages={"unique": "该身份证号已登记，同一人不能重复录入。"})
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    stage = models.CharField("发展阶段", max_length=16, choices=Stage.choices, blank=True,
                             help_text="当前所处阶段；由发展阶段记录自动更新")
    is_mobile = models.BooleanField("流动党员", default=False)
    mobile_place = models.CharField("流入地", max_length=100, blank=True, help_text="流动党员外出务工经商所在地")
    mobile_origin = models.CharField("流出地", max_length=100, blank=True,
                                     help_text="从外地流入本村的流动党员，其组织关系所在的流出地")
    mobile_phone = models.CharField("流动期间联系电话", max_length=20, blank=True, validators=[validate_phone])
    last_contacted = models.DateField("最近联系日期", null=True, blank=True, validators=[validate_not_future],
                                      help_text="党组织最近一次与流动党员取得联系的日期")
    is_veteran = models.BooleanField("退役军人", default=False)
    is_wealth_leader = models.BooleanField("致富带头人", default=False)
    is_returned_youth = models.BooleanField("返乡创业青年", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    left_on = models.DateField("转出系统外日期", null=True, blank=True, editable=False,
                               help_text="组织关系转出到系统外的日期：此后不在花名册和年末人数中，历史记录保留")

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="township", village="village", secretary_edits=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "党员与入党人员"
        ordering = ["village__order", "name"]
        indexes = [models.Index(fields=["township", "stage"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.derive_from_id_number()
        super().save(*args, **kwargs)

    def clean(self):
        if self.pk is not None and self.village_id is not None:
            stored = Person.objects.filter(pk=self.pk).values("village_id", "township_id").first()
            if stored and (stored["village_id"], stored["township_id"]) != (self.village_id, self.township_id):
                raise ValidationError({"village": MOVE_BY_TRANSFER})

    @staticmethod
    def derived_from_id_number(id_number) -> dict:
        """{id_number, gender, birth_date} of a valid 身份证号: the fields read from it, never typed twice."""
        id_number = normalize_id_number(id_number)
        return {"id_number": id_number, "gender": gender_from_id(id_number),
                "birth_date": birth_date_from_id(id_number)}

    def derive_from_id_number(self):
        """Fill gender and birth date from the 身份证号 (normalised); for save() and for bulk writes that skip it."""
        if self.id_number:
            for name, value in self.derived_from_id_number(self.id_number).items():
                setattr(self, name, value)
        return self

    def village_on(self, day):
        """The id of the village this person belonged to on `day` (membership_on, one query); their current
        village when they were outside the system then (a record made for them is made there)."""
        found = Person.objects.filter(pk=self.pk).values_list(membership_on(day, end="village"),
                                                              flat=True).first() if self.pk else None
        return found or self.village_id

    @staticmethod
    def villages_on(pairs) -> dict:
        """{(person id, day): id of the village the person belonged to on that day} for many people and days at
        once: Person.village_on's answer (membership_on; their current village when outside the system then), for
        the ledger import's bulk writes. One query per 500 people and per day a person has beyond their first,
        whatever the number of rows."""
        from django.db.models import DateField, Value, When
        from django.db.models.expressions import Case, OuterRef
        from django.db.models.lookups import Exact

        layers = defaultdict(list)  # the n-th day of each person: each layer has at most one day per person
        count = defaultdict(int)
        for person_id, day in sorted(set(pairs)):
            layers[count[person_id]].append((person_id, day))
            count[person_id] += 1
        found = {}
        for layer in layers.values():
            for start in range(0, len(layer), LOOKUP_BATCH):
                chunk = dict(layer[start:start + LOOKUP_BATCH])
                # The day of each person, as membership_on's subqueries see their person (OuterRef("pk")).
                day = Case(*[When(Exact(OuterRef("pk"), person_id), then=Value(day))
                             for person_id, day in chunk.items()], output_field=DateField())
                rows = Person.objects.filter(pk__in=list(chunk)).order_by().values_list(
                    "pk", "village_id", membership_on(day, end="village"))
                for person_id, current, then in rows:
                    found[(person_id, chunk[person_id])] = then or current
        return found

    def age_on(self, day):
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class VillageOfPersonQuerySet(models.QuerySet):
    """Records of a person's month that keep the village they were made in (StageChange, MemberDues)."""

    def bulk_create(self, objs, *args, **kwargs):
        # Bulk writes skip save(): the village of the rows that have none is the person's, read in one query.
        objs = list(objs)
        missing = {obj.person_id for obj in objs if obj.village_id is None}
        if missing:
            villages = dict(Person.objects.filter(pk__in=missing).values_list("pk", "village_id"))
            for obj in objs:
                if obj.village_id is None:
                    obj.village_id = villages.get(obj.person_id)
        return super().bulk_create(objs, *args, **kwargs)


class StageChangeQuerySet(VillageOfPersonQuerySet):
    def in_year(self, year):
        return self.filter(date__year=year)


class StageChange(MonthlyRecord):
    """A dated step of a person through the pipeline."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="stage_changes")
    # The village the step was made in: a later 组织关系转接 moves the person, never their past months (nor an
    # approved month's lock), and the old village keeps seeing its steps.
    village = models.ForeignKey("villages.Village", verbose_name="登记村", on_delete=models.PROTECT,
                                related_name="stage_changes", editable=False)
    stage = models.CharField("发展阶段", max_length=16, choices=Stage.choices)
    date = models.DateField("日期", validators=[validate_not_future])
    extension_months = models.PositiveSmallIntegerField(
        "延长期限（月）", null=True, blank=True, help_text="仅“延长预备期”填写：不少于6个月，最长不超过12个月")
    note = models.CharField("备注", max_length=200, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.FORM, editable=False)

    objects = StageChangeQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="village__township", village="village", month="date", secretary_edits=True)

    class Meta:
        verbose_name = "发展阶段记录"
        verbose_name_plural = "发展阶段记录"
        ordering = ["-date", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "stage"], name="one_change_per_person_stage"),
        ]
        # Every reachable query is scoped by township, through the person: (person, date) serves the
        # year-end stage and the year's steps. A (stage, date) index made SQLite scan every
        # township's changes of the year instead (6× slower figures at 100 townships).
        indexes = [models.Index(fields=["person", "date"])]

    def __str__(self):
        return f"{self.person} {self.get_stage_display()} {self.date}"

    def fill_derived(self):
        """Set the village the step is made in: the person's on its date (records.views and records.api ask it
        before checking scope and lock)."""
        if self.village_id is None and self.person_id and self.date:
            self.village_id = self.person.village_on(self.date)

    def clean(self):
        if self.stage != Stage.EXTENDED and self.extension_months is not None:
            raise ValidationError({"extension_months": "只有“延长预备期”记录填写延长期限"})
        if not (self.person_id and self.date and self.stage):
            return
        others = StageChange.objects.filter(person_id=self.person_id).exclude(pk=self.pk)
        steps, extension = {}, self.extension_months if self.stage == Stage.EXTENDED else None
        for stage, day, months in others.values_list("stage", "date", "extension_months"):
            steps[stage] = day
            if stage == Stage.EXTENDED:
                extension = months
        if self.stage in steps:
            return  # one step per stage: the unique constraint tells
        steps[self.stage] = self.date
        problem = development_problem(steps, birth_date=self.person.birth_date, extension_months=extension)
        if problem:
            field, message = problem
            raise ValidationError({field: message})

    def save(self, *args, **kwargs):
        # The person's current stage follows their dated changes; a change moved to
        # another person also changes the stage of the one it left.
        previous_person_id = None
        if self.pk is not None:
            previous_person_id = StageChange.objects.filter(pk=self.pk).values_list("person_id", flat=True).first()
        if previous_person_id not in (None, self.person_id):
            self.village_id = None
        self.fill_derived()
        super().save(*args, **kwargs)
        self._refresh_stages({self.person_id, previous_person_id} - {None})

    def delete(self, *args, **kwargs):
        problem = self.deletion_problem()
        if problem:
            raise ValidationError(problem)
        person_id = self.person_id
        result = super().delete(*args, **kwargs)
        self._refresh_stages({person_id})
        return result

    def deletion_problem(self) -> str | None:
        """Why this step may not be deleted: the person's remaining steps would break a rule of the development
        (development_problem) that they keep with it — a middle step taken out leaves the next one without
        its predecessor. The first step, or the last, may go."""
        steps, extension = {}, None
        for stage, day, months in StageChange.objects.filter(person_id=self.person_id).values_list(
                "stage", "date", "extension_months"):
            steps[stage] = day
            if stage == Stage.EXTENDED:
                extension = months
        remaining = {stage: day for stage, day in steps.items() if stage != self.stage}
        birth_date = self.person.birth_date
        after = development_problem(remaining, birth_date=birth_date,
                                    extension_months=None if self.stage == Stage.EXTENDED else extension)
        if after is None or development_problem(steps, birth_date=birth_date, extension_months=extension):
            return None
        return f"不能删除该“{self.get_stage_display()}”记录：删除后{after[1]}"

    def _refresh_stages(self, person_ids):
        # The history of the person's stage carries the user and reason of this change (forms and the API set
        # them, or simple_history's middleware knows the user).
        Person.objects.filter(pk__in=person_ids).refresh_stages(
            user=getattr(self, "_history_user", None), reason=getattr(self, "_change_reason", None) or "")


class AppraisalGrade(models.TextChoices):
    """民主评议党员的评定等次."""

    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASICALLY_QUALIFIED = "basically_qualified", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class Appraisal(models.Model):
    """民主评议党员: a Party member's grade of a year, given by their branch; one per member and year."""

    person = models.ForeignKey(Person, verbose_name="党员", on_delete=models.PROTECT, related_name="appraisals")
    year = models.PositiveSmallIntegerField("评议年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    grade = models.CharField("评定等次", max_length=24, choices=AppraisalGrade.choices)
    date = models.DateField("评议日期", validators=[validate_not_future])
    branch = models.ForeignKey("villages.PartyBranch", verbose_name="党支部", on_delete=models.PROTECT,
                               related_name="appraisals")
    note = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords()
    SCOPE = Scope(township="person__township", village="person__village", secretary_edits=True)

    class Meta:
        verbose_name = "民主评议党员"
        verbose_name_plural = "民主评议党员"
        ordering = ["-year", "branch__village__order", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_appraisal_per_member_and_year",
                                    violation_error_message="该党员本年度已有民主评议记录，每名党员每年只评议一次"),
        ]

    def __str__(self):
        return f"{self.person} {self.year}年 {self.get_grade_display()}"

    def clean(self):
        member_on_day = None
        if self.person_id and self.date:
            member_on_day = Person.objects.filter(pk=self.person_id).filter(party_member_on(self.date)).exists()
        errors = appraisal_problems(
            year=self.year, day=self.date, person_village_id=self.person.village_id if self.person_id else None,
            branch_village_id=self.branch.village_id if self.branch_id else None, member_on_day=member_on_day)
        if errors:
            raise ValidationError({name.removesuffix("_id"): message for name, message in errors.items()})


def party_member_on(day) -> Q:
    """The condition "this person is a Party member (预备党员 or 正式党员) on `day`", from their dated steps."""
    return at_stage_on(day, Stage.PROBATIONARY) | at_stage_on(day, Stage.MEMBER)


def appraisal_problems(*, year, day, person_village_id, branch_village_id, member_on_day) -> dict[str, str]:
    """{attribute: Chinese message} of what makes an appraisal wrong: the one rule of Appraisal.clean (forms, API)
    and the 民主评议党员台账 import. `member_on_day`: whether the person is a Party member on the day (None: not
    known yet)."""
    errors = {}
    if person_village_id and branch_village_id and branch_village_id != person_village_id:
        errors["branch_id"] = "党支部应为该党员所在村的党支部"
    if day and year and day.year not in (year, year + 1):
        errors["date"] = f"评议日期应在{year}年内或次年（年初评议上一年度）"
    elif day and member_on_day is False:
        errors["person_id"] = f"该人员在{day:%Y年%m月%d日}不是党员（预备党员或正式党员），不参加民主评议"
    return errors


# ---------------------------------------------------------------- 党费 per member and month (issue 16)

# 《关于中国共产党党费收缴、使用和管理的规定》: the monthly rate by the monthly income base (税后工资收入), the whole
# base at the rate of its bracket: (upper bound inclusive or None, rate).
DUES_BRACKETS = ((Decimal("3000"), Decimal("0.005")), (Decimal("5000"), Decimal("0.01")),
                 (Decimal("10000"), Decimal("0.015")), (None, Decimal("0.02")))
FIXED_DUES = (Decimal("0.20"), Decimal("1.00"))  # 农民党员、无固定收入党员：每月0.2元至1元
CENT = Decimal("0.01")


class DuesCategory(models.TextChoices):
    INCOME = "income", "按月收入比例交纳"
    FIXED = "fixed", "农民及无固定收入党员定额交纳"


def dues_rate(base) -> Decimal:
    """The monthly rate of a member whose monthly income base is `base` 元."""
    for upper, rate in DUES_BRACKETS:
        if upper is None or base <= upper:
            return rate
    raise AssertionError("the last bracket has no upper bound")


def expected_dues(category, base=None, fixed=None) -> Decimal | None:
    """What a member owes for a month: the base × its bracket's rate, or the fixed amount; in 元, to the fen."""
    if category == DuesCategory.INCOME and base is not None:
        return (base * dues_rate(base)).quantize(CENT, rounding=ROUND_HALF_UP)
    if category == DuesCategory.FIXED and fixed is not None:
        return fixed.quantize(CENT, rounding=ROUND_HALF_UP)
    return None


def dues_problems(*, category, base, fixed_amount, year, month, member_at_month_end) -> dict[str, str]:
    """{attribute: Chinese message} of what makes a month's dues wrong: the one rule of MemberDues.clean (forms,
    API) and the 党员党费台账 import. `member_at_month_end`: None when not known."""
    errors = {}
    low, high = FIXED_DUES
    if category == DuesCategory.INCOME:
        if base is None:
            errors["base"] = "按月收入比例交纳须填写月收入基数"
        if fixed_amount is not None:
            errors["fixed_amount"] = "按月收入比例交纳时不填写定额"
    elif category == DuesCategory.FIXED:
        if fixed_amount is None or not low <= fixed_amount <= high:
            errors["fixed_amount"] = f"农民及无固定收入党员每月定额交纳{low}元至{high}元"
        if base is not None:
            errors["base"] = "定额交纳时不填写月收入基数"
    if not errors and member_at_month_end is False:
        errors["person_id"] = f"该人员在{year}年{month}月末不是党员，无需交纳党费"
    return errors


class MemberDuesQuerySet(VillageOfPersonQuerySet):
    def in_arrears(self):
        return self.filter(paid__lt=models.F("expected"))

    def village_months(self):
        """The branch-month totals (党费收缴 of a village's branch in a month), derived from the members' dues:
        rows of {village_id, year, month, members, members_paid, members_in_arrears, expected, paid}, by village
        order and month. The one definition of a branch's 应缴/实缴人数 and amounts; nothing types them."""
        return (self.order_by().values("village_id", "year", "month")
                .annotate(members=models.Count("pk"),
                          members_paid=models.Count("pk", filter=Q(paid__gte=models.F("expected"))),
                          members_in_arrears=models.Count("pk", filter=Q(paid__lt=models.F("expected"))),
                          expected_total=models.Sum("expected"), paid_total=models.Sum("paid"))
                .order_by("year", "month", "village__order", "village_id"))


def dues_totals_for(user, year) -> list[dict]:
    """The branch-month dues totals of `year` that `user` may see (township.access.visible on MemberDues), each
    with its village's name: the 党费收缴汇总 page and its API. Two queries."""
    rows = list(access.visible(user, MemberDues.objects.filter(year=year)).village_months())
    names = dict(Village.objects.filter(pk__in={row["village_id"] for row in rows}).values_list("pk", "name"))
    for row in rows:
        row["village_name"] = names[row["village_id"]]
        for name in ("expected_total", "paid_total"):  # SQLite sums decimals as floats: back to the fen
            row[name] = row[name].quantize(CENT, rounding=ROUND_HALF_UP)
    return rows


class MemberDues(MonthlyRecord):
    """A Party member's dues of one month: the base and the rate (or the fixed amount), expected and paid."""

    person = models.ForeignKey(Person, verbose_name="党员", on_delete=models.PROTECT, related_name="dues")
    # The village whose month it is (see StageChange.village): kept when the member is transferred.
    # Indexed with its year and month (Meta.indexes): the figures read a year's dues of the villages of a county.
    village = models.ForeignKey("villages.Village", verbose_name="所在村", on_delete=models.PROTECT,
                                related_name="member_dues", editable=False, db_index=False)
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    category = models.CharField("交纳方式", max_length=8, choices=DuesCategory.choices, default=DuesCategory.INCOME)
    base = models.DecimalField("月收入基数（元）", max_digits=12, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(Decimal("0"))], help_text="按月收入比例交纳时填写")
    fixed_amount = models.DecimalField("定额（元）", max_digits=4, decimal_places=2, null=True, blank=True,
                                       help_text="农民及无固定收入党员填写：每月0.2元至1元")
    expected = models.DecimalField("应交（元）", max_digits=10, decimal_places=2, editable=False)
    paid = models.DecimalField("实交（元）", max_digits=10, decimal_places=2, default=Decimal("0"),
                               validators=[MinValueValidator(Decimal("0"))])
    paid_date = models.DateField("交纳日期", null=True, blank=True, validators=[validate_not_future])
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.FORM, editable=False)

    objects = MemberDuesQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="village__township", village="village", month=("year", "month"),
                  secretary_edits=True)

    class Meta:
        verbose_name = "党员党费"
        verbose_name_plural = "党员党费"
        ordering = ["-year", "-month", "person__village__order", "person__name"]
        indexes = [models.Index(fields=["village", "year", "month"], name="member_dues_village_month")]
        constraints = [
            models.UniqueConstraint(fields=["person", "year", "month"], name="one_dues_per_member_and_month",
                                    violation_error_message="该党员该月的党费已登记"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="member_dues_month_1_to_12"),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(expected__gte=0) & (Q(base__isnull=True) | Q(base__gte=0)),
                name="member_dues_amounts_non_negative"),
        ]

    def __str__(self):
        return f"{self.person} {self.year}年{self.month}月党费"

    def clean(self):
        member = None
        if self.person_id and self.year and self.month and 1 <= self.month <= 12:
            _first, last = month_bounds(self.year, self.month)
            member = Person.objects.filter(pk=self.person_id).filter(party_member_on(last)).exists()
        errors = dues_problems(category=self.category, base=self.base, fixed_amount=self.fixed_amount,
                               year=self.year, month=self.month, member_at_month_end=member)
        if errors:
            raise ValidationError({name.removesuffix("_id"): message for name, message in errors.items()})

    def save(self, *args, **kwargs):
        self.set_expected()
        self.fill_derived()
        super().save(*args, **kwargs)

    def set_expected(self):
        """应交 by expected_dues: for save() and for the bulk writes that skip it."""
        self.expected = expected_dues(self.category, self.base, self.fixed_amount) or Decimal("0")
        return self

    def fill_derived(self):
        """Set the village whose month it is: the member's at the month's end (see StageChange.fill_derived)."""
        if self.village_id is None and self.person_id and self.year and self.month and 1 <= self.month <= 12:
            self.village_id = self.person.village_on(month_bounds(self.year, self.month)[1])


class ReserveCadre(models.Model):
    """A village-level reserve cadre (村级后备干部)."""

    village = models.ForeignKey("villages.Village", verbose_name="所属村", on_delete=models.PROTECT,
                                related_name="reserve_cadres")
    person = models.OneToOneField(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="reserve_cadre")
    has_seedling_file = models.BooleanField("已建立育苗档案", default=False, help_text="“金种子”工程育苗档案")
    is_secretary_successor = models.BooleanField("村书记后备人选", default=False)
    since = models.DateField("纳入日期", validators=[validate_not_future])
    until = models.DateField("退出日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords()
    SCOPE = Scope(township="village__township", village="village")

    class Meta:
        verbose_name = "村级后备干部"
        verbose_name_plural = "村级后备干部"
        ordering = ["village__order", "since"]
        constraints = [
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                                   name="reserve_cadre_until_after_since"),
        ]

    def __str__(self):
        return f"{self.person}（{self.village}）"

    def clean(self):
        errors = {}
        if self.until and self.since and self.until < self.since:
            errors["until"] = "退出日期不能早于纳入日期。"
        if self.person_id and self.village_id and self.person.village_id not in (None, self.village_id):
            errors["person"] = "该人员不属于所选村。"
        if errors:
            raise ValidationError(errors)


class TrainingForm(models.TextChoices):
    THEORY = "theory", "理论学习"
    OBSERVATION = "observation", "集中观摩"
    EXTERNAL = "external", "外出学习"
    COURSE = "course", "培训班"


class CadreTraining(models.Model):
    reserve_cadre = models.ForeignKey(ReserveCadre, verbose_name="后备干部", on_delete=models.CASCADE,
                                      related_name="trainings")
    date = models.DateField("日期", validators=[validate_not_future])
    title = models.CharField("培训内容", max_length=200)
    form = models.CharField("形式", max_length=16, choices=TrainingForm.choices)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, default=0, validators=[MinValueValidator(0)])

    history = HistoricalRecords()
    SCOPE = Scope(township="reserve_cadre__village__township", village="reserve_cadre__village")

    class Meta:
        verbose_name = "后备干部培训"
        verbose_name_plural = "后备干部培训"
        ordering = ["-date"]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="training_hours_non_negative")]

    def __str__(self):
        return f"{self.title}（{self.date}）"


class TalentKind(models.TextChoices):
    INDUSTRY_LEADER = "industry_leader", "产业带头人"
    INDUSTRY_LEADER_TRAINEE = "industry_leader_trainee", "产业带头人培养对象"
    REVITALISATION_GRADUATE = "revitalisation_graduate", "大学生乡村振兴专干"
    LOCAL_GRADUATE = "local_graduate", "本镇大学生到村工作"
    EXPERT = "expert", "专家人才"
    RETURNEE = "returnee", "返乡人才"
    PRACTICAL = "practical", "实用人才"
    NEW_TYPE = "new_type", "新型人才"


class Talent(models.Model):
    """A person in the talent pool (“四个一批”人才队伍)."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="talents")
    village = models.ForeignKey("villages.Village", verbose_name="所属村", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="talents")
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("人才类别", max_length=32, choices=TalentKind.choices)
    field = models.CharField("产业或专业", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    since = models.DateField("纳入日期", validators=[validate_not_future])
    until = models.DateField("退出日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village="village")

    class Meta:
        verbose_name = "人才"
        verbose_name_plural = "人才"
        ordering = ["kind", "village__order", "name"]
        indexes = [models.Index(fields=["township", "kind"])]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def clean(self):
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": "退出日期不能早于纳入日期。"})


def stage_on(day):
    """A person's stage on `day` as a query expression: their latest step dated that day or before
    (on one date the later step of the pipeline wins), or NULL before their first step."""
    from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When

    rank = Case(*[When(stage=stage, then=Value(i)) for stage, i in STAGE_RANK.items()], output_field=IntegerField())
    stage = Case(*[When(stage=step, then=Value(after)) for step, after in STAGE_AFTER_STEP.items()],
                 default=F("stage"))
    latest = (StageChange.objects.filter(person=OuterRef("pk"), date__lte=day)
              .annotate(rank=rank, stage_after=stage).order_by("-date", "-rank").values("stage_after")[:1])
    return Subquery(latest)


def at_stage_on(day, stage) -> Q:
    """The condition "this person's stage on `day` is `stage`" (the year-end counts of the pipeline)."""
    from django.db.models.lookups import Exact

    return Q(Exact(stage_on(day), stage))


# ---------------------------------------------------------------- 组织关系转接 (issue 16)


class TransferKind(models.TextChoices):
    WITHIN = "within", "镇内村间转接"
    BETWEEN = "between", "系统内跨镇转接"
    IN = "in", "从系统外转入"
    OUT = "out", "转出到系统外"


# Kinds whose person arrives in a village of the system, and kinds that start in one.
ARRIVING = (TransferKind.WITHIN, TransferKind.BETWEEN, TransferKind.IN)
IMMUTABLE_TRANSFER_FIELDS = ("person_id", "kind", "date", "to_village_id")


class Transfer(models.Model):
    """A dated 组织关系转接 of a person: between villages of the township, to or from another township of the
    system, or to or from a Party organisation outside it. Saving one moves the person (apply()); the
    villages and townships it runs between are kept, so both ends see it and the counts of a day past
    ask where the person was then (membership_on)."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="transfers")
    date = models.DateField("转接日期", validators=[validate_not_future])
    kind = models.CharField("转接类型", max_length=8, choices=TransferKind.choices)
    from_township = models.ForeignKey("villages.Township", verbose_name="转出镇", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="transfers_out", editable=False)
    from_village = models.ForeignKey("villages.Village", verbose_name="转出村", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="transfers_out", editable=False)
    from_place = models.CharField("原所在党组织（系统外）", max_length=100, blank=True,
                                  help_text="从系统外转入时填写：原组织关系所在的党组织或地区")
    to_township = models.ForeignKey("villages.Township", verbose_name="转入镇", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="transfers_in", editable=False)
    to_village = models.ForeignKey("villages.Village", verbose_name="转入村", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="transfers_in",
                                   help_text="镇内、跨镇转接和从系统外转入时选择")
    to_place = models.CharField("转往党组织（系统外）", max_length=100, blank=True,
                                help_text="转出到系统外时填写：接收组织关系的党组织或地区")
    note = models.CharField("备注", max_length=200, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.FORM, editable=False)

    history = HistoricalRecords()
    # Both ends see it: the staff of the township it leaves and of the one it reaches, the secretaries of both
    # villages (township.access.visible and touches).
    SCOPE = Scope(township="from_township", village="from_village",
                  other_township="to_township", other_village="to_village")

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["person", "date"])]

    def __str__(self):
        return f"{self.person} {self.date} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            adding = self._state.adding
            if adding:
                self.fill_derived()
            super().save(*args, **kwargs)
            if adding:
                after = place_after(self.kind, self.date, Place(None, None), to_township_id=self.to_township_id,
                                    to_village_id=self.to_village_id)
                self._move_person(township_id=after.township_id, village_id=after.village_id, left_on=after.left_on)

    def fill_derived(self):
        """The end it leaves from (where the person is: nowhere in the system when they arrive from outside) and
        the township it reaches (records.views and records.api ask it before checking scope)."""
        if not self._state.adding or not self.person_id:
            return
        person = self.person
        ends = transfer_ends(self.kind, Place(person.township_id, person.village_id),
                             to_township_id=self.to_village.township_id if self.to_village_id else None)
        for name, value in ends.items():
            setattr(self, name, value)

    def _move_person(self, *, township_id, village_id, left_on):
        person = Person.objects.select_for_update().get(pk=self.person_id)
        if township_id is not None:
            person.township_id, person.village_id = township_id, village_id
        person.left_on = left_on
        person._history_user = getattr(self, "_history_user", None)
        person._change_reason = transfer_reason(self.kind)
        person.save()
        self.person = person

    def delete(self, *args, **kwargs):
        """Delete the person's latest transfer and put them back where it took them from."""
        latest = Transfer.objects.filter(person_id=self.person_id).order_by("-date", "-pk").first()
        if latest is not None and latest.pk != self.pk:
            raise ValidationError("只能删除该人员最近一次的转接记录：请先删除其后的转接")
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            previous = Transfer.objects.filter(person_id=self.person_id).order_by("-date", "-pk").first()
            went_out = previous is not None and previous.kind == TransferKind.OUT
            if self.kind == TransferKind.OUT:
                self._move_person(township_id=None, village_id=None, left_on=None)
            elif self.from_village_id is not None:
                self._move_person(township_id=self.from_township_id, village_id=self.from_village_id, left_on=None)
            elif went_out:  # back from outside: outside again since the earlier transfer out, from its village
                self._move_person(township_id=previous.from_township_id, village_id=previous.from_village_id,
                                  left_on=previous.date)
        return result


    def clean(self):
        problem = self.problem()
        if problem:
            field, message = problem
            raise ValidationError({field: message})

    def problem(self) -> tuple[str, str] | None:
        """(field, Chinese message) of the first rule this transfer breaks, else None: the facts it needs, read
        for this one transfer, put to transfer_problem (the one rule of the forms, the API and the ledger)."""
        if self.pk is not None:
            stored = Transfer.objects.filter(pk=self.pk).values(*IMMUTABLE_TRANSFER_FIELDS).first()
            if stored:
                return immutable_transfer_problem(stored, {name: getattr(self, name)
                                                           for name in IMMUTABLE_TRANSFER_FIELDS})
            return None
        if not (self.person_id and self.kind and self.date):
            return None
        person = self.person
        earlier = person.transfers.order_by("-date", "-pk").values_list("date", flat=True).first()
        last_step = person.stage_changes.order_by("-date").values_list("date", flat=True).first()
        return transfer_problem(
            kind=self.kind, day=self.date, to_village_id=self.to_village_id,
            to_township_id=self.to_village.township_id if self.to_village_id else None,
            from_place=self.from_place, to_place=self.to_place,
            place=Place(person.township_id, person.village_id, person.left_on),
            village_name=lambda: str(person.village), latest_transfer=earlier, last_step=last_step)


@dataclass(frozen=True)
class Place:
    """Where a person's 组织关系 is: their township and village, and the day they left the system (or None)."""

    township_id: int | None
    village_id: int | None
    left_on: datetime.date | None = None


def transfer_reason(kind) -> str:
    """The reason the person's history gives for a move by a transfer of `kind`."""
    return f"组织关系转接：{TransferKind(kind).label}"


def transfer_ends(kind, place: Place, *, to_township_id) -> dict:
    """{from_township_id, from_village_id, to_township_id} of a new transfer of a person at `place`: it leaves
    from where they are (nowhere in the system when they arrive from outside). Transfer.fill_derived and the
    ledger import (cadres.resources.TransferResource) ask it."""
    if kind == TransferKind.IN:
        return {"from_township_id": None, "from_village_id": None, "to_township_id": to_township_id}
    return {"from_township_id": place.township_id, "from_village_id": place.village_id,
            "to_township_id": to_township_id}


def place_after(kind, day, place: Place, *, to_township_id, to_village_id) -> Place:
    """Where a transfer leaves a person who was at `place` (the transfer's apply rule): the village it reaches;
    for a transfer out of the system the same township and village, left on its date. Transfer.save and the
    ledger import ask it."""
    if to_township_id is not None:
        place = Place(to_township_id, to_village_id)
    return Place(place.township_id, place.village_id, day if kind == TransferKind.OUT else None)


TRANSFER_IS_IMMUTABLE = "转接登记后不能修改人员、类型、日期和转入村；如有错误，请删除该转接后重新登记"


def immutable_transfer_problem(stored: dict, values: dict) -> tuple[str, str] | None:
    """("kind", message) when `values` change what a stored transfer may not change (IMMUTABLE_TRANSFER_FIELDS)."""
    if any(name in values and stored[name] != values[name] for name in IMMUTABLE_TRANSFER_FIELDS):
        return ("kind", TRANSFER_IS_IMMUTABLE)
    return None


def transfer_problem(*, kind, day, to_village_id, to_township_id, from_place, to_place, place: Place, village_name,
                     latest_transfer, last_step) -> tuple[str, str] | None:
    """(field, Chinese message) of the first rule a new transfer breaks, else None: the one rule of the forms, the
    API (Transfer.problem) and the ledger import (cadres.resources.TransferResource, row by row in date order).

    `place`: where the person is before it; `to_township_id`: the township of `to_village_id`; `village_name`: a
    callable giving the name of the person's village (asked only for its message); `latest_transfer` and
    `last_step`: the dates of the person's latest transfer and latest step before it, or None."""
    if kind == TransferKind.OUT:
        if to_village_id:
            return ("to_village", "转出到系统外时不选择转入村，请填写转往的党组织")
        if not (to_place or "").strip():
            return ("to_place", "转出到系统外须填写接收组织关系的党组织或地区")
    else:
        if not to_village_id:
            return ("to_village", "请选择转入村")
        if kind == TransferKind.IN and not (from_place or "").strip():
            return ("from_place", "从系统外转入须填写原组织关系所在的党组织或地区")
    if place.left_on is not None and kind != TransferKind.IN:
        return ("kind", f"该人员已于{place.left_on:%Y年%m月%d日}转出到系统外，只能登记“从系统外转入”")
    if kind == TransferKind.IN and place.left_on is None and latest_transfer is not None:
        return ("kind", "该人员的组织关系在系统内，请登记镇内或跨镇转接，不能登记“从系统外转入”")
    if kind in (TransferKind.WITHIN, TransferKind.BETWEEN):
        same = to_township_id == place.township_id
        if kind == TransferKind.WITHIN and not same:
            return ("to_village", "镇内村间转接的转入村须在本镇；转往其他镇请选择“系统内跨镇转接”")
        if kind == TransferKind.BETWEEN and same:
            return ("to_village", "跨镇转接的转入村须在其他镇；本镇村间转接请选择“镇内村间转接”")
        if to_village_id == place.village_id:
            return ("to_village", f"该人员已在{village_name()}，转入村须与现所在村不同")
    if latest_transfer is not None and day < latest_transfer:
        return ("date", f"转接日期不能早于该人员上一次转接的日期（{latest_transfer:%Y年%m月%d日}）")
    if last_step is not None and day < last_step:
        return ("date", f"转接日期不能早于该人员最近一次发展阶段记录的日期（{last_step:%Y年%m月%d日}）")
    return None


def membership_on(day, end="township"):
    """The id of the township (end="township") or village (end="village") a person belonged to on `day`, as a
    query expression: where their latest transfer on or before that day took them, else where their first
    transfer after it took them from, else where they are now; 0 when they were outside the system then
    (transferred out of it, or not yet transferred in). No query per person: two subqueries, asked only of the
    people with a transfer (one uncorrelated list the database reads once: most people never move, and the
    year-end counts of a county ask this of every member)."""
    from django.db.models import Case, F, IntegerField, OuterRef, Value, When

    to = Coalesce(f"to_{end}_id", Value(0), output_field=IntegerField())
    origin = Coalesce(f"from_{end}_id", Value(0), output_field=IntegerField())
    before = (Transfer.objects.filter(person=OuterRef("pk"), date__lte=day).order_by("-date", "-pk")
              .annotate(end=to).values("end")[:1])
    after = (Transfer.objects.filter(person=OuterRef("pk"), date__gt=day).order_by("date", "pk")
             .annotate(end=origin).values("end")[:1])
    now = F(f"{end}_id")
    return Case(When(pk__in=Transfer.objects.order_by().values("person_id"),
                     then=Coalesce(Subquery(before), Subquery(after), now, output_field=IntegerField())),
                default=now, output_field=IntegerField())


def in_system_on(day) -> Q:
    """The condition "this person belonged on `day` to a township of the system" (the year-end lists, which
    hold each person where they were that day: records.registry.RecordType.as_of)."""
    from django.db.models import Value
    from django.db.models.lookups import Exact

    return ~Q(Exact(membership_on(day), Value(0)))
