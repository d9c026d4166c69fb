"""The drafted text of the annual report, written from the figures in the reference's sentence patterns.

A paragraph is a list of segments: plain text, or a figure's text (stated the official
way, reports/wording.py) that carries its key, exact value and source, so the page can
show the exact number on hover and link to the records. Nothing here queries the database
or computes a number: everything comes from the figures of the year and of last year
(reports/figures.py), next year's targets and the changes against last year included.

Paragraphs are built of clauses; a clause on a missing or zero figure is left out, so the
text never says "0个" or "暂无记录". A year without any record says so once (NO_RECORDS).
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from township.numbers import yuan

from . import wording as w
from .figures import MILLION, change, growth, industry_villages, table_keys

NO_RECORDS = "本年度尚无工作记录。"
NOTHING_YET = "本年度尚无相关工作记录。"
MISSING = "—"  # a missing value in tables and tooltips

# Labels of the entries of stored targets and other maps, so exact values read as text.
ENTRY_LABELS = {
    "share_3plus": "三星级及以上", "share_4plus": "四星级及以上", "share_5": "五星级",
    "star_share_3plus": "三星级及以上", "star_share_4plus": "四星级及以上", "star_share_5": "五星级",
    "planned_probationary": "计划吸收预备党员", "planned_probationary_under_35": "其中35岁以下",
    "reserve_cadres_per_village": "每村后备干部", "income_total": "村集体经济总收入",
    "villages_over_1m": "百万村", "villages_over_2m": "两百万元村",
}
ENTRY_UNITS = {"planned_probationary": "名", "planned_probationary_under_35": "名", "reserve_cadres_per_village": "名",
               "villages_over_1m": "个", "villages_over_2m": "个"}

# Re-exported for the pages and tests that state numbers the same way.
cn_ordinal = w.cn_ordinal
percent = w.percent


# ---------------------------------------------------------------- exact values (tooltips and tables)


def _entry_text(key, value, unit=""):
    if value is None:
        return MISSING
    if key.startswith(("share_", "star_share_")):
        return w.percent(value)
    if key == "income_total" or (unit == "元" and isinstance(value, (str, Decimal))):
        return yuan(value)
    return f"{value}{ENTRY_UNITS.get(key, unit)}"


def _item_text(item, unit=""):
    """One entry of a list figure as words."""
    if not isinstance(item, dict):
        return str(item)
    if "title" in item:
        return item["title"]
    if "kinds" in item:
        return f"{item['village']}：{'、'.join(item['kinds'])}未按要求召开"
    if "target" in item and "actual" in item:
        return f"{item['village']}：目标{yuan(item['target'])}，完成{yuan(item['actual'])}"
    if "target" in item:
        return f"{item['village']}（目标{w.cn_ordinal(item['target'])}星级）"
    if "amount" in item:
        return f"{item['village']} {yuan(item['amount'])}"
    if "name" in item:
        place = "、".join(item.get("villages") or []) or item.get("village") or ""
        return f"{item['name']}（{place}）" if place else item["name"]
    return "，".join(f"{ENTRY_LABELS.get(k, k)}{_entry_text(k, v, unit)}" for k, v in item.items())


def exact_text(figure) -> str:
    """The exact value with its unit, for tooltips and tables: numbers, maps and lists as words, never as code."""
    value, unit = figure["value"], figure.get("unit", "")
    if value is None or value == [] or value == {}:
        return MISSING
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict) and "amount" in value:
        return f"{value['village']} {yuan(value['amount'])}"
    if isinstance(value, dict):
        return "，".join(
            f"{ENTRY_LABELS.get(label, label)}{exact_text({'value': v, 'unit': unit})}" if isinstance(v, dict)
            else f"{ENTRY_LABELS.get(label, label)}{_entry_text(label, v, unit)}"
            for label, v in value.items())
    if isinstance(value, list):
        return "、".join(_item_text(item, unit) for item in value)
    if unit == "%":
        return w.percent(value)
    if unit == "元":
        return yuan(value)
    return f"{value}{unit}"


# ---------------------------------------------------------------- paragraphs


class Para(list):
    """A paragraph (or a clause): a list of segments {"text", "key", "exact", "source"}."""

    def t(self, text):
        if text:
            self.append({"text": text, "key": None, "exact": None, "source": None})
        return self

    def fig(self, figures, key, text, *, exact=None, source=None):
        figure = figures[key]
        self.append({"text": text, "key": key, "exact": exact or exact_text(figure),
                     "source": source or figure.get("source")})
        return self

    def add(self, other):
        self.extend(other)
        return self

    def then(self, clause, sep="，"):
        """Append a clause after this one (a change against last year, say) when both have words."""
        if self and clause:
            self.t(sep).add(clause)
        return self

    @property
    def text(self):
        return "".join(segment["text"] for segment in self)


def sentences(groups, *, sep="，", between="；", end="。") -> Para:
    """Clauses joined into one run of text: the clauses of a group by "，", groups by "；", a full stop at the end.
    Empty clauses and groups are left out."""
    groups = [[clause for clause in group if clause] for group in groups]
    groups = [group for group in groups if group]
    out = Para()
    for g, group in enumerate(groups):
        for c, clause in enumerate(group):
            out.add(clause)
            if c < len(group) - 1:
                out.t(sep)
        out.t(between if g < len(groups) - 1 else end)
    return out


EVENT_VERBS = {"meeting": "组织召开", "document": "印发", "rule": "制定", "mechanism": "实施", "activity": "开展",
               "inspection": "开展", "training": "举办", "guidance": "指导"}
OPENING_KINDS = ("meeting", "document", "rule")  # what a campaign starts with, before its problems are found


class Writer:
    """The figures of the year and of last year, and the clauses stated from them."""

    def __init__(self, figures, previous=None):
        self.figures = figures
        self.previous = previous or {}

    def value(self, key):
        return (self.figures.get(key) or {}).get("value")

    def before(self, key):
        return (self.previous.get(key) or {}).get("value")

    def has(self, key) -> bool:
        return key in self.figures and w.stated(self.value(key))

    def fig(self, key, text, **kwargs) -> Para:
        return Para().fig(self.figures, key, text, **kwargs)

    def count(self, key, before, unit, *, rounded=False, suffix="余", after="") -> Para:
        """"before N unit after", or nothing when the figure is missing or zero."""
        if not self.has(key):
            return Para()
        return Para().t(before).fig(self.figures, key, w.count(self.value(key), unit, rounded=rounded,
                                                               suffix=suffix)).t(after)

    def _change_segment(self, key, text) -> Para:
        previous = self.previous.get(key) or {}
        return Para().fig(self.figures, key, text, exact=f"上年：{exact_text(previous)}",
                          source=previous.get("source"))

    def growth(self, key) -> Para:
        """"较上年增长19.7%" against last year's value of the figure, or nothing without one."""
        text = w.growth_text(growth(self.value(key), self.before(key)))
        if not text or not self.has(key):
            return Para()
        return self._change_segment(key, text)

    def difference(self, key, unit) -> Para:
        """"较上年增加1名" against last year, or nothing without last year's value."""
        if not self.has(key) or self.before(key) is None:
            return Para()
        return self._change_segment(key, w.difference_text(change(self.value(key), self.before(key)), unit))

    def village_count(self, key, label, varied) -> Para:
        """"百万村7个" with its change against last year, phrased in turn (no "0个", no pattern twice)."""
        if not self.has(key):
            return Para()
        n, before = self.value(key), self.before(key)
        if before is None:
            return self.fig(key, f"{label}{n}个")
        if before == 0:
            return self.fig(key, f"{label}{n}个").then(self._change_segment(key, "实现零的突破"))
        if before == n:
            return self.fig(key, f"{label}{n}个").then(self._change_segment(key, "与上年持平"))
        return self._change_segment(key, varied(label, before, "增加" if n > before else "减少", n))

    # ------------------------------------------------------------ work events

    def events(self, area, kinds=None) -> list[dict]:
        return [event for event in self.value("township.work_events") or []
                if event["area"] == area and (kinds is None or event["kind"] in kinds)]

    def event_clauses(self, events) -> list[Para]:
        """Each event as its verb and title (组织召开…部署会, 印发《A》《B》, 指导新华村、永宁村各补选支部委员1名),
        documents issued together merged, and its note after it."""
        clauses, last = [], None
        for event in events:
            verb = EVENT_VERBS.get(event["kind"], "开展")
            exact = f"{w.cn_date(datetime.date.fromisoformat(event['date']))} {event['title']}"
            if (last and last["kind"] == event["kind"] in ("document", "rule") and not last["note"]
                    and last["date"] == event["date"]):
                clauses[-1].fig(self.figures, "township.work_events", w.titles([event["title"]]), exact=exact)
            else:
                clause = Para().t(verb)
                if event["kind"] == "guidance" and event["villages"]:
                    each = "各" if len(event["villages"]) > 1 else ""
                    clause.t(f"{w.join(event['villages'])}{each}")
                title = w.titles([event["title"]]) if event["kind"] in ("document", "rule") else event["title"]
                clause.fig(self.figures, "township.work_events", title, exact=exact)
                clauses.append(clause)
            if event["note"]:
                clauses[-1].t(f"，{event['note']}")
            last = event
        return clauses


def numbered(items) -> list[Para]:
    """Paragraphs "一是…。二是…。" of the items that have content, numbered in the order they come."""
    paras = []
    for title, body in items:
        if body:
            paras.append(Para().t(f"{w.cn_ordinal(len(paras) + 1)}是{title}。").add(body))
    return paras


# ---------------------------------------------------------------- 一、工作开展情况

STUDY_CHANNELS = ["night_school", "morning_meeting", "class_8090", "three_meetings", "theme_day"]
LECTURES = {"secretary_lecture": "“支部书记讲党课”", "thousand_lectures": "“千场党课下基层”",
            "party_lecture": "党课", "micro_lecture": "微党课视频制作"}


def _study(wr: Writer) -> Para:
    plans = wr.value("study.plans") or []
    opening = [Para().t("研究制定").add(wr.fig("study.plans", w.join(plans, "和")))] if plans else []
    channels = [kind for kind in STUDY_CHANNELS if wr.has(f"study.kind_{kind}")]
    channel = Para()
    if channels:
        channel.t("运用")
        for i, kind in enumerate(channels):
            key = f"study.kind_{kind}"
            channel.add(wr.fig(key, wr.figures[key]["label"]))
            channel.t("、" if i < len(channels) - 1 else "等")
    concentrated = wr.count("study.concentrated_sessions", "集中学习", "次", rounded=True)
    concentrated.then(wr.growth("study.concentrated_sessions"))
    counts = [
        wr.count("study.central_group_sessions", "党委理论学习中心组", "次"),
        wr.count("study.central_group_seminars", "研讨交流", "次"),
        channel,
        concentrated,
        wr.count("study.topic_seminars", "专题研讨", "次", rounded=True),
        wr.count("study.essays", "撰写心得体会", "篇", rounded=True),
        wr.count("study.warning_education_visitors", "廉政警示教育基地参观学习", "人次", rounded=True),
        wr.count("study.delivered_study", "“送学”", "人次", rounded=True, suffix="多"),
    ]
    topics = wr.value("study.topics") or []
    if topics:
        counts.append(Para().t("成功举办").add(wr.fig("study.topics", w.join(topics))))
    lectures = [kind for kind in LECTURES if wr.has(f"study.kind_{kind}")]
    lecture = Para()
    if lectures:
        lecture.t("常态化开展")
        for i, kind in enumerate(lectures):
            lecture.add(wr.fig(f"study.kind_{kind}", LECTURES[kind])).t("、" if i < len(lectures) - 1 else "")
    return sentences([opening + counts, wr.event_clauses(wr.events("study")), [lecture]])


def _campaign(wr: Writer) -> Para:
    events = wr.events("campaign")
    named = " ".join(event["title"] for event in events)
    campaigns = [c for c in wr.value("township.campaigns") or [] if c not in named]
    opening = [Para().t("开展").add(wr.fig("township.campaigns", w.join(campaigns))).t("活动")] if campaigns else []
    opening += wr.event_clauses([e for e in events if e["kind"] in OPENING_KINDS])
    problems = wr.count("township.problems_found", "镇村查摆问题", "条", rounded=True)
    problems.then(wr.growth("township.problems_found"))
    later = wr.event_clauses([e for e in events if e["kind"] not in OPENING_KINDS])
    bulletins = [wr.count("township.bulletins", "", "期", after="工作专报"),
                 wr.count("township.weekly_previews", "", "次", after="一周工作预览"),
                 wr.count("township.work_info", "", "条", rounded=True, after="工作信息")]
    published = Para()
    shown = [b for b in bulletins if b]
    if shown:
        published.t("推送")
        for i, part in enumerate(shown):
            published.add(part).t("、" if i < len(shown) - 1 else "")
    # The mechanisms run through the year: the first after the problems, the rest each its own clause group.
    groups = [opening + [problems] + later[:1]] + [[clause] for clause in later[1:]] + [[published]]
    return sentences(groups)


def political(figures, previous=None) -> list[Para]:
    """（一）强化政治建设：study (抓实学习教育) and the campaign with its problems and bulletins (坚持学用结合)."""
    wr = Writer(figures, previous)
    return numbered([("抓实学习教育", _study(wr)), ("坚持学用结合", _campaign(wr))])


def _duty(wr: Writer) -> Para:
    opening = wr.event_clauses(wr.events("duty"))
    kinds = [key for key in ("township.supervision_monthly", "township.supervision_quarterly",
                             "township.supervision_half_year") if wr.has(key)]
    mechanism = Para()
    if kinds:
        mechanism.t("健全落实")
        for i, key in enumerate(kinds):
            mechanism.add(wr.fig(key, wr.figures[key]["label"])).t("、" if i < len(kinds) - 1 else "工作机制")
    visits = wr.count("township.supervision_visits", "全年开展督查指导", "次")
    rate = wr.value("submissions.reporting_rate")
    reporting = Para()
    if w.stated(rate):
        reporting.t("落实月度报表制度，" if not kinds else "").t("各村按月报送党建工作报表，月报上报率").add(
            wr.fig("submissions.reporting_rate", w.percent(rate)))
    stars = Para()
    if wr.has("stars.rated"):
        stars.t("持续开展星级党组织评定，全镇").add(wr.fig("stars.rated", f"{wr.value('stars.rated')}个"))
        stars.t("党组织参评，其中")
        shown = [(level, n) for level, n in (wr.value("stars.by_level") or {}).items() if n]
        for i, (level, n) in enumerate(shown):
            name = f"{w.cn_ordinal(int(level))}星级"
            stars.t(name).add(wr.fig("stars.by_level", f"{n}个", exact=f"{name}党组织{n}个"))
            stars.t("、" if i < len(shown) - 1 else "")
        if w.stated(wr.value("stars.share_3plus")):
            stars.t("，三星级及以上占").add(wr.fig("stars.share_3plus", w.percent(wr.value("stars.share_3plus"))))
    return sentences([opening, [mechanism, visits, reporting], [_org_life(wr)], _dues_clauses(wr), [stars]],
                     between="。")


# ---------------------------------------------------------------- organisational life (三会一课 and 主题党日)

ORG_LIFE_NAMES = {"org_life.held_general_meeting": "支部党员大会", "org_life.held_committee_meeting": "支委会",
                  "org_life.held_group_meeting": "党小组会", "org_life.held_party_lecture": "党课",
                  "org_life.held_theme_day": "主题党日", "org_life.held_life_meeting": "组织生活会"}


def _org_life(wr: Writer) -> Para:
    """"规范落实“三会一课”和主题党日制度，各党支部全年召开支委会144次、…，达标率99.0%", or nothing without meetings."""
    held = [key for key in ORG_LIFE_NAMES if wr.has(key)]
    if not held:
        return Para()
    para = Para().t("规范落实“三会一课”和主题党日制度，各党支部全年召开")
    for i, key in enumerate(held):
        para.t(ORG_LIFE_NAMES[key]).add(wr.fig(key, w.count(wr.value(key), "次"))).t("、" if i < len(held) - 1 else "")
    rate = wr.value("org_life.compliance_rate")
    if w.stated(rate):
        para.t("，达标率").add(wr.fig("org_life.compliance_rate", w.percent(rate)))
    return para


def _projects(wr: Writer) -> list[Para]:
    """The villages' industries grouped, then each measured project with who ran it (the branch as the subject)."""
    projects = wr.value("economy.projects") or []
    clauses = []
    grouped = industry_villages(projects)
    if grouped:
        names = list(grouped)
        industries = list(dict.fromkeys(i for found in grouped.values() for i in found))
        clause = Para()
        if len(names) > 2:
            clause.t(f"{w.join(names[:2])}等").add(wr.fig("economy.industry_villages", f"{len(names)}个村"))
        else:
            clause.add(wr.fig("economy.industry_villages", w.join(names)))
        clauses.append(clause.t(f"发展{w.join(industries)}产业"))
    incomes = {row["village"]: row["amount"] for row in wr.value("economy.income_by_village") or []}
    incomes_before = {row["village"]: row["amount"] for row in wr.before("economy.income_by_village") or []}
    jobs = w.Varied("带动{}{}务工就业", "吸纳{}{}就近就业")
    for project in projects:
        if not project["village"] or not w.stated(project["scale"]):
            continue
        subject = project["village"] + {"branch": "党支部", "branch_members": "党支部带领党员"}.get(
            project["operator"], "")
        scale = f"{project['scale']}{project['unit']}"
        thing = (f"{scale}{project['name']}" if project["scale_unit"] in ("dong", "item")
                 else f"{project['name']}{scale}")
        clause = Para().t(f"{subject}{project['action']}").add(wr.fig(
            "economy.projects", thing, exact=f"{project['village']}{project['name']} {scale}"))
        if project["jobs"]:
            text = jobs(w.people(project["jobs"], rounded=True), project["jobs_for"] or "群众")
            clause.t("，").add(wr.fig("economy.projects", text, exact=f"带动就业{project['jobs']}人"))
        amount, before = incomes.get(project["village"]), incomes_before.get(project["village"])
        if amount and Decimal(amount) >= MILLION and before is not None and Decimal(before) < MILLION:
            clause.t("，促进村集体经济突破").add(wr.fig(
                "economy.income_by_village", w.wan(MILLION),
                exact=f"{project['village']} {yuan(amount)}（上年{yuan(before)}）"))
        if w.stated(project["income_added"]):
            clause.t("，增加村集体经济").add(wr.fig("economy.projects", w.approx_wan(project["income_added"]),
                                                  exact=yuan(project["income_added"])))
        if w.stated(project["farmer_income_added"]):
            clause.t("，促进群众增收").add(wr.fig("economy.projects", f"{w.wan(project['farmer_income_added'])}以上",
                                                exact=f"{yuan(project['farmer_income_added'])}/户"))
        clauses.append(clause)
    return clauses


def _economy(wr: Writer) -> Para:
    opening = wr.event_clauses(wr.events("economy"))
    income = []
    if wr.has("economy.income_total"):
        total = Para().t("全镇村集体经济总收入").add(
            wr.fig("economy.income_total", w.wan(wr.value("economy.income_total"))))
        total.then(wr.growth("economy.income_total"))
        varied = w.Varied("{}由上年的{}个{}到{}个", "{}较上年的{}个{}至{}个")
        income = [total, wr.village_count("economy.villages_over_1m", "百万村", varied),
                  wr.village_count("economy.villages_over_2m", "两百万元村", varied)]
    alliances = wr.value("economy.alliances") or []
    alliance = (Para().t("试点开展“党建共同体”工作，成立").add(
        wr.fig("economy.alliances", w.join(a["name"] for a in alliances))) if alliances else Para())
    return sentences([opening, income, [alliance], _projects(wr)], between="；")


def _people(wr: Writer) -> Para:
    graduates = wr.value("talent.revitalisation_graduates")
    talent = []
    if w.stated(graduates):
        if graduates == wr.value("villages.count"):
            talent.append(wr.fig("talent.revitalisation_graduates", "每村一名大学生").t("担任乡村振兴专干"))
        else:
            talent.append(wr.fig("talent.revitalisation_graduates", w.people(graduates)).t("大学生担任乡村振兴专干"))
    talent += [wr.count("talent.industry_leaders", "培育产业带头人", "名"),
               wr.count("talent.industry_leader_trainees", "产业带头人培养对象", "名"),
               wr.count("talent.local_graduates", "吸纳", "名", after="本镇大学生到村工作")]
    talent += wr.event_clauses(wr.events("talent", ("guidance",)))
    if any(talent):
        talent.insert(0, Para().t("充实“四个一批”人才队伍"))
    reserve = wr.event_clauses(wr.events("talent", ("document", "rule", "meeting")))
    if wr.has("reserve.seedling_files"):
        seedlings = w.people(wr.value("reserve.seedling_files"))
        reserve.append(Para().t("为").add(wr.fig("reserve.seedling_files", seedlings)).t("后备干部建立“育苗档案”"))
    reserve.append(wr.count("reserve.cadres", "指导培育村级后备干部", "名"))
    reserve += wr.event_clauses(wr.events("talent", ("training", "activity", "mechanism", "inspection")))
    if any(reserve):
        reserve.insert(0, Para().t("建强村级后备干部队伍"))
    members = [wr.count("members.activists", "截至年底共储备入党积极分子", "名")]
    if wr.has("members.new_probationary"):
        admitted = wr.count("members.new_probationary", "吸收预备党员", "名")
        admitted.then(wr.difference("members.new_probationary", "名"))
        members.append(admitted)
    members.append(wr.count("members.converted", "转正党员", "名"))
    members += _appraisal_clauses(wr)
    members += _transfer_clauses(wr)
    planned = wr.value("targets.planned_probationary")
    if w.stated(planned):
        plan = Para().t("全年预计吸收").add(wr.fig("targets.planned_probationary", w.people(planned))).t("预备党员")
        under_35 = wr.value("targets.planned_probationary_under_35")
        if w.stated(under_35):
            plan.t("（其中35岁以下").add(wr.fig("targets.planned_probationary_under_35", w.people(under_35))).t("）")
        members.append(plan)
    if any(members):
        members.insert(0, Para().t("加强党员队伍培养"))
    return sentences([talent, reserve, members])


def grassroots(figures, previous=None) -> list[Para]:
    """（二）夯实基层堡垒：duty and mechanisms, the collective economy, people (reserve cadres, talent, members)."""
    wr = Writer(figures, previous)
    return numbered([("压实党建责任", _duty(wr)), ("着力壮大村集体经济", _economy(wr)),
                     ("培育乡村振兴后备力量", _people(wr))])


# ---------------------------------------------------------------- 二、亮点工作


def _alliance_sentence(wr: Writer, alliance, verbs, partners, models) -> Para:
    clause = Para().t(verbs()).add(wr.fig("economy.alliances", alliance["name"],
                                          exact=_item_text(alliance)))
    if alliance["villages"]:
        clause.t(f"（{w.join(alliance['villages'])}）")
    parts = []
    if alliance["brands"]:
        parts.append(Para().t(f"深入挖掘{alliance['brands']}等品牌价值"))
    if alliance["relies_on"]:
        parts.append(Para().t(f"依托{alliance['relies_on']}"))
    how = Para()
    if alliance["enterprises"]:
        how.t(partners(w.join(alliance["enterprises"])))
    if alliance["model"]:
        how.t(models(alliance["model"]))
    parts.append(how)
    if alliance["description"]:
        parts.append(Para().t(alliance["description"].rstrip("。；，")))
    return sentences([[clause, *parts]])


def highlights(figures, previous=None) -> list[Para]:
    """The alliances and the township's own projects (a talent base, say); staff's highlights come in between."""
    wr = Writer(figures, previous)
    paras = []
    alliances = wr.value("economy.alliances") or []
    if alliances:
        para = Para().t("开展党建共同体试点工作。")
        verbs = w.Varied("组建", "成立", "牵头组建")
        partners = w.Varied("与{}等企业", "携手{}等企业", "与{}等企业扩大合作，")
        models = w.Varied("通过“{}”模式", "采取“{}”模式", "以“{}”模式")
        for alliance in alliances:
            para.add(_alliance_sentence(wr, alliance, verbs, partners, models))
        paras.append(para)
    for project in wr.value("economy.projects") or []:
        if project["village"]:
            continue
        para = Para().t(f"打造{project['name']}。")
        clause = Para()
        if w.stated(project["investment"]):
            clause.t("投入").add(wr.fig("economy.projects", w.wan(project["investment"]),
                                        exact=yuan(project["investment"])))
        clause.t(f"{project['action']}{project['name']}")
        parts = [clause]
        if w.stated(project["scale"]):
            label = "面积" if project["unit"] == "平方米" else "规模"
            parts.append(Para().t(label).add(wr.fig("economy.projects", f"{project['scale']}{project['unit']}")))
        if project["description"]:
            parts.append(Para().t(project["description"].rstrip("。；，")))
        paras.append(para.add(sentences([parts])))
    return paras


# ---------------------------------------------------------------- 三、存在的问题 (suggested by the data)


def suggestions(figures, previous=None) -> list[dict]:
    """Problems the data shows, each {"key", "para", "text"}; staff accept or dismiss them."""
    wr = Writer(figures, previous)
    found = []

    def add(key, para):
        found.append({"key": key, "para": para, "text": para.text})

    top, bottom = wr.value("economy.income_max"), wr.value("economy.income_min")
    if top and bottom and (wr.value("economy.villages_reporting_income") or 0) > 1:
        gap = Decimal(top["amount"]) - Decimal(bottom["amount"])
        if gap >= Decimal("500000") or Decimal(top["amount"]) >= 2 * Decimal(bottom["amount"]):
            para = Para().t("村集体经济发展不平衡。全镇").add(
                wr.fig("villages.count", f"{wr.value('villages.count')}个村")).t("，村集体经济最高的")
            para.add(wr.fig("economy.income_max", w.wan(top["amount"]))).t("，最低的")
            para.add(wr.fig("economy.income_min", w.wan(bottom["amount"])))
            para.t(f"，差距较大（最高为{top['village']}，最低为{bottom['village']}）。")
            add("income_gap", para)
    land = wr.value("economy.land_share")
    if land is not None and land >= 50:
        para = Para().t("村集体经济收入结构单一。集体经济收入以土地流转、土地管理、农业种植占比较大（占")
        para.add(wr.fig("economy.land_share", w.percent(land))).t("），带动群众持续增收致富的产业还不强。")
        add("land_share", para)
    below = wr.value("stars.below_target")
    if below:
        para = Para().t("部分党组织星级有待提升。").add(
            wr.fig("stars.below_target", w.join(b["village"] for b in below)))
        para.t("党组织当前星级低于目标星级。")
        add("stars_below_target", para)
    per_village = wr.value("targets.reserve_cadres_per_village")
    if per_village:
        short = [name for name, n in (wr.value("reserve.by_village") or {}).items() if n < per_village]
        if short:
            para = Para().t("后备干部储备不足。").add(wr.fig("reserve.by_village", w.join(short)))
            para.t(f"村级后备干部少于每村{per_village}名的目标。")
            add("reserve_short", para)
    rate = wr.value("submissions.reporting_rate")
    if w.stated(wr.value("submissions.expected")) and rate is not None and rate < 100:
        para = Para().t("月度报表报送不够及时。应报")
        para.add(wr.fig("submissions.expected", f"{wr.value('submissions.expected')}个")).t("村月")
        if w.stated(wr.value("submissions.reported")):
            para.t("，已上报").add(wr.fig("submissions.reported", f"{wr.value('submissions.reported')}个")).t("村月")
            para.t("，上报率").add(wr.fig("submissions.reporting_rate", w.percent(rate)))
        else:
            para.t("，均未上报")
        add("months_not_reported", para.t("。"))
    short = wr.value("org_life.short_branches")
    if short:
        para = Para().t("组织生活落实不够到位。").add(wr.fig("org_life.short_branches", w.join(
            f"{b['village']}（{w.join(b['kinds'])}）" for b in short)))
        para.t("党支部有月份或季度未按要求召开括号内所列会议，“三会一课”和主题党日制度执行还不够严格。")
        add("org_life_short", para)
    if wr.has("township.problems_open"):
        # The one number of open problems of the whole text (as of 31 December), as the next steps state it.
        para = Para().t("问题整改尚未全部到位。截至年底尚有").add(
            wr.fig("township.problems_open", f"{wr.value('township.problems_open')}条")).t("问题未整改到位。")
        add("problems_open", para)
    return found


# ---------------------------------------------------------------- 四、下一步措施


def next_steps(figures, year, previous=None, *, carry_over=True) -> list[Para]:
    """Next year's targets (stored ones, or proposed from this year's) and the open problems carried over.
    Unnumbered: the report numbers them （一）（二）… with staff's items among them."""
    wr = Writer(figures, previous)
    paras = []
    township_target = wr.value("targets.next_year")
    economy_target = wr.value("targets.next_year_economy")
    org = Para().t("夯实基层组织基础。").t("持续抓好星级党组织评定工作")
    by_target = {}
    for b in wr.value("stars.below_target") or []:
        by_target.setdefault(b["target"], []).append(b["village"])
    if by_target:
        org.t("，力争")
        groups = sorted(by_target.items(), reverse=True)
        for i, (level, names) in enumerate(groups):
            org.add(wr.fig("stars.below_target", w.join(names))).t(f"晋为{w.cn_ordinal(level)}星级党组织")
            org.t("，" if i < len(groups) - 1 else "")
    if township_target:
        org.t("，三星级及以上党组织达到").add(wr.fig("targets.next_year", w.whole_percent(
            township_target["star_share_3plus"]))).t("以上，四星级及以上达到")
        org.add(wr.fig("targets.next_year", w.whole_percent(township_target["star_share_4plus"]))).t("以上")
        if w.stated(township_target["star_share_5"]):
            org.t("，五星级达到").add(wr.fig("targets.next_year", w.whole_percent(township_target["star_share_5"])))
    paras.append(org.t("。"))

    talent = Para().t("强化优秀人才储备。").t("加大青年人才吸收力度，加大后备干部培养力度")
    per_village = (township_target or {}).get("reserve_cadres_per_village")
    if per_village:
        talent.t("，每村储备年轻后备干部").add(wr.fig("targets.next_year", w.people(per_village))).t("以上")
    talent.t("；提升党员发展质效，注重从致富带头人、返乡创业青年、退伍军人中发展党员")
    if township_target and township_target["planned_probationary"]:
        talent.t("，计划吸收预备党员").add(
            wr.fig("targets.next_year", w.people(township_target["planned_probationary"])))
    paras.append(talent.t("。"))

    economy = Para().t("着力壮大村集体经济。").t("做好村级集体经济收入入账和项目谋划，扎实推进党建共同体")
    if economy_target:
        economy.t(f"，{year + 1}年村集体经济保持").add(
            wr.fig("targets.next_year_economy", w.wan(economy_target["income_total"]))).t("以上")
        if w.stated(economy_target["villages_over_1m"]):
            economy.t("，百万村达").add(wr.fig("targets.next_year_economy",
                                               f"{economy_target['villages_over_1m']}个")).t("以上")
        if w.stated(economy_target["villages_over_2m"]):
            economy.t("，两百万元村").add(wr.fig("targets.next_year_economy",
                                                f"{economy_target['villages_over_2m']}个")).t("以上")
    elif wr.has("economy.income_total"):
        economy.t(f"，{year + 1}年（建议）村集体经济保持").add(
            wr.fig("economy.income_total", w.wan(wr.value("economy.income_total")))).t("以上")
        for key, label in (("economy.villages_over_1m", "百万村达"), ("economy.villages_over_2m", "两百万元村")):
            if wr.has(key):
                economy.t(f"，{label}").add(wr.fig(key, f"{wr.value(key)}个")).t("以上")
    paras.append(economy.t("。"))

    if carry_over and wr.has("township.problems_open"):
        carry = Para().t("抓好问题整改。").t("对截至年底尚未整改到位的")
        carry.add(wr.fig("township.problems_open", f"{wr.value('township.problems_open')}条"))
        carry.t("问题，明确责任人和整改时限，持续跟踪销号。")
        paras.append(carry)
    return paras


# ---------------------------------------------------------------- targets vs actuals


def targets_table(figures) -> list[dict]:
    """Rows {label, target, actual, achieved} for the year's stored targets; empty when none are set."""
    wr = Writer(figures)
    rows = []
    stars = wr.value("targets.stars")
    if stars:
        for key, label in [("share_3plus", "三星级及以上党组织占比"), ("share_4plus", "四星级及以上党组织占比"),
                           ("share_5", "五星级党组织占比")]:
            actual = wr.value(f"stars.{key}")
            rows.append({"label": label, "target": f"≥{stars[key]:.1f}%",
                         "actual": MISSING if actual is None else w.percent(actual),
                         "achieved": actual is not None and actual >= stars[key]})
    economy = wr.value("targets.economy")
    if economy:
        total = wr.value("economy.income_total")
        rows.append({"label": "村集体经济总收入", "target": f"≥{yuan(economy['income_total'])}",
                     "actual": MISSING if total is None else yuan(total),
                     "achieved": total is not None and Decimal(total) >= Decimal(economy["income_total"])})
        for key, label in [("villages_over_1m", "百万村"), ("villages_over_2m", "两百万元村")]:
            actual = wr.value(f"economy.{key}")
            rows.append({"label": label, "target": f"≥{economy[key]}个",
                         "actual": MISSING if actual is None else f"{actual}个",
                         "achieved": actual is not None and actual >= economy[key]})
    per_village = wr.value("targets.reserve_cadres_per_village")
    if per_village:
        by_village = wr.value("reserve.by_village") or {}
        reached = sum(1 for n in by_village.values() if n >= per_village)
        rows.append({"label": f"每村后备干部{per_village}名以上", "target": f"{len(by_village)}个村",
                     "actual": f"{reached}个村达到", "achieved": reached == len(by_village)})
    planned = wr.value("targets.planned_probationary")
    if planned:
        actual = wr.value("members.new_probationary") or 0
        rows.append({"label": "吸收预备党员", "target": f"{planned}名", "actual": f"{actual}名",
                     "achieved": actual >= planned})
        under_35 = wr.value("targets.planned_probationary_under_35")
        if under_35:
            actual = wr.value("members.new_probationary_under_35") or 0
            rows.append({"label": "其中35岁以下", "target": f"{under_35}名", "actual": f"{actual}名",
                         "achieved": actual >= under_35})
    return rows


# ---------------------------------------------------------------- this year beside last year (tables)


def _signed(difference, *, money):
    text = f"{difference:,.2f}" if money else f"{difference:,}"
    return f"+{text}" if difference > 0 else text


def comparison_rows(figures, previous, keys=None) -> list[dict]:
    """Table rows {key, label, exact, previous, change, source} of the scalar figures (or of `keys`): the exact
    value, last year's and the change, from the registry's values."""
    rows = []
    for key in keys if keys is not None else table_keys(figures):
        if key not in figures:
            continue
        figure = figures[key]
        before = ((previous or {}).get(key) or {}).get("value")
        difference = change(figure["value"], before)
        rows.append({
            "key": key, "label": figure["label"], "exact": exact_text(figure),
            "previous": exact_text({"value": before, "unit": figure["unit"]}),
            "change": None if difference is None else (
                _signed(difference, money=figure["unit"] == "元") + ("个百分点" if figure["unit"] == "%" else "")),
            "source": figure.get("source"),
        })
    return rows


# ---------------------------------------------------------------- 民主评议党员 (issue 16)

APPRAISAL_GRADE_KEYS = (("evaluation.excellent", "优秀"), ("evaluation.qualified", "合格"),
                        ("evaluation.basically_qualified", "基本合格"), ("evaluation.unqualified", "不合格"))


def _appraisal_clauses(wr: Writer) -> list[Para]:
    """"组织N名党员参加民主评议，评定优秀a名、合格b名、基本合格c名": the grades given (none stated when zero)."""
    if not wr.has("evaluation.appraised"):
        return []
    clause = Para().t("组织").add(wr.fig("evaluation.appraised", w.people(wr.value("evaluation.appraised")))) \
        .t("党员参加民主评议")
    grades = [Para().t(label).add(wr.fig(key, w.people(wr.value(key))))
              for key, label in APPRAISAL_GRADE_KEYS if wr.has(key)]
    if grades:
        clause.t("，评定")
        for i, grade in enumerate(grades):
            clause.t("、" if i else "").add(grade)
    return [clause]


def _dues_clauses(wr: Writer) -> list[Para]:
    """"严格党费收缴，全年应交党费X元，实交Y元，N名党员存在欠交": the year's dues of the members, a basic system of
    the branches stated under 压实党建责任 beside 三会一课 (no arrears stated when none)."""
    if not wr.has("dues.expected"):
        return []
    clause = Para().t("严格党费收缴，全年应交党费").add(wr.fig("dues.expected", f"{wr.value('dues.expected')}元"))
    if w.stated(wr.value("dues.paid")):
        clause.t("，实交").add(wr.fig("dues.paid", f"{wr.value('dues.paid')}元"))
    arrears = wr.value("dues.members_in_arrears")
    if w.stated(arrears):
        clause.t("，").add(wr.fig("dues.members_in_arrears", w.people(arrears))).t("党员存在欠交")
    return [clause]


# ---------------------------------------------------------------- 组织关系转接 (issue 16)


def _transfer_clauses(wr: Writer) -> list[Para]:
    """"规范党员组织关系转接，转入N名、转出M名": the year's transfers into and out of the township (a side that is
    zero is not stated; nothing when both are)."""
    parts = [Para().t(label).add(wr.fig(key, w.people(wr.value(key))))
             for key, label in (("members.transferred_in", "转入"), ("members.transferred_out", "转出"))
             if w.stated(wr.value(key))]
    if not parts:
        return []
    clause = Para().t("规范党员组织关系转接，")
    for i, part in enumerate(parts):
        clause.t("、" if i else "").add(part)
    return [clause]
