"""The columns of the registry's import template and export, and the names they go by."""

import re
from dataclasses import dataclass

MAX_FILE_BYTES = 50 * 1024 * 1024  # refused before parsing (premises.views.transfer)


@dataclass(frozen=True)
class Column:
    key: str  # the PremisesForm field, or what the importer resolves (village, grid, …)
    header: str  # the template's Chinese header: data, not a translation
    aliases: tuple[str, ...] = ()  # English field names and what other systems call it


COLUMNS = (
    Column("name", "名称", ("name", "场所名称", "单位名称")),
    Column("address", "地址", ("address", "场所地址", "详细地址")),
    Column("village", "村(社区)", ("village", "村", "社区", "村社区", "所属村(社区)")),
    Column("grid", "网格", ("grid", "所属网格", "网格名称")),
    Column("business_type", "业态", ("business_type", "场所类型", "行业类型")),
    Column("tags", "标签", ("tags",)),
    Column("credit_code", "统一社会信用代码", ("credit_code", "信用代码")),
    Column("operator_name", "经营者", ("operator_name", "operator", "负责人", "经营者姓名")),
    Column("operator_phone", "联系电话", ("operator_phone", "phone", "电话", "手机号码")),
    Column("floor_area", "建筑面积", ("floor_area", "面积")),
    Column("floors", "层数", ("floors",)),
    Column("staff_count", "从业人数", ("staff_count", "staff", "员工人数")),
    Column("commitment_signed_on", "承诺书签订日期", ("commitment_signed_on",)),
    Column("insurer", "保险公司", ("insurer", "承保公司")),
    Column("insurance_policy_no", "保单号", ("insurance_policy_no", "policy_no", "保险单号")),
    Column("insurance_expires_on", "保险到期日", ("insurance_expires_on", "保险有效期至")),
)
BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED = ("name", "address", "village", "grid", "business_type")
# Read-only columns the export adds after the template's; ignored on import without a warning.
EXPORT_ONLY_HEADERS = ("状态", "风险等级", "最近排查")
TAG_SEPARATOR = "、"  # what the export writes; the import also takes "," "|" ";"

FULL_WIDTH = str.maketrans("（），；｜：", "(),;|:")


def header_key(text: str) -> str:
    """ "Credit Code", "credit_code" and "统一社会信用代码 " compare equal to their column."""
    return re.sub(r"[\s_\-*]+", "", text.translate(FULL_WIDTH).casefold())


HEADER_INDEX = {
    header_key(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)
}
EXPORT_ONLY_KEYS = frozenset(header_key(header) for header in EXPORT_ONLY_HEADERS)


def column_of(header: str) -> str | None:
    """The column key a header names, or None."""
    key = header_key(header)
    if key in HEADER_INDEX:
        return HEADER_INDEX[key]
    # "建筑面积(㎡)", "联系电话(手机)": a unit or a note in brackets after a known header.
    return HEADER_INDEX.get(re.sub(r"\(.*\)$", "", key))
