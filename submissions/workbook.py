"""The monthly workbook (月度报表): its template and the reading and checking of an uploaded one.

The four sheets and their header rows are a contract with the villages
(domain.md, "The monthly workbook"): keep them exactly. The template adds a fifth
sheet, 填报说明, whose header area names the village, year and month; the upload
checks it. Nothing here writes to the database.
"""
from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from cadres.id_numbers import birth_date_from_id, gender_from_id, id_number_problem
from cadres.models import Gender, Stage
from economy.models import IncomeCategory
from ledgers.spreadsheets import Limits, SpreadsheetError, Workbook, is_blank
from study.models import OrgLifeKind, StudyKind


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]


INCOME = SheetSpec("income", "集体经济收入", ("收入类别", "金额（元）", "备注"), ("收入类别", "金额（元）"))
PIPELINE = SheetSpec("pipeline", "党员发展", ("姓名", "性别", "出生日期", "身份证号", "发展阶段", "日期", "备注"),
                     ("姓名", "身份证号", "发展阶段", "日期"))
ORG_LIFE = SheetSpec("org_life", "组织生活", ("日期", "类型", "主题", "参加人数"), ("日期", "类型", "主题"))
STUDY = SheetSpec("study", "学习活动", ("日期", "形式", "主题", "参加人数", "心得体会篇数"), ("日期", "形式", "主题"))
SHEETS = (INCOME, PIPELINE, ORG_LIFE, STUDY)
SHEET_NAMES = {spec.key: spec.name for spec in SHEETS}

INFO_SHEET = "填报说明"
INFO_LABELS = ("村名称", "年度", "月份")
TEMPLATE_ROWS = 300  # rows prepared with drop-downs and formats in the template

TEXT_LIMITS = {"备注": 200, "主题": 200, "姓名": 50}


def problem(sheet, row, column, message):
    return {"sheet": sheet, "row": row, "column": column, "message": message}


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
        (PIPELINE.key, "发展阶段"): Stage.labels,
        (PIPELINE.key, "性别"): Gender.labels,
        (ORG_LIFE.key, "类型"): OrgLifeKind.labels,
        (STUDY.key, "形式"): StudyKind.labels,
    }
    date_columns = {"日期", "出生日期"}
    for spec in SHEETS:
        sheet = book.create_sheet(spec.name)
        for index, title in enumerate(spec.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=title)
            cell.font, cell.fill = bold, fill
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = 22 if title in ("身份证号", "主题", "备注") else 14
            choices = lists.get((spec.key, title))
            if choices:
                validation = DataValidation(
                    type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                    showErrorMessage=True, errorTitle="请从下拉列表中选择", error=f"{title}只能从下拉列表中选择。",
                )
                validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
                sheet.add_data_validation(validation)
            if title == "身份证号" or title in date_columns:
                # Text, so Excel keeps all 18 digits; dates as yyyy-mm-dd.
                number_format = "@" if title == "身份证号" else "yyyy-mm-dd"
                for row in range(2, TEMPLATE_ROWS + 2):
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
        "2. 请勿修改“集体经济收入”“党员发展”“组织生活”“学习活动”四个工作表的名称和第一行表头。",
        "3. 收入类别、发展阶段、类型、形式请从下拉列表中选择。",
        "4. 金额单位为元，最多两位小数；每个收入类别每月只填一行。",
        "5. 身份证号为18位，该列已设为文本格式，请勿改为数字格式；性别、出生日期可不填，如填写须与身份证号一致。",
        "6. 所有日期须在本月内，格式如 2024-03-15。",
        "7. 本月没有的事项，对应工作表留空即可；重新上传本月报表会替换上次报表写入的内容。",
        "8. 上传后系统会列出所有问题（工作表、行号、列），全部改正并确认后才会保存。",
    ]
    for offset, line in enumerate(instructions):
        info.cell(row=8 + offset, column=1, value=line).alignment = Alignment(wrap_text=False)
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 20
    book.active = len(book.sheetnames) - 1

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- values


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(value):
    """(date, None) or (None, message)."""
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        # A date typed into a cell formatted as a number, or read from .xls as a serial.
        return _EXCEL_EPOCH + datetime.timedelta(days=int(value)), None
    if isinstance(value, str):
        match = _DATE_TEXT.match(value.strip())
        if match:
            try:
                return datetime.date(*(int(g) for g in match.groups())), None
            except ValueError:
                pass
    return None, f"“{value}”不是有效日期，请填写如 2024-03-15"


def parse_amount(value):
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        text = text.removesuffix("元").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, f"金额“{value}”不是数字"
    if not amount.is_finite():
        return None, f"金额“{value}”不是数字"
    if amount < 0:
        return None, "金额不能为负数"
    if amount != amount.quantize(Decimal("0.01")):
        return None, "金额最多保留两位小数"
    if amount >= Decimal("1e12"):
        return None, "金额过大，请核对单位（元）"
    return amount.quantize(Decimal("0.01")), None


def parse_count(value, title):
    if value is None:
        return 0, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        return None, f"{title}“{value}”应为整数"
    if value < 0:
        return None, f"{title}不能为负数"
    if value > 100000:
        return None, f"{title}过大，请核对"
    return value, None


def _choice_map(choices):
    mapping = {}
    for value, label in choices.choices:
        mapping[str(label)] = value
        mapping[value] = value
    return mapping


CHOICES = {
    "收入类别": (_choice_map(IncomeCategory), IncomeCategory),
    "发展阶段": (_choice_map(Stage), Stage),
    "类型": (_choice_map(OrgLifeKind), OrgLifeKind),
    "形式": (_choice_map(StudyKind), StudyKind),
}


def parse_choice(value, title):
    mapping, enum = CHOICES[title]
    text = str(value).strip()
    if text in mapping:
        return mapping[text], None
    return None, f"未知的{title}“{text}”，应为：{'、'.join(enum.labels)}"


def _normalise_header(value):
    if value is None:
        return ""
    return str(value).strip().replace("(", "（").replace(")", "）").replace(" ", "")


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

    `progress(percent)` is called after each sheet.
    """
    result = ParseResult()
    today = today or datetime.date.today()
    if datetime.date(year, month, 1) > today:
        result.errors.append(problem("", None, "", f"{year}年{month}月尚未开始，不能上报该月报表"))
    try:
        book = Workbook(data, limits or Limits.from_settings("SUBMISSION"))
    except SpreadsheetError as exc:
        result.errors.append(problem("", None, "", exc.message))
        return result
    try:
        with book:
            if book.kind not in ("xlsx", "xls"):
                result.errors.append(problem(
                    "", None, "", "月度报表请上传 Excel 工作簿（.xlsx 或 .xls），不能上传单个 CSV 文件"))
                return result
            _check_info(book, village, year, month, result)
            for index, spec in enumerate(SHEETS, start=1):
                if spec.name not in book.sheet_names:
                    result.errors.append(problem(spec.name, None, "", f"缺少工作表“{spec.name}”，请使用系统下载的模板"))
                    continue
                result.rows[spec.key] = _read_sheet(book, spec, year, month, result.errors)
                if progress:
                    progress(10 + index * 20)
    except SpreadsheetError as exc:
        result.errors.append(problem("", None, "", exc.message))
    except Exception:  # a damaged file must give a message, never a 500
        result.errors.append(problem("", None, "", "工作簿内容无法读取，请在 Excel 或 WPS 中重新保存后上传"))
    return result


def _check_info(book, village, year, month, result):
    if INFO_SHEET not in book.sheet_names:
        result.errors.append(problem(
            INFO_SHEET, None, "", f"缺少工作表“{INFO_SHEET}”（含村名称、年度、月份），请使用系统下载的模板"))
        return
    found = {}
    for number, values in book.rows(INFO_SHEET):
        if number > 50:
            break
        label = _normalise_header(values[0] if values else None)
        if label in INFO_LABELS and label not in found:
            found[label] = (number, values[1] if len(values) > 1 else None)
    expected = {"村名称": village.name, "年度": year, "月份": month}
    for label in INFO_LABELS:
        if label not in found:
            result.errors.append(problem(INFO_SHEET, None, label, f"表头区缺少“{label}”，请使用系统下载的模板"))
            continue
        number, value = found[label]
        want = expected[label]
        if label == "村名称":
            ok = value is not None and str(value).strip() == want
        else:
            ok = value is not None and str(value).strip().removesuffix("年").removesuffix("月") == str(want)
        if not ok:
            unit = {"村名称": "", "年度": "年", "月份": "月"}[label]
            result.errors.append(problem(
                INFO_SHEET, number, label,
                f"表头{label}为“{value if value is not None else ''}”，与所报的“{want}{unit}”不一致，"
                "请下载本村本月的模板填写",
            ))


def _read_sheet(book, spec, year, month, errors):
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
        name = _normalise_header(value)
        if name in spec.columns and name not in positions:
            positions[name] = index
    missing = [c for c in spec.columns if c not in positions]
    for column in missing:
        errors.append(problem(spec.name, header_number, column, f"缺少列“{column}”，请勿修改模板表头"))
    if missing:
        return []
    parse_row = ROW_PARSERS[spec.key]
    out = []
    seen = {}
    for number, values in rows:
        if is_blank(values):
            continue
        cells = {c: (values[i] if i < len(values) else None) for c, i in positions.items()}
        row_errors = []

        def err(column, message, number=number, row_errors=row_errors):
            row_errors.append(problem(spec.name, number, column, message))

        for column in spec.required:
            if cells[column] is None:
                err(column, f"{column}不能为空")
        for column, limit in TEXT_LIMITS.items():
            if column in cells and cells[column] is not None and len(str(cells[column])) > limit:
                err(column, f"{column}不能超过{limit}个字")
        parsed = parse_row(cells, err, year, month)
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


def _date_in_month(value, column, err, year, month):
    if value is None:
        return None
    date, message = parse_date(value)
    if message:
        err(column, message)
        return None
    if (date.year, date.month) != (year, month):
        err(column, f"日期{date:%Y-%m-%d}不在所报月份（{year}年{month}月）内")
        return None
    return date.isoformat()


def _choice(cells, column, err):
    if cells[column] is None:
        return None
    value, message = parse_choice(cells[column], column)
    if message:
        err(column, message)
    return value


def _text(value):
    return "" if value is None else str(value).strip()


def _parse_income(cells, err, year, month):
    category = _choice(cells, "收入类别", err)
    amount = None
    if cells["金额（元）"] is not None:
        amount, message = parse_amount(cells["金额（元）"])
        if message:
            err("金额（元）", message)
    return {"category": category, "amount": str(amount) if amount is not None else None,
            "note": _text(cells["备注"])}


def _parse_pipeline(cells, err, year, month):
    raw_id = cells["身份证号"]
    id_number = None
    if raw_id is not None:
        text = str(raw_id).strip().upper()
        message = id_number_problem(text)
        if message:
            if isinstance(raw_id, int | float):
                message += "（该单元格是数字格式，末尾数字可能已丢失，请将该列设为文本格式后重新输入）"
            err("身份证号", message)
        else:
            id_number = text
    if id_number:
        gender = cells["性别"]
        if gender is not None and str(gender).strip() not in Gender.labels:
            err("性别", f"性别应为“男”或“女”，当前为“{gender}”")
        elif gender is not None and Gender(gender_from_id(id_number)).label != str(gender).strip():
            err("性别", "性别与身份证号不一致")
        born = cells["出生日期"]
        if born is not None:
            date, message = parse_date(born)
            if message:
                err("出生日期", message)
            elif date != birth_date_from_id(id_number):
                err("出生日期", "出生日期与身份证号不一致")
    return {
        "name": _text(cells["姓名"]),
        "id_number": id_number,
        "stage": _choice(cells, "发展阶段", err),
        "date": _date_in_month(cells["日期"], "日期", err, year, month),
        "note": _text(cells["备注"]),
    }


def _parse_attendance(cells, column, err):
    value, message = parse_count(cells[column], column)
    if message:
        err(column, message)
    return value


def _parse_org_life(cells, err, year, month):
    return {
        "date": _date_in_month(cells["日期"], "日期", err, year, month),
        "kind": _choice(cells, "类型", err),
        "topic": _text(cells["主题"]),
        "attendance": _parse_attendance(cells, "参加人数", err),
    }


def _parse_study(cells, err, year, month):
    return {
        "date": _date_in_month(cells["日期"], "日期", err, year, month),
        "kind": _choice(cells, "形式", err),
        "topic": _text(cells["主题"]),
        "attendance": _parse_attendance(cells, "参加人数", err),
        "essays": _parse_attendance(cells, "心得体会篇数", err),
    }


ROW_PARSERS = {"income": _parse_income, "pipeline": _parse_pipeline, "org_life": _parse_org_life,
               "study": _parse_study}
DUPLICATE_KEYS = {"income": lambda r: r["category"], "pipeline": lambda r: (r["id_number"], r["stage"])}
DUPLICATE_MESSAGES = {
    "income": ("收入类别", "同一收入类别每月只能填一行（第{row}行已填写）"),
    "pipeline": ("发展阶段", "同一人员的同一发展阶段重复填写（第{row}行已填写）"),
}
