"""The dashboard's lists, ranking, breakdowns and figure cards (templates/dashboard/): each row
as a town official reads it, in Chinese, every value escaped."""

import re
from decimal import Decimal

import pytest
import time_machine
from django.template import engines
from django.urls import reverse
from django.utils import translation

from dashboard.figures import DAYS, MONEY, RATE, SUM, Figure
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    with time_machine.travel(NOW, tick=False):
        town = known_town.build()
        town.p["p3"].name = "<b>王家</b>小吃"
        town.p["p3"].save()
        town.v2.name = "<i>西村</i>"
        town.v2.save()
        yield town


def board_page(client, town) -> str:
    client.force_login(town.office)
    return client.get(reverse("dashboard:index")).content.decode()


def lists_on_page(client, town) -> dict[str, str]:
    html = board_page(client, town)
    sections = re.findall(
        r'<section class="col" aria-labelledby="list-(\w+)">(.*?)</section>', html, re.S
    )
    return dict(sections)


def items(section: str) -> list[str]:
    return re.findall(r'<li class="list-group-item px-2 py-2">(.*?)</li>', section, re.S)


def test_a_hazard_shows_its_premises_place_deadline_and_weight(client, town):
    open_major = items(lists_on_page(client, town)["open_major"])

    h6, h7 = town.h["h6"], town.h["h7"]
    assert len(open_major) == 2  # the passed deadline first
    first, second = open_major
    assert f'href="{reverse("hazards:hazard_detail", args=[h6.pk])}"' in first
    assert "&lt;b&gt;王家&lt;/b&gt;小吃" in first and "<b>王家</b>" not in first
    assert "逾期 10 天" in first
    assert f"东村 · {town.g2.name} · " in first and h6.ledger_number in first
    assert '<span class="badge text-bg-danger">重大</span>' in first
    assert "停止使用" not in first  # the description, not the interim measures
    assert f"整改期限 {h7.rectify_by:%Y-%m-%d}" in second and "逾期" not in second


def test_a_premises_shows_its_risk_and_last_visit(client, town):
    lists = lists_on_page(client, town)
    (never,) = items(lists["never_inspected"])
    p3 = town.p["p3"]

    assert f'href="{reverse("inspections:premises_detail", args=[p3.pk])}"' in never
    assert f'risk-badge risk-{p3.risk_level}">{p3.get_risk_level_display()}</span>' in never
    assert "从未检查" in never
    assert "&lt;b&gt;王家&lt;/b&gt;小吃" in never and "<b>" not in never
    due = items(lists["patrol_due"])
    p2 = next(item for item in due if town.p["p2"].name in item)
    assert "最近检查 2026-08-05" in p2


def test_a_ranking_row_links_each_count_and_flags_what_is_wrong(client, town):
    html = board_page(client, town)
    rows = re.findall(r'<tr data-place="(\d+)">(.*?)</tr>', html, re.S)
    v2 = dict(rows)[str(town.v2.pk)]
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", v2, re.S)

    # This year to 10 August in 西村: h7, h8, h11 found; h8, h11 closed; h7 open, major.
    assert "&lt;i&gt;西村&lt;/i&gt;" in cells[0] and "<i>" not in v2
    assert re.fullmatch(r'<a href="[^"]*village=\d+[^"]*status=found">3</a>', cells[1])
    assert ">2</a>" in cells[2] and cells[3] == "66.7%"
    assert cells[4].startswith('<a class="link-secondary" href="') and cells[4].endswith(">0</a>")
    assert cells[5].startswith('<a class="link-danger fw-semibold"') and ">1</a>" in cells[5]
    assert f"village={town.v2.pk}&amp;" in cells[1]
    assert 'title="本期销号 ' in cells[7]


def test_a_breakdown_row_names_its_category_in_chinese(client, town):
    html = board_page(client, town)
    table = re.search(r'data-breakdown="category">(.*?)</table>', html, re.S).group(1)
    labels = re.findall(r'<th scope="row" class="fw-normal">(.*?)</th>', table)

    # Found this year: ELEC h1 h8 h11, GAS h2 h12, EVAC h13, FIRE_FAC h7; most found first.
    assert labels == ["电气安全", "燃气安全", "安全疏散", "消防设施器材"]


def card(figure: Figure) -> str:
    """The card's text as a reader sees it: tags dropped, spaces collapsed."""
    with translation.override("zh-hans"):
        parts = engines["jinja2"].env.get_template("dashboard/_parts.html").module
        return str(parts.figure_card(figure))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


FIGURES = [
    Figure("found", "发现隐患", 2800, "/ledger/?a=1&b=2", previous=2500, previous_url="/l/?y=1",
           parts=[Figure("closed", "已整改", 2700, "/l/?c=<1>", bad_when_positive=True)]),
    Figure("rate", "整改率", 96.4286, "/l/", kind=RATE, previous=None, better="up"),
    Figure("time_to_close", "平均整改天数", 6.25, "/l/", kind=DAYS, previous=8.0, better="down"),
    Figure("time_to_close", "平均整改天数", None, "/l/", kind=DAYS, previous=None),
    Figure("overdue", "逾期隐患", 12, "/l/?o=1", compares=False, bad_when_positive=True),
    Figure("overdue", "逾期隐患", 0, "/l/?o=1", compares=False, bad_when_positive=True),
    Figure("direct_loss", "直接经济损失（万元）", Decimal("12.5"), "/a/", kind=MONEY,
           previous=Decimal("0"), better="down"),
    Figure("deaths", "<死亡>", 1, "/a/", kind=SUM, previous=3, better="down"),
]  # fmt: skip


def test_a_card_shows_the_figure_the_year_before_and_the_change():
    found, rate, days, no_days, overdue, calm, loss, deaths = (card(f) for f in FIGURES)

    assert text(found) == "发现隐患 2800 去年同期 2500 +12% 2700 已整改"
    assert 'href="/ledger/?a=1&amp;b=2"' in found and 'href="/l/?c=&lt;1&gt;"' in found
    assert "96.4%" in text(rate) and "去年同期 —" in text(rate)
    assert "6.2 天" in text(days) and "−21.9%" in text(days)
    assert "text-success-emphasis" in days  # fewer days to close is good news
    assert text(no_days) == "平均整改天数 — 去年同期 —"
    assert "kpi-alert" in overdue and "kpi-alert" not in calm
    assert "12.50" in text(loss)
    assert "&lt;死亡&gt;" in deaths and "<死亡>" not in deaths
