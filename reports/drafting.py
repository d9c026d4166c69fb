"""The drafted text of the annual report, written from the figures in the reference's sentence patterns.

A paragraph is a list of segments: plain text, or a figure's text (rounded the
official way) that carries its key, exact value and source, so the page can show
the exact number on hover and link to the records. Nothing here queries the
database: everything comes from the figures (reports/figures.py), next year's targets included.
"""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from township.numbers import yuan

CN_ORDINALS = "一二三四五六七八九十"
NO_DATA = "暂无记录"


# ---------------------------------------------------------------- official rounding


def approx(n, suffix="余") -> str:
    """A count as official writing states it: 263 → "260余", 83 → "80余", 406 → "400余", 8 → "8".

    Below ten the number is exact; below a hundred it is cut to tens; from a hundred
    on it keeps two significant digits. A number already round stays exact (260 → "260").
    `suffix` is 余 or 多 ("20多人次").
    """
    n = int(n)
    if n < 10:
        return str(n)
    step = 10 if n < 100 else 10 ** (len(str(n)) - 2)
    rounded = n - n % step
    return str(rounded) if rounded == n else f"{rounded}{suffix}"


def wan(amount) -> str:
    """Yuan as whole 万元, cut down (2003580 → "200万元"); below 1万 in 元."""
    amount = Decimal(amount)
    if amount < 10000:
        return f"{amount.quantize(Decimal('1'), rounding=ROUND_DOWN)}元"
    return f"{(amount / 10000).quantize(Decimal('1'), rounding=ROUND_DOWN)}万元"


def approx_wan(amount) -> str:
    """Yuan in 万元 with official rounding (326000 → "30余万元")."""
    amount = Decimal(amount)
    if amount < 10000:
        return f"{approx(amount)}元"
    return f"{approx((amount / 10000).quantize(Decimal('1'), rounding=ROUND_DOWN))}万元"


def percent(value) -> str:
    return f"{value:.1f}%"


def cn_ordinal(i) -> str:
    """1 → 一 … 10 → 十, then digits."""
    return CN_ORDINALS[i - 1] if 1 <= i <= len(CN_ORDINALS) else str(i)


def exact_text(figure) -> str:
    """The exact value with its unit, for tooltips and tables."""
    value, unit = figure["value"], figure["unit"]
    if value is None:
        return NO_DATA
    if isinstance(value, dict) and "amount" in value:
        return f"{value['village']} {yuan(value['amount'])}"
    if unit == "%":
        return percent(value)
    if isinstance(value, dict):
        return "，".join(f"{label}{exact_text({'value': v, 'unit': unit})}" for label, v in value.items())
    if isinstance(value, list):
        return "、".join(str(item.get("name") or item.get("village") or item) if isinstance(item, dict) else str(item)
                        for item in value)
    if unit == "元":
        return yuan(value)
    return f"{value}{unit}"


# ---------------------------------------------------------------- paragraphs


class Para(list):
    """A paragraph: a list of segments {"text", "key", "exact", "source"}."""

    def t(self, text):
        self.append({"text": text, "key": None, "exact": None, "source": None})
        return self

    def fig(self, figures, key, text):
        figure = figures[key]
        self.append({"text": text, "key": key, "exact": exact_text(figure), "source": figure.get("source")})
        return self

    @property
    def text(self):
        return "".join(segment["text"] for segment in self)


def _value(figures, key):
    return figures[key]["value"]


def _count(para, figures, key, before, unit, *, rounded=False, suffix="余", sep="，"):
    """Append "before N unit" (rounded or exact), or "before暂无记录" when there is no data."""
    value = _value(figures, key)
    if value is None:
        para.t(f"{before}{NO_DATA}{sep}")
        return
    para.t(before).fig(figures, key, f"{approx(value, suffix) if rounded else value}{unit}").t(sep)


def _join(names, sep="、"):
    return sep.join(names)


def _end(para):
    """Replace a trailing separator with a full stop."""
    if para and para[-1]["key"] is None and para[-1]["text"] and para[-1]["text"][-1] in "，、；":
        para[-1]["text"] = para[-1]["text"][:-1] + "。"
    elif para and not para.text.endswith("。"):
        para.t("。")
    return para


# ---------------------------------------------------------------- 一、工作开展情况


def political(figures) -> list[Para]:
    """（一）强化政治建设：study (一是) and the campaign with its problems and bulletins (二是)."""
    study = Para().t("一是抓实学习教育。")
    plans = _value(figures, "study.plans")
    if plans:
        study.t("研究制定").fig(figures, "study.plans", _join(plans, "和")).t("，")
    if not _value(figures, "study.activities"):
        study.t(f"本年度学习活动{NO_DATA}。")
    else:
        _count(study, figures, "study.central_group_sessions", "党委理论学习中心组", "次")
        _count(study, figures, "study.central_group_seminars", "研讨交流", "次")
        _count(study, figures, "study.concentrated_sessions", "集中学习", "次", rounded=True, sep="、")
        _count(study, figures, "study.topic_seminars", "专题研讨", "次", rounded=True)
        _count(study, figures, "study.essays", "撰写心得体会", "篇", rounded=True)
        _count(study, figures, "study.warning_education_visitors", "廉政警示教育基地参观学习", "人", rounded=True)
        _count(study, figures, "study.delivered_study", "“送学”", "人次", rounded=True, suffix="多")
        events = []
        for key, name in [("study.quizzes", "知识竞赛"), ("study.recitations", "朗诵比赛")]:
            if _value(figures, key):
                events.append((key, name))
        if events:
            study.t("成功举办")
            for i, (key, name) in enumerate(events):
                study.t(name).fig(figures, key, f"{_value(figures, key)}场").t("、" if i < len(events) - 1 else "，")
    _end(study)

    practice = Para().t("二是坚持学用结合。")
    campaigns = _value(figures, "township.campaigns")
    if campaigns:
        practice.t("开展").fig(figures, "township.campaigns", _join(campaigns)).t("活动，")
    found = _value(figures, "township.problems_found")
    if found:
        practice.t("镇村查摆问题").fig(figures, "township.problems_found", f"{approx(found)}条").t("，已整改")
        practice.fig(figures, "township.problems_rectified", f"{_value(figures, 'township.problems_rectified')}条")
        practice.t("，")
    else:
        practice.t(f"查摆问题{NO_DATA}，")
    parts = [("township.bulletins", "期工作专报", False), ("township.weekly_previews", "次一周工作预览", False),
             ("township.work_info", "条工作信息", True)]
    if any(_value(figures, key) for key, _u, _r in parts):
        practice.t("推送")
        shown = [(key, unit, rounded) for key, unit, rounded in parts if _value(figures, key)]
        for i, (key, unit, rounded) in enumerate(shown):
            value = _value(figures, key)
            practice.fig(figures, key, f"{approx(value) if rounded else value}{unit[0]}").t(unit[1:])
            practice.t("、" if i < len(shown) - 1 else "。")
    else:
        practice.t(f"工作专报和工作信息{NO_DATA}。")
    return [study, _end(practice)]


def grassroots(figures) -> list[Para]:
    """（二）夯实基层堡垒：branches and reporting (一是), economy (二是), people (三是)."""
    duty = Para().t("一是压实党建责任。")
    rated = _value(figures, "stars.rated")
    if rated:
        levels = _value(figures, "stars.by_level")
        duty.t("持续开展星级党组织评定，全镇").fig(figures, "stars.rated", f"{rated}个").t("党组织参评，其中")
        shown = [(level, n) for level, n in levels.items() if n]
        for i, (level, n) in enumerate(shown):
            duty.t(f"{cn_ordinal(int(level))}星级").fig(figures, "stars.by_level", f"{n}个")
            duty.t("、" if i < len(shown) - 1 else "，")
        duty.t("三星级及以上占").fig(figures, "stars.share_3plus", percent(_value(figures, "stars.share_3plus")))
        duty.t("；")
    else:
        duty.t(f"星级党组织评定{NO_DATA}；")
    rate = _value(figures, "submissions.reporting_rate")
    if rate is not None:
        duty.t("健全月度指导、季度调度工作机制，各村按月报送党建工作报表，上报率")
        duty.fig(figures, "submissions.reporting_rate", percent(rate)).t("。")
    else:
        duty.t(f"各村月度报表{NO_DATA}。")

    economy = Para().t("二是着力壮大村集体经济。")
    total = _value(figures, "economy.income_total")
    if total is None:
        economy.t(f"村集体经济收入{NO_DATA}。")
    else:
        economy.t("全镇村集体经济总收入").fig(figures, "economy.income_total", wan(total)).t("，百万村")
        economy.fig(figures, "economy.villages_over_1m", f"{_value(figures, 'economy.villages_over_1m')}个")
        economy.t("，两百万元村")
        economy.fig(figures, "economy.villages_over_2m", f"{_value(figures, 'economy.villages_over_2m')}个").t("；")
    alliances = _value(figures, "economy.alliances")
    if alliances:
        economy.t("试点开展“党建共同体”工作，成立")
        economy.fig(figures, "economy.alliances", _join(a["name"] for a in alliances)).t("；")
    for project in _value(figures, "economy.projects"):
        if not project["village"]:
            continue
        economy.t(f"{project['village']}{project['name']}").fig(
            figures, "economy.projects", f"{project['scale']}{project['unit']}")
        if project["jobs"]:
            economy.t("，带动").fig(figures, "economy.projects", f"{approx(project['jobs'])}名").t("群众务工就业")
        if Decimal(project["income_added"]):
            economy.t("，增加村集体经济").fig(figures, "economy.projects", approx_wan(project["income_added"]))
        if Decimal(project["farmer_income_added"]):
            economy.t("，促进群众增收").fig(figures, "economy.projects",
                                           f"{wan(project['farmer_income_added'])}以上")
        economy.t("；")
    _end(economy)

    people = Para().t("三是培育乡村振兴后备力量。")
    graduates = _value(figures, "talent.revitalisation_graduates")
    if graduates and graduates == _value(figures, "villages.count"):
        people.t("每村一名大学生担任乡村振兴专干，")
    elif graduates:
        people.fig(figures, "talent.revitalisation_graduates", f"{graduates}名").t("大学生担任乡村振兴专干，")
    _count(people, figures, "talent.industry_leaders", "培育产业带头人", "名")
    _count(people, figures, "talent.industry_leader_trainees", "产业带头人培养对象", "名")
    if _value(figures, "talent.local_graduates"):
        people.t("吸纳").fig(figures, "talent.local_graduates", f"{_value(figures, 'talent.local_graduates')}名")
        people.t("本镇大学生到村工作，")
    if _value(figures, "reserve.cadres"):
        people.t("建立“育苗档案”").fig(figures, "reserve.seedling_files",
                                      f"{_value(figures, 'reserve.seedling_files')}人")
        people.t("，指导培育村级后备干部").fig(figures, "reserve.cadres", f"{_value(figures, 'reserve.cadres')}名")
        people.t("；")
    else:
        people.t(f"村级后备干部{NO_DATA}；")
    people.t("加强党员队伍培养，截至目前，共储备积极分子")
    people.fig(figures, "members.activists", f"{_value(figures, 'members.activists')}名").t("，吸收预备党员")
    people.fig(figures, "members.new_probationary", f"{_value(figures, 'members.new_probationary')}个")
    people.t("，转正党员").fig(figures, "members.converted", f"{_value(figures, 'members.converted')}名")
    planned = _value(figures, "targets.planned_probationary")
    if planned:
        people.t("，全年预计吸收").fig(figures, "targets.planned_probationary", f"{planned}名").t("预备党员")
        under_35 = _value(figures, "targets.planned_probationary_under_35")
        if under_35:
            people.t("（其中35岁以下").fig(figures, "targets.planned_probationary_under_35", f"{under_35}人").t("）")
    people.t("。")
    return [duty, economy, people]


# ---------------------------------------------------------------- 二、亮点工作


def highlights(figures) -> list[Para]:
    """Alliances and the township's own projects (a talent base, say), numbered "1." on."""
    paras = []
    alliances = _value(figures, "economy.alliances")
    if alliances:
        para = Para().t("开展党建共同体试点工作。")
        for alliance in alliances:
            para.t("组建").fig(figures, "economy.alliances", alliance["name"])
            para.t(f"（{_join(alliance['villages'])}）")
            if alliance["model"]:
                para.t(f"，通过“{alliance['model']}”模式推动产业发展")
            para.t("；")
        paras.append(_end(para))
    for project in _value(figures, "economy.projects"):
        if project["village"]:
            continue
        para = Para().t(f"建设{project['name']}。").t(f"{project['name']}")
        para.t("面积" if project["unit"] == "平方米" else "规模").fig(
            figures, "economy.projects", f"{project['scale']}{project['unit']}")
        if project["description"]:
            para.t(f"，{project['description']}")
        paras.append(_end(para))
    return paras


# ---------------------------------------------------------------- 三、存在的问题 (suggested by the data)


def suggestions(figures) -> list[dict]:
    """Problems the data shows, each {"key", "title", "para"}; staff accept or dismiss them."""
    found = []

    def add(key, para):
        found.append({"key": key, "para": para, "text": para.text})

    top, bottom = _value(figures, "economy.income_max"), _value(figures, "economy.income_min")
    if top and bottom and _value(figures, "economy.villages_reporting_income") > 1:
        gap = Decimal(top["amount"]) - Decimal(bottom["amount"])
        if gap >= Decimal("500000") or Decimal(top["amount"]) >= 2 * Decimal(bottom["amount"]):
            para = Para().t("村集体经济发展不平衡。全镇").fig(
                figures, "villages.count", f"{_value(figures, 'villages.count')}个村").t("，村集体经济最高的")
            para.fig(figures, "economy.income_max", wan(top["amount"])).t("，最低的")
            para.fig(figures, "economy.income_min", wan(bottom["amount"]))
            para.t(f"，差距较大（最高为{top['village']}，最低为{bottom['village']}）。")
            add("income_gap", para)
    land = _value(figures, "economy.land_share")
    if land is not None and land >= 50:
        para = Para().t("村集体经济收入结构单一。集体经济收入以土地流转、土地管理、农业种植占比较大（占")
        para.fig(figures, "economy.land_share", percent(land)).t("），带动群众持续增收致富的产业还不强。")
        add("land_share", para)
    below = _value(figures, "stars.below_target")
    if below:
        para = Para().t("部分党组织星级有待提升。").fig(
            figures, "stars.below_target", _join(b["village"] for b in below))
        para.t("党组织当前星级低于目标星级。")
        add("stars_below_target", para)
    per_village = _value(figures, "targets.reserve_cadres_per_village")
    if per_village:
        short = [name for name, n in _value(figures, "reserve.by_village").items() if n < per_village]
        if short:
            para = Para().t("后备干部储备不足。").fig(figures, "reserve.by_village", _join(short))
            para.t(f"村级后备干部少于每村{per_village}名的目标。")
            add("reserve_short", para)
    rate = _value(figures, "submissions.reporting_rate")
    if rate is not None and rate < 100:
        para = Para().t("月度报表报送不够及时。应报")
        para.fig(figures, "submissions.expected", f"{_value(figures, 'submissions.expected')}个").t("村月，已上报")
        para.fig(figures, "submissions.reported", f"{_value(figures, 'submissions.reported')}个").t("村月，上报率")
        para.fig(figures, "submissions.reporting_rate", percent(rate)).t("。")
        add("months_not_reported", para)
    open_n = _value(figures, "township.problems_open")
    if open_n:
        para = Para().t("问题整改尚未全部到位。")
        found_n = _value(figures, "township.problems_found")
        if found_n:
            para.t("本年查摆问题").fig(figures, "township.problems_found", f"{found_n}条").t("，已整改")
            para.fig(figures, "township.problems_rectified", f"{_value(figures, 'township.problems_rectified')}条")
            para.t("；")
        para.t("截至年底尚有").fig(figures, "township.problems_open", f"{open_n}条").t("问题未整改到位。")
        add("problems_open", para)
    return found


# ---------------------------------------------------------------- 四、下一步措施


def next_steps(figures, year) -> list[Para]:
    """Next year's targets (stored ones, or proposed from this year's) and the open problems carried over."""
    paras = []
    targets = _value(figures, "targets.next_year") or {}
    township_target = targets.get("township")
    economy_target = targets.get("economy")
    org = Para().t("（一）夯实基层组织基础。").t("持续抓好星级党组织评定工作")
    below = _value(figures, "stars.below_target") or []
    by_target = {}
    for b in below:
        by_target.setdefault(b["target"], []).append(b["village"])
    if by_target:
        org.t("，力争")
        groups = sorted(by_target.items(), reverse=True)
        for i, (level, names) in enumerate(groups):
            org.fig(figures, "stars.below_target", _join(names)).t(f"晋为{cn_ordinal(level)}星级党组织")
            org.t("，" if i < len(groups) - 1 else "")
    if township_target:
        org.t(f"，三星级及以上党组织达到{township_target['star_share_3plus']:.0f}%以上，"
              f"四星级及以上达到{township_target['star_share_4plus']:.0f}%以上，"
              f"五星级达到{township_target['star_share_5']:.0f}%")
    paras.append(_end(org))

    talent = Para().t("（二）强化优秀人才储备。").t("加大青年人才吸收力度，加大后备干部培养力度")
    per_village = (township_target or {}).get("reserve_cadres_per_village") or _value(
        figures, "targets.reserve_cadres_per_village")
    if per_village:
        talent.t(f"，每村储备年轻后备干部{per_village}人以上")
    talent.t("；提升党员发展质效，注重从致富带头人、返乡创业青年、退伍军人中发展党员")
    if township_target and township_target["planned_probationary"]:
        talent.t(f"，计划吸收预备党员{township_target['planned_probationary']}名")
    paras.append(_end(talent))

    economy = Para().t("（三）着力壮大村集体经济。").t("做好村级集体经济收入入账和项目谋划，扎实推进党建共同体")
    if economy_target:
        economy.t(f"，{year + 1}年村集体经济保持{wan(economy_target['income_total'])}以上，"
                  f"百万村达{economy_target['villages_over_1m']}个以上，"
                  f"两百万元村{economy_target['villages_over_2m']}个以上")
    elif _value(figures, "economy.income_total") is not None:
        economy.t(f"，{year + 1}年（建议）村集体经济保持").fig(
            figures, "economy.income_total", wan(_value(figures, "economy.income_total"))).t("以上，百万村达")
        economy.fig(figures, "economy.villages_over_1m", f"{_value(figures, 'economy.villages_over_1m')}个").t(
            "以上，两百万元村").fig(figures, "economy.villages_over_2m",
                                   f"{_value(figures, 'economy.villages_over_2m')}个").t("以上")
    paras.append(_end(economy))

    open_problems = _value(figures, "township.problems_open")
    if open_problems:
        carry = Para().t("（四）抓好问题整改。").t("对尚未整改到位的")
        carry.fig(figures, "township.problems_open", f"{open_problems}条")
        carry.t("问题，明确责任人和整改时限，持续跟踪销号。")
        paras.append(carry)
    return paras


# ---------------------------------------------------------------- targets vs actuals


def targets_table(figures) -> list[dict]:
    """Rows {label, target, actual, achieved} for the year's stored targets; empty when none are set."""
    rows = []
    stars = _value(figures, "targets.stars")
    if stars:
        for key, label in [("share_3plus", "三星级及以上党组织占比"), ("share_4plus", "四星级及以上党组织占比"),
                           ("share_5", "五星级党组织占比")]:
            actual = _value(figures, f"stars.{key}")
            rows.append({"label": label, "target": f"≥{stars[key]:.1f}%",
                         "actual": NO_DATA if actual is None else percent(actual),
                         "achieved": actual is not None and actual >= stars[key]})
    economy = _value(figures, "targets.economy")
    if economy:
        total = _value(figures, "economy.income_total")
        rows.append({"label": "村集体经济总收入", "target": f"≥{yuan(economy['income_total'])}",
                     "actual": NO_DATA if total is None else yuan(total),
                     "achieved": total is not None and Decimal(total) >= Decimal(economy["income_total"])})
        for key, label in [("villages_over_1m", "百万村"), ("villages_over_2m", "两百万元村")]:
            actual = _value(figures, f"economy.{key}")
            rows.append({"label": label, "target": f"≥{economy[key]}个",
                         "actual": NO_DATA if actual is None else f"{actual}个",
                         "achieved": actual is not None and actual >= economy[key]})
    per_village = _value(figures, "targets.reserve_cadres_per_village")
    if per_village:
        by_village = _value(figures, "reserve.by_village")
        reached = sum(1 for n in by_village.values() if n >= per_village)
        rows.append({"label": f"每村后备干部{per_village}名以上", "target": f"{len(by_village)}个村",
                     "actual": f"{reached}个村达到", "achieved": reached == len(by_village)})
    planned = _value(figures, "targets.planned_probationary")
    if planned:
        actual = _value(figures, "members.new_probationary")
        rows.append({"label": "吸收预备党员", "target": f"{planned}名", "actual": f"{actual}名",
                     "achieved": actual >= planned})
        under_35 = _value(figures, "targets.planned_probationary_under_35")
        if under_35:
            actual = _value(figures, "members.new_probationary_under_35")
            rows.append({"label": "其中35岁以下", "target": f"{under_35}名", "actual": f"{actual}名",
                         "achieved": actual >= under_35})
    return rows
