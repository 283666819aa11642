"""A town's list as the registry import reads it, and the pages' steps, for the import tests."""

import csv
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from premises.validators import credit_code_check_char

HEADERS = [
    "名称",
    "地址",
    "村(社区)",
    "网格",
    "业态",
    "标签",
    "统一社会信用代码",
    "经营者",
    "联系电话",
    "建筑面积",
    "层数",
    "从业人数",
    "承诺书签订日期",
    "保险公司",
    "保单号",
    "保险到期日",
]
KEYS = [
    "name",
    "address",
    "village",
    "grid",
    "business_type",
    "tags",
    "credit_code",
    "operator_name",
    "operator_phone",
    "floor_area",
    "floors",
    "staff_count",
    "commitment_signed_on",
    "insurer",
    "insurance_policy_no",
    "insurance_expires_on",
]


def credit_code(n: int) -> str:
    first17 = f"91330106MA2H{n:05d}"
    return first17 + credit_code_check_char(first17)


def row(**values) -> list[str]:
    defaults = {
        "name": "老王小吃",
        "address": "振兴路1号",
        "village": "东岭村",
        "grid": "第一网格",
        "business_type": "小餐饮",
        "operator_name": "王五",
        "operator_phone": "13812345678",
    }
    defaults.update(values)
    return [defaults.get(key, "") for key in KEYS]


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    """As Excel saves it: quoted where needed, CRLF line ends."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dry_run(client, data: bytes, name: str = "premises.csv"):
    """Upload and follow to the dry run page."""
    response = client.post(reverse("premises:import"), {"file": SimpleUploadedFile(name, data)})
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def apply(client, preview):
    return client.post(reverse("premises:import_apply", args=[preview.context["token"]]))


def errors_of(preview) -> list[tuple[int, str, str]]:
    return [
        (row.number, column, message)
        for row in preview.context["report"].refused
        for column, message in row.problems
    ]
