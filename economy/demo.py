"""Demo collective economy of 示范镇, 2022–2023: monthly income by category, targets, projects, alliances.

2023 reads like the reference: 12 villages between 25万元 (团结村) and 200万元
(潘昶村), 1300万元 and more in all, 7 百万村 and 2 两百万元村 (联星村 passes 100万元 this
year); 红星村党支部经营31栋设施温棚, 联星村党支部带领党员种植螺丝菜140亩, 通昌村种植巨菌草100亩;
seven villages' industries (设施蔬菜、青贮饲草、草莓采摘); the 70万元 talent base of 158平方米; three
alliances with their enterprises, brands and models. Idempotent: a kind already present is left alone.
"""
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from .models import (
    Alliance,
    AllianceKind,
    Enterprise,
    IncomeCategory,
    IncomeRecord,
    IndustryProject,
    ProjectAction,
    ProjectOperator,
    ScaleUnit,
    TownshipEconomyTarget,
    VillageIncomeTarget,
)

# Yearly totals in yuan, by village name: (2022, 2023, 2023 target).
INCOME = {
    "江南村": ("1306420.00", "1502300.00", "1500000"),
    "联星村": ("886300.00", "1036800.00", "1000000"),
    "通昌村": ("301980.00", "412650.00", "400000"),
    "潘昶村": ("1705200.00", "2003580.00", "2000000"),
    "银光村": ("1012600.00", "1204900.00", "1200000"),
    "红星村": ("1598400.00", "2001260.00", "2000000"),
    "新华村": ("1620350.00", "1801450.00", "1800000"),
    "永宁村": ("960300.00", "1108700.00", "1100000"),
    "丰收村": ("702500.00", "816300.00", "900000"),
    "团结村": ("213800.00", "253460.50", "300000"),
    "和平村": ("498000.00", "587920.00", "600000"),
    "幸福村": ("801200.00", "906000.00", "1000000"),
}

# Share of each category in a village's year (sums to 100): land sources dominate, as the reference says.
CATEGORY_SHARES = [
    (IncomeCategory.LAND_TRANSFER, 34),
    (IncomeCategory.LAND_MANAGEMENT, 14),
    (IncomeCategory.FARMING, 20),
    (IncomeCategory.FACILITY_RENT, 15),
    (IncomeCategory.SERVICES, 8),
    (IncomeCategory.INVESTMENT, 6),
    (IncomeCategory.OTHER, 3),
]

TOWNSHIP_TARGETS = {  # year: (income total, 百万村, 两百万元村)
    2022: ("11000000", 5, 1),
    2023: ("13000000", 7, 2),
    2024: ("13000000", 7, 2),
}

ENTERPRISES = [
    ("景沃佳禾农业科技有限公司", "设施农业"),
    ("新起点现代农业设备有限公司", "农业设备"),
    ("自然之星农业科技有限公司", "蔬菜种植"),
    ("牡丹花乡文化旅游有限公司", "文化旅游"),
]

PROJECTS = [
    # village, year, name, scale, unit, who runs it, verb, industry, jobs, for whom, income added,
    # farmer income added (元/户), investment, description
    ("红星村", 2023, "设施温棚", "31", ScaleUnit.DONG, ProjectOperator.BRANCH, ProjectAction.OPERATE, "", 43, "移民",
     "0", "0", "0", ""),
    ("联星村", 2023, "螺丝菜", "140", ScaleUnit.MU, ProjectOperator.BRANCH_WITH_MEMBERS, ProjectAction.PLANT, "", 0,
     "", "0", "0", "0", ""),
    ("通昌村", 2023, "巨菌草", "100", ScaleUnit.MU, ProjectOperator.VILLAGE, ProjectAction.PLANT, "", 0, "",
     "326000", "8000", "0", ""),
    (None, 2023, "乡村振兴人才实训基地", "158", ScaleUnit.SQUARE_METRE, ProjectOperator.TOWNSHIP, ProjectAction.BUILD,
     "", 0, "", "0", "0", "700000",
     "引进并培育各类专家人才、返乡人才、实用人才、新型人才，打造理论课堂、实践课堂，发挥好服务产业、聚合人才、帮带农户的作用"),
    # The villages' industries (the text groups them: “江南村、潘昶村等7个村发展设施蔬菜、青贮饲草、草莓采摘产业”).
    *[(village, 2023, f"{industry}产业", "0", ScaleUnit.MU, ProjectOperator.VILLAGE, ProjectAction.DEVELOP, industry,
       0, "", "0", "0", "0", "")
      for village, industry in [("江南村", "设施蔬菜"), ("潘昶村", "设施蔬菜"), ("银光村", "青贮饲草"),
                                ("新华村", "设施蔬菜"), ("永宁村", "草莓采摘"), ("丰收村", "青贮饲草"),
                                ("幸福村", "草莓采摘")]],
    ("红星村", 2022, "设施温棚（一期）", "20", ScaleUnit.DONG, ProjectOperator.BRANCH, ProjectAction.OPERATE, "", 25,
     "移民", "0", "0", "0", ""),
]

ALLIANCES = [
    # name, kind, year, model, villages, enterprises, brands, relies on, what it does
    ("江南村文旅产业发展联盟", AllianceKind.INDUSTRY, 2023, "支部+企业+院校+人才", ["江南村", "永宁村"],
     ["牡丹花乡文化旅游有限公司"], "江南大集、牡丹花乡、江南堡老街",
     "“国家精品自然教育基地”、“全国林草科普示范基地”等品牌效应",
     "做大文旅产业，实现村集体经济与企业发展、农户增收多方共赢"),
    ("联星村“一带双强四提升”党建共同体", AllianceKind.COMMUNITY, 2023, "支部+合作社+企业+基地+农户",
     ["联星村", "银光村"], ["景沃佳禾农业科技有限公司", "新起点现代农业设备有限公司"], "", "",
     "加强农户种植技术培训，提高蔬菜品质，推动蔬菜培育技术优化升级"),
    ("红星村乡村振兴产业发展联盟", AllianceKind.INDUSTRY, 2023, "支部+合作社+企业+移民",
     ["红星村", "新华村"], ["自然之星农业科技有限公司"], "",
     "乡村振兴产业园31栋温棚、便民市场、馓子工厂、帮扶车间等产业", "实现村集体经济持续发展壮大"),
]


def split(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` amounts of whole cents that add up to it exactly (the rest in the last)."""
    each = (total / parts).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return [each] * (parts - 1) + [total - each * (parts - 1)]


def monthly_rows(village, year, total: Decimal) -> list[IncomeRecord]:
    rows = []
    remaining = total
    for index, (category, percent) in enumerate(CATEGORY_SHARES):
        if index == len(CATEGORY_SHARES) - 1:
            category_total = remaining
        else:
            category_total = (total * percent / 100).quantize(Decimal("0.01"))
            remaining -= category_total
        # Land rent is paid twice a year; the rest arrives monthly.
        months = [3, 9] if category == IncomeCategory.LAND_TRANSFER else list(range(1, 13))
        for month, amount in zip(months, split(category_total, len(months)), strict=True):
            rows.append(IncomeRecord(village=village, year=year, month=month, category=category, amount=amount))
    return rows


def load(township):
    villages = {v.name: v for v in township.villages.all()}
    if not IncomeRecord.objects.filter(village__township=township).exists():
        rows = []
        for name, (total_2022, total_2023, _target) in INCOME.items():
            if name in villages:
                rows += monthly_rows(villages[name], 2022, Decimal(total_2022))
                rows += monthly_rows(villages[name], 2023, Decimal(total_2023))
        bulk_create_with_history(rows, IncomeRecord)
    if not VillageIncomeTarget.objects.filter(village__township=township).exists():
        bulk_create_with_history([
            VillageIncomeTarget(village=villages[name], year=2023, amount=Decimal(target))
            for name, (_a, _b, target) in INCOME.items() if name in villages
        ], VillageIncomeTarget)
    for year, (income_total, over_1m, over_2m) in TOWNSHIP_TARGETS.items():
        TownshipEconomyTarget.objects.get_or_create(
            township=township, year=year,
            defaults={"income_total": Decimal(income_total), "villages_over_1m": over_1m,
                      "villages_over_2m": over_2m},
        )
    if not Enterprise.objects.filter(township=township).exists():
        bulk_create_with_history(
            [Enterprise(township=township, name=name, industry=industry) for name, industry in ENTERPRISES],
            Enterprise,
        )
    if not IndustryProject.objects.filter(township=township).exists():
        bulk_create_with_history([
            IndustryProject(
                township=township, village=villages.get(village) if village else None, year=year, name=name,
                scale=Decimal(scale), scale_unit=unit, operator=operator, action=action, industry=industry,
                jobs_created=jobs, jobs_for=jobs_for, income_added=Decimal(income),
                farmer_income_added=Decimal(farmer), investment=Decimal(investment), description=description,
            )
            for (village, year, name, scale, unit, operator, action, industry, jobs, jobs_for, income, farmer,
                 investment, description) in PROJECTS
        ], IndustryProject)
    if not Alliance.objects.filter(township=township).exists():
        enterprises = {e.name: e for e in Enterprise.objects.filter(township=township)}
        for name, kind, year, model, village_names, enterprise_names, brands, relies_on, description in ALLIANCES:
            alliance = Alliance.objects.create(township=township, name=name, kind=kind, year=year, model=model,
                                               brands=brands, relies_on=relies_on, description=description)
            alliance.villages.set([villages[v] for v in village_names if v in villages])
            alliance.enterprises.set([enterprises[e] for e in enterprise_names if e in enterprises])
