"""The monthly workbook (月度报表): its template and the reading and checking of an uploaded one.

The four sheets and their header rows are a contract with the villages
(domain.md, "The monthly workbook"): keep them exactly; a fifth, 党费收缴, comes after them
(issue 16: the members' dues, one row per Party member, prefilled). The template adds
the sheet 填报说明, whose header area names the village, year and month; the upload
checks it. Nothing here writes to the database.

Each column is read by the same cell parser (ledgers.cells, and cadres.resources for
身份证号) as the matching column of a ledger import, so a cell gives the same value or
the same message in both. The rules of a monthly workbook come on top: a date within
the reported month, one row per income category and per person and stage, gender and
birth date agreeing with the 身份证号, and the 填报说明 header area.
"""
from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cadres.models import (
    CENT,
    REPORTED_STAGES,
    DuesCategory,
    Gender,
    Person,
    applicant_age_problem,
    dues_problems,
    expected_dues,
    party_member_on,
)
from cadres.resources import IdNumberWidget, MemberIdWidget
from economy.models import IncomeCategory
from ledgers.cells import (
    ChoiceWidget,
    CountWidget,
    DateWidget,
    DecimalWidget,
    LedgerWidget,
    TextWidget,
    normalise_header,
)
from ledgers.spreadsheets import ODS, XLS, XLSX, Limits, SpreadsheetError, Workbook, is_blank
from records.validators import future_date_problem
from study.models import OrgLifeKind, StudyKind
from township.masking import mask_id_number
from villages.models import month_bounds


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str
    cells: tuple[tuple[str, LedgerWidget], ...]  # (header, the cell parser of its column)
    fields: tuple[tuple[str, str], ...] = ()  # (key of the row dicts, header): how a changed row is shown
    prefilled: tuple[str, ...] = ()  # columns the template fills in: a row with nothing else is no row
    # A sheet added after templates were handed out: a workbook without it reports nothing of it.
    optional: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(title for title, _widget in self.cells)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(title for title, widget in self.cells if widget.required)


INCOME = SheetSpec("income", "集体经济收入", (
    ("收入类别", ChoiceWidget(IncomeCategory.choices, "收入类别", required=True)),
    ("金额（元）", DecimalWidget(places=2, max_digits=14, required=True)),
    ("备注", TextWidget(max_length=200)),
), (("category", "收入类别"), ("amount", "金额（元）"), ("note", "备注")))
PIPELINE = SheetSpec("pipeline", "党员发展", (
    ("姓名", TextWidget(max_length=50, required=True)),
    ("性别", ChoiceWidget(Gender.choices, "性别")),
    ("出生日期", DateWidget()),
    ("身份证号", IdNumberWidget()),
    ("发展阶段", ChoiceWidget(REPORTED_STAGES, "发展阶段", required=True)),
    ("日期", DateWidget(required=True)),
    ("备注", TextWidget(max_length=200)),
), (("name", "姓名"), ("id_number", "身份证号"), ("stage", "发展阶段"), ("date", "日期"), ("note", "备注")))
ORG_LIFE = SheetSpec("org_life", "组织生活", (
    ("日期", DateWidget(required=True)),
    ("类型", ChoiceWidget(OrgLifeKind.choices, "类型", required=True)),
    ("主题", TextWidget(max_length=200, required=True)),
    ("参加人数", CountWidget()),
), (("date", "日期"), ("kind", "类型"), ("topic", "主题"), ("attendance", "参加人数")))
STUDY = SheetSpec("study", "学习活动", (
    ("日期", DateWidget(required=True)),
    ("形式", ChoiceWidget(StudyKind.choices, "形式", required=True)),
    ("主题", TextWidget(max_length=200, required=True)),
    ("参加人数", CountWidget()),
    ("心得体会篇数", CountWidget()),
), (("date", "日期"), ("kind", "形式"), ("topic", "主题"), ("attendance", "参加人数"), ("essays", "心得体会篇数")))
DUES = SheetSpec("dues", "党费收缴", (
    ("姓名", TextWidget(max_length=50, required=True)),
    ("身份证号", MemberIdWidget()),
    ("交纳方式", ChoiceWidget(DuesCategory.choices, "交纳方式", required=True)),
    ("月收入基数（元）", DecimalWidget(places=2, max_digits=12)),
    ("定额（元）", DecimalWidget(places=2, max_digits=4)),
    ("实交（元）", DecimalWidget(places=2, max_digits=10)),
    ("交纳日期", DateWidget()),
), (("name", "姓名"), ("id_number", "身份证号"), ("category", "交纳方式"), ("base", "月收入基数（元）"),
    ("fixed_amount", "定额（元）"), ("expected", "应交（元）"), ("paid", "实交（元）"), ("paid_date", "交纳日期")),
    prefilled=("姓名", "身份证号"), optional=True)
# 应交 is shown in the preview's changes but never typed: expected_dues computes it from the row.
DUES_COLUMN_OF = {"base": "月收入基数（元）", "fixed_amount": "定额（元）", "category": "交纳方式"}
SHEETS = (INCOME, PIPELINE, ORG_LIFE, STUDY, DUES)
SHEET_NAMES = {spec.key: spec.name for spec in SHEETS}
SHEETS_BY_NAME = {spec.name: spec for spec in SHEETS}

INFO_SHEET = "填报说明"
INFO_LABELS = ("村名称", "年度", "月份")
TEMPLATE_ROWS = 300  # rows prepared with drop-downs and formats in the template


WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")


def file_name_problem(name) -> str | None:
    """Why a file of this name cannot be a monthly workbook (refused before it is stored), or None."""
    if (name or "").lower().endswith(WORKBOOK_SUFFIXES):
        return None
    if (name or "").lower().endswith(".csv"):
        return "月度报表请上传 Excel 工作簿（.xlsx、.xls 或 .ods），不能上传单个 CSV 文件。"
    return "月度报表请上传 Excel 工作簿（.xlsx、.xls 或 .ods），请用系统下载的模板填写后上传。"


def problem(sheet, row, column, message):
    return {"sheet": sheet, "row": row, "column": column, "message": message}


def row_as_workbook(spec: SheetSpec, values: dict | None) -> dict | None:
    """A row dict (or a stored record's values in that shape) as the sheet shows it: {header: cell text}."""
    if values is None:
        return None
    widgets = dict(spec.cells)
    shown = {}
    for key, header in spec.fields:
        value = values.get(key)
        shown[header] = widgets[header].render(value) if isinstance(widgets.get(header), ChoiceWidget) else (
            "" if value is None else str(value))
    return shown


def dues_roster(village, year, month) -> list[tuple[str, str]]:
    """(姓名, masked 身份证号) of the village's Party members at the month's end, by name: the rows the template's
    党费收缴 sheet and the month form start with. Masked for everyone: a template is passed around, and a row is
    matched by 姓名 and the last four characters (cadres.services.plan_month_dues)."""
    _first, last = month_bounds(year, month)
    members = Person.objects.filter(village=village).filter(party_member_on(last)).order_by("name", "pk")
    return [(name, mask_id_number(id_number)) for name, id_number in members.values_list("name", "id_number")]


# ---------------------------------------------------------------- template


def build_template(*, village, year, month) -> bytes:
    """The .xlsx a village fills in for one month: the four sheets, drop-downs, and the header area."""
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = XlsxWorkbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FDE9D9")
    lists = {
        (INCOME.key, "收入类别"): IncomeCategory.labels,
        (PIPELINE.key, "发展阶段"): [label for _value, label in REPORTED_STAGES],
        (PIPELINE.key, "性别"): Gender.labels,
        (ORG_LIFE.key, "类型"): OrgLifeKind.labels,
        (STUDY.key, "形式"): StudyKind.labels,
        (DUES.key, "交纳方式"): DuesCategory.labels,
    }
    date_columns = {"日期", "出生日期", "交纳日期"}
    prefill = {DUES.key: dues_roster(village, year, month)}
    for spec in SHEETS:
        sheet = book.create_sheet(spec.name)
        for number, values in enumerate(prefill.get(spec.key, ()), start=2):
            for index, value in enumerate(values, start=1):
                sheet.cell(row=number, column=index, value=value).data_type = "s"
        rows = max(TEMPLATE_ROWS, len(prefill.get(spec.key, ())))
        for index, title in enumerate(spec.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=title)
            cell.font, cell.fill = bold, fill
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = 22 if title in ("身份证号", "主题", "备注", "交纳方式") else 14
            choices = lists.get((spec.key, title))
            if choices:
                validation = DataValidation(
                    type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                    showErrorMessage=True, errorTitle="请从下拉列表中选择", error=f"{title}只能从下拉列表中选择。",
                )
                validation.add(f"{letter}2:{letter}{rows + 1}")
                sheet.add_data_validation(validation)
            if title == "身份证号" or title in date_columns:
                # Text, so Excel keeps all 18 digits; dates as yyyy-mm-dd.
                number_format = "@" if title == "身份证号" else "yyyy-mm-dd"
                for row in range(2, rows + 2):
                    sheet.cell(row=row, column=index).number_format = number_format
        sheet.freeze_panes = "A2"

    info = book.create_sheet(INFO_SHEET)
    info["A1"] = "村级党建工作月度报表"
    info["A1"].font = Font(bold=True, size=14)
    for offset, (label, value) in enumerate(zip(INFO_LABELS, (village.name, year, month), strict=True)):
        info.cell(row=3 + offset, column=1, value=label).font = bold
        cell = info.cell(row=3 + offset, column=2, value=value)
        cell.fill = fill
        if label == "村名称":
            cell.data_type = "s"
    instructions = [
        "填写说明：",
        "1. 上方村名称、年度、月份由系统生成，上传时会核对，请勿修改。",
        "2. 请勿修改“集体经济收入”“党员发展”“组织生活”“学习活动”“党费收缴”五个工作表的名称和第一行表头。",
        "3. 收入类别、发展阶段、类型、形式、交纳方式请从下拉列表中选择。",
        "4. 金额单位为元，最多两位小数；每个收入类别每月只填一行。",
        "5. 身份证号为18位，该列已设为文本格式，请勿改为数字格式；性别、出生日期可不填，如填写须与身份证号一致。",
        "6. 所有日期须在本月内且不晚于上传当天，格式如 2024-03-15；入党申请人递交申请时须年满18周岁。",
        "7. 本月没有的事项，对应工作表留空即可；重新上传本月报表会取代尚未确认的上一份，确认后替换上次报表写入的内容。",
        "8. 上传后系统会列出所有问题（工作表、行号、列），全部改正并确认后才会保存。",
        "9. 党费收缴：已列出本村月末在册党员（身份证号只显示后四位，请勿修改）；按收入交纳的填写月收入基数，"
        "农民及无固定收入党员填写定额（0.2元至1元）；应交金额由系统按标准计算，不必填写；未交填0；"
        "只有姓名和身份证号的行视为本月不填报。",
    ]
    for offset, line in enumerate(instructions):
        info.cell(row=8 + offset, column=1, value=line).alignment = Alignment(wrap_text=False)
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 20
    book.active = len(book.sheetnames) - 1

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading


@dataclass
class ParseResult:
    errors: list = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # sheet key → [row dicts, JSON-ready]

    @property
    def row_count(self):
        return sum(len(rows) for rows in self.rows.values())


def read_workbook(data: bytes, *, village, year, month, limits: Limits | None = None, today=None,
                  progress=None) -> ParseResult:
    """Every problem of an uploaded monthly workbook, and its rows as plain values when there is none.

    The file gives its rows per sheet ({header: cell}, under their Excel row numbers); check_rows checks
    them, as it checks the rows of the month form and of the API's JSON. `progress(percent)` is called
    after each sheet.
    """
    errors = []
    raw = {}
    try:
        book = Workbook(data, limits or Limits.from_settings("SUBMISSION"))
    except SpreadsheetError as exc:
        errors.append(problem("", None, "", exc.message))
        return check_rows({}, year=year, month=month, today=today, errors=errors)
    try:
        with book:
            if book.kind not in (XLSX, XLS, ODS):
                errors.append(problem(
                    "", None, "", "月度报表请上传 Excel 工作簿（.xlsx、.xls 或 .ods），不能上传单个 CSV 文件"))
                return check_rows({}, year=year, month=month, today=today, errors=errors)
            _check_info(book, village, year, month, errors)
            for index, spec in enumerate(SHEETS, start=1):
                if spec.name not in book.sheet_names:
                    if spec.optional:
                        continue
                    errors.append(problem(spec.name, None, "", f"缺少工作表“{spec.name}”，请使用系统下载的模板"))
                    continue
                raw[spec.key] = _sheet_cells(book, spec, errors)
                if progress:
                    progress(10 + index * 20)
    except SpreadsheetError as exc:
        errors.append(problem("", None, "", exc.message))
    except Exception:  # a damaged file must give a message, never a 500
        errors.append(problem("", None, "", "工作簿内容无法读取，请在 Excel 或 WPS 中重新保存后上传"))
    return check_rows(raw, year=year, month=month, today=today, errors=errors)


# A row of the JSON form numbered as the same row of the workbook: row 1 holds the headers.
FIRST_ROW = 2
MAX_ENTERED_ROWS = TEMPLATE_ROWS  # per sheet, as many as the template prepares


def entered_rows_problems(rows) -> list:
    """Why `rows` ({sheet name: [{column header: value}]}, the month form's and the API's JSON) cannot be
    read as the workbook's sheets at all; [] when their shape is right (their values are check_rows' job)."""
    if not isinstance(rows, dict):
        return [problem("", None, "", "rows 应为对象：工作表名称 → 行的列表")]
    problems = []
    for name, sheet_rows in rows.items():
        spec = SHEETS_BY_NAME.get(str(name).strip())
        if spec is None:
            problems.append(problem(str(name), None, "",
                                    f"没有名为“{name}”的工作表，可填：{'、'.join(SHEET_NAMES.values())}"))
            continue
        if not isinstance(sheet_rows, list) or not all(isinstance(row, dict) for row in sheet_rows):
            problems.append(problem(spec.name, None, "", "每个工作表应为行的列表，每行为对象：列名 → 值"))
            continue
        if len(sheet_rows) > MAX_ENTERED_ROWS:
            problems.append(problem(spec.name, None, "", f"行数超过{MAX_ENTERED_ROWS}行的上限"))
            continue
        for number, row in enumerate(sheet_rows, start=FIRST_ROW):
            for header, value in row.items():
                if normalise_header(header) not in spec.columns:
                    problems.append(problem(spec.name, number, str(header),
                                            f"没有名为“{header}”的列，可填：{'、'.join(spec.columns)}"))
                elif value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
                    problems.append(problem(spec.name, number, normalise_header(header), "值应为文字或数字"))
    return problems


def entered_cells(rows) -> dict:
    """The rows of the month form or the API ({sheet name: [{header: value}]}, shape checked by
    entered_rows_problems) as read_workbook finds a sheet's cells: sheet key → [(row number, {header: value})]."""
    raw = {}
    for name, sheet_rows in rows.items():
        spec = SHEETS_BY_NAME[str(name).strip()]
        cells = []
        for number, row in enumerate(sheet_rows, start=FIRST_ROW):
            values = {normalise_header(header): value for header, value in row.items()}
            if is_blank(list(values.values())):
                continue
            cells.append((number, values))
        raw[spec.key] = cells
    return raw


def read_entered_rows(rows, *, year, month, today=None) -> ParseResult:
    """Every problem of a month's rows sent as JSON or typed in the month form, and the rows as plain values
    when there is none: the same check as an uploaded workbook's, row numbers as in the workbook."""
    errors = entered_rows_problems(rows)
    return check_rows({} if errors else entered_cells(rows), year=year, month=month, today=today, errors=errors)


def check_rows(raw, *, year, month, today=None, errors=None) -> ParseResult:
    """The one check of a month's rows, whether they came in a workbook, as JSON or from the month form.

    `raw`: sheet key → [(row number, {column header: cell value})]; `errors`: problems already found in
    reading them (a missing sheet or column). `rows` holds the rows that passed; a submission keeps them only
    when there is no problem at all (services.submission_preview).
    """
    result = ParseResult(errors=list(errors or []))
    today = today or timezone.localdate()
    if datetime.date(year, month, 1) > today:
        result.errors.insert(0, problem("", None, "", f"{year}年{month}月尚未开始，不能上报该月报表"))
    period = _Period(year, month, today)
    for spec in SHEETS:
        if spec.key in raw:
            result.rows[spec.key] = _check_sheet(spec, raw[spec.key], period, result.errors)
    return result


def _check_info(book, village, year, month, errors):
    if INFO_SHEET not in book.sheet_names:
        errors.append(problem(
            INFO_SHEET, None, "", f"缺少工作表“{INFO_SHEET}”（含村名称、年度、月份），请使用系统下载的模板"))
        return
    found = {}
    for number, values in book.rows(INFO_SHEET):
        if number > 50:
            break
        label = normalise_header(values[0] if values else None)
        if label in INFO_LABELS and label not in found:
            found[label] = (number, values[1] if len(values) > 1 else None)
    expected = {"村名称": village.name, "年度": year, "月份": month}
    for label in INFO_LABELS:
        if label not in found:
            errors.append(problem(INFO_SHEET, None, label, f"表头区缺少“{label}”，请使用系统下载的模板"))
            continue
        number, value = found[label]
        want = expected[label]
        if label == "村名称":
            ok = value is not None and str(value).strip() == want
        else:
            ok = value is not None and str(value).strip().removesuffix("年").removesuffix("月") == str(want)
        if not ok:
            unit = {"村名称": "", "年度": "年", "月份": "月"}[label]
            errors.append(problem(
                INFO_SHEET, number, label,
                f"表头{label}为“{value if value is not None else ''}”，与所报的“{want}{unit}”不一致，"
                "请下载本村本月的模板填写",
            ))


def _sheet_cells(book, spec, errors):
    """The sheet's rows that are not blank, as [(Excel row number, {column header: cell})]; [] when its header
    row lacks a column (a problem each)."""
    rows = iter(book.rows(spec.name))
    header_number, header = None, None
    for number, values in rows:
        if not is_blank(values):
            header_number, header = number, values
            break
    if header is None:
        errors.append(problem(spec.name, None, "", f"工作表“{spec.name}”缺少表头行"))
        return []
    positions = {}
    for index, value in enumerate(header):
        name = normalise_header(value)
        if name in spec.columns and name not in positions:
            positions[name] = index
    missing = [c for c in spec.columns if c not in positions]
    for column in missing:
        errors.append(problem(spec.name, header_number, column, f"缺少列“{column}”，请勿修改模板表头"))
    if missing:
        return []
    return [
        (number, {title: values[index] if index < len(values) else None for title, index in positions.items()})
        for number, values in rows if not is_blank(values)
    ]


def _check_sheet(spec, cells_by_row, period, errors):
    row_rule = ROW_RULES[spec.key]
    out = []
    seen = {}
    for number, values in cells_by_row:
        if spec.prefilled and is_blank([v for title, v in values.items() if title not in spec.prefilled]):
            continue  # a template row as it came: nothing reported for that person
        row_errors = []

        def err(column, message, number=number, row_errors=row_errors):
            row_errors.append(problem(spec.name, number, column, message))

        cells = {}
        for title, widget in spec.cells:
            try:
                cells[title] = widget.clean(values.get(title))
            except ValueError as exc:
                err(title, str(exc))
                cells[title] = None  # the row rules skip what could not be read; the row is refused anyway
        parsed = row_rule(cells, err, period)
        if not row_errors:
            key = DUPLICATE_KEYS.get(spec.key)
            if key:
                identity = key(parsed)
                if identity in seen:
                    column, message = DUPLICATE_MESSAGES[spec.key]
                    err(column, message.format(row=seen[identity]))
                else:
                    seen[identity] = number
        if row_errors:
            errors.extend(row_errors)
        else:
            parsed["row"] = number
            out.append(parsed)
    return out


@dataclass(frozen=True)
class _Period:
    year: int
    month: int
    today: datetime.date


def _in_month(day, column, err, period):
    """The date as ISO text when it lies in the reported month and not after today; else a problem and None."""
    if day is None:
        return None
    if (day.year, day.month) != (period.year, period.month):
        err(column, f"日期{day:%Y-%m-%d}不在所报月份（{period.year}年{period.month}月）内")
        return None
    future = future_date_problem(day, period.today)
    if future:
        err(column, f"{future}（{day:%Y-%m-%d}）")
        return None
    return day.isoformat()


def _income(cells, err, period):
    return {"category": cells["收入类别"], "amount": str(cells["金额（元）"]), "note": cells["备注"]}


def _pipeline(cells, err, period):
    id_number = cells["身份证号"]
    date = _in_month(cells["日期"], "日期", err, period)
    if id_number:
        derived = Person.derived_from_id_number(id_number)
        if cells["性别"] and cells["性别"] != derived["gender"]:
            err("性别", "性别与身份证号不一致")
        if cells["出生日期"] and cells["出生日期"] != derived["birth_date"]:
            err("出生日期", "出生日期与身份证号不一致")
        if date:
            too_young = applicant_age_problem(derived["birth_date"], cells["发展阶段"], cells["日期"])
            if too_young:
                err("日期", too_young)
    return {
        "name": cells["姓名"],
        "id_number": id_number,
        "stage": cells["发展阶段"],
        "date": date,
        "note": cells["备注"],
    }


def _org_life(cells, err, period):
    return {
        "date": _in_month(cells["日期"], "日期", err, period),
        "kind": cells["类型"],
        "topic": cells["主题"],
        "attendance": cells["参加人数"],
    }


def _study(cells, err, period):
    return {
        "date": _in_month(cells["日期"], "日期", err, period),
        "kind": cells["形式"],
        "topic": cells["主题"],
        "attendance": cells["参加人数"],
        "essays": cells["心得体会篇数"],
    }


def _money(value):
    return None if value is None else str(value.quantize(CENT))


def _dues(cells, err, period):
    """A member's dues of the month; 应交 computed by expected_dues, the rule's problems from dues_problems (whether
    the person is a member of the village at the month's end is cadres.services.plan_month_dues' check)."""
    category, base, fixed = cells["交纳方式"], cells["月收入基数（元）"], cells["定额（元）"]
    if category:
        problems = dues_problems(category=category, base=base, fixed_amount=fixed, year=period.year,
                                 month=period.month, member_at_month_end=None)
        for name, message in problems.items():
            err(DUES_COLUMN_OF[name], message)
    paid_date = cells["交纳日期"]
    future = future_date_problem(paid_date, period.today) if paid_date else None
    if future:
        err("交纳日期", f"{future}（{paid_date:%Y-%m-%d}）")
    return {
        "name": cells["姓名"],
        "id_number": cells["身份证号"],
        "category": category,
        "base": _money(base),
        "fixed_amount": _money(fixed),
        "expected": _money(expected_dues(category, base, fixed)),
        "paid": _money(cells["实交（元）"] or Decimal("0")),
        "paid_date": paid_date.isoformat() if paid_date else None,
    }


ROW_RULES = {"income": _income, "pipeline": _pipeline, "org_life": _org_life, "study": _study, "dues": _dues}
DUPLICATE_KEYS = {"income": lambda r: r["category"], "pipeline": lambda r: (r["id_number"], r["stage"])}
DUPLICATE_MESSAGES = {
    "income": ("收入类别", "同一收入类别每月只能填一行（第{row}行已填写）"),
    "pipeline": ("发展阶段", "同一人员的同一发展阶段重复填写（第{row}行已填写）"),
}
