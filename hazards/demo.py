"""The demo town 青山镇 (QS): a year of believable patrol history for trying Gridwatch.

`seed_demo()` runs in one transaction and draws every choice from `random.Random(2026)`, so a
given day always yields the same town. Premises and visits without findings are bulk-created;
every hazard goes through `hazards.workflow` back-dated with `at=`, so its events, photos,
notifications and database invariants are exactly the ones real use produces.

Idempotent: when the town exists, nothing is seeded (not even the reference lists, which the town
may have edited); the five demo logins are only made sure to exist with their roles and
memberships. A missing login is created with the demo password; an existing one keeps its
password (a changed password is never reset) and no role or membership is taken away.
"""

import random
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from io import BytesIO

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from PIL import Image
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.roles import Role
from grids.models import Department, Grid, Town, Village
from hazards import workflow
from hazards.models import (
    OPEN_STATUSES,
    ChecklistItem,
    Hazard,
    HazardEvent,
    HazardPhoto,
    Inspection,
    Severity,
)
from hazards.photos import process_photo
from hazards.reference import load_reference
from hazards.services import record_inspection, refresh_premises_state
from premises.models import BusinessType, Premises, Tag
from premises.risk import RiskLevel, compute_risk
from premises.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

DEMO_PASSWORD = "gridwatch-demo"  # noqa: S105 -- public on purpose: demo data only
TOWN_CODE, TOWN_NAME = "QS", "青山镇"
DEFAULT_PREMISES = 300
MIN_PREMISES = 30  # the scenario premises plus one of every business type
HISTORY_DAYS = 365
RECURRENCE_DAYS = workflow.RECURRENCE_WINDOW_DAYS
HAZARD_VISIT_RATE = 0.06  # share of visits that find something
ITEM_WEIGHT = {"general": 1.0, "conditional": 1.0, "major": 0.1}
RECURRENCE_RATE = 0.1  # chance that an item closed lately comes back (死灰复燃)

# The five demo logins (README.md, Demo logins): username → (role, full name, mobile).
LOGINS = {
    "officer": (Role.GRID_OFFICER, "陈晓东", "13857120001"),
    "leader": (Role.VILLAGE_LEADER, "李建国", "13957120002"),
    "department": (Role.DEPARTMENT_OFFICER, "周志强", "13757120003"),
    "office": (Role.SAFETY_OFFICE, "王海燕", "15857120004"),
    "registry": (Role.REGISTRY_ADMIN, "刘美华", "18857120005"),
}
# code, name, kind, roads, grids, centre (latitude, longitude)
VILLAGES = [
    ("DL", "东岭村", "village", ["振兴路", "东岭大街", "岭下路", "工业路"], 3, (30.262, 119.731)),
    ("XT", "西塘村", "village", ["塘前路", "西塘老街", "河埠路"], 2, (30.248, 119.702)),
    (
        "NH",
        "南湖社区",
        "community",
        ["湖滨路", "南湖新村", "商业街", "文化路"],
        2,
        (30.231, 119.724),
    ),
    ("BG", "北港村", "village", ["港口路", "北港大道", "渔港路"], 2, (30.279, 119.716)),
]
GRID_NAMES = ["第一网格", "第二网格", "第三网格"]
HOME_GRID = f"{TOWN_CODE}-DL-01"  # the `officer` login patrols it; the scenarios happen there
DENSE_GRID = f"{TOWN_CODE}-NH-01"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩"
    "冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜"
)
GIVEN_NAMES = (  # split on use
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 秀英 建华 志刚 海峰 红梅 晓燕 春生 玉兰 "
    "国平 金凤 德明 美玲 永刚 小龙 文斌 桂芳"
)
MOBILE_PREFIXES = (  # split on use
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 157 158 159 "
    "166 173 177 180 181 182 183 185 186 187 188 189 199"
)
INSURERS = ["中国人保财险", "平安产险", "太平洋产险", "国寿财险"]
DIVISION_CODE = "330112"

# Business type code → (name prefixes, name suffixes); a type not listed gets a generic name.
NAMES = {
    "SHOP": (
        "鑫鑫 幸福 万家福 惠民 兴旺 利民 好又多 家家乐 天天 金源 顺发 美佳",
        "便利店 五金店 超市 杂货店 日用品店 烟酒店 服装店 建材店 水果店 粮油店 手机店 文具店",
    ),
    "FOOD": (
        "老王 老李 阿强 张记 刘记 陈记 小杨 川味 湘味 兰州 沙县 东北",
        "小吃店 面馆 饭店 快餐店 烧烤店 馄饨店 早餐店 土菜馆 火锅店 包子铺 米线店 牛肉面馆",
    ),
    "HOTEL": ("悦来 平安 客满 温馨 迎宾 港湾 金桥 和顺", "旅馆 宾馆 招待所 商务宾馆 客栈"),
    "ENT": ("星光 欢乐 金嗓子 动感 魅力 麦霸", "KTV 歌舞厅 电玩城 量贩KTV"),
    "NETBAR": ("极速 风云 网鱼 星空 飞翔 竞技", "网吧 网咖 电竞馆"),
    "LEISURE": (
        "美丽人生 康体 阳光 丝域 悦榕 名剪 舒心 雅韵",
        "美容院 足浴店 健身房 养发馆 理发店 推拿馆 洗浴中心",
    ),
    "MEDICAL": ("仁和 康宁 益民 夕阳红 福寿 安康", "诊所 卫生室 养老院 老年公寓 牙科诊所 康复中心"),
    "EDU": ("小天使 启航 博学 小画家 英才 七彩虹", "幼儿园 培训中心 美术培训 托管中心 舞蹈培训"),
    "WORKSHOP": (
        "宏发 兴达 永丰 华美 金鑫 振华 恒通",
        "五金加工厂 木制品作坊 食品加工坊 服装加工点 塑料制品厂 竹制品加工厂 豆腐坊",
    ),
    "HAZMAT": ("安达 顺风 华丰 东方 平安", "液化气供应站 烟花爆竹销售点 油漆涂料店 化工原料经营部"),
    "MIXED_USE": ("新时代 百汇 万通 聚福 金港", "综合商行 生活广场 商贸城 综合楼"),
    "SCRIPT": ("迷城 谜境 推理小镇 夜猫子 暗影", "剧本杀 密室逃脱 剧本馆 沉浸式剧场"),
    "HOMESTAY": ("阳光 山居 竹林小院 湖畔人家 云栖 青山", "民宿 农家乐 客舍 山庄"),
    "LIVESTREAM": ("优选 青山好物 星火 乡味 源头", "直播基地 直播间 电商直播 直播工作室"),
    "WAREHOUSE": ("兔喜 菜鸟 中通 美团优选 多多买菜 丰巢", "快递驿站 网格仓 快递网点 自提点仓库"),
    "FIF": ("振兴工业园 东港工业园 北港科创园 青山产业园", "厂中厂 多租户厂房 标准厂房承租户"),
    "STALL": ("东岭夜市 南湖夜市 流动 老街", "烤串摊 臭豆腐摊 煎饼摊 麻辣烫摊 炒饭摊"),
    "RENTAL": ("", "出租屋 群租房 出租公寓"),
}
TYPE_WEIGHTS = {"SHOP": 22, "FOOD": 18, "RENTAL": 8, "WORKSHOP": 7, "LEISURE": 6, "HOMESTAY": 6}
TYPE_WEIGHTS |= {"WAREHOUSE": 5, "HOTEL": 4, "STALL": 3, "EDU": 3, "MEDICAL": 3, "MIXED_USE": 3}
# Type → (floor area low, high in m², most floors, most staff); others get DEFAULT_SHAPE.
SHAPES = {"WAREHOUSE": (80, 800, 1, 20), "FIF": (300, 2000, 3, 60), "WORKSHOP": (60, 600, 2, 40)}
SHAPES |= {"STALL": (4, 12, 1, 3), "HOTEL": (150, 900, 5, 12), "RENTAL": (120, 600, 6, 1)}
DEFAULT_SHAPE = (20, 200, 2, 10)
# Tag → {type: chance}; any other type (or tag) gets a small chance.
TAG_ODDS = {
    "SANHEYI": {"WORKSHOP": 0.35, "MIXED_USE": 0.5, "FIF": 0.3, "SHOP": 0.1, "FOOD": 0.1},
    "HAS_ACCOMMODATION": {"HOTEL": 1, "HOMESTAY": 1, "RENTAL": 1, "MEDICAL": 0.5, "EDU": 0.2},
    "USES_LPG": {"FOOD": 0.6, "STALL": 0.9, "HOMESTAY": 0.4, "WORKSHOP": 0.15, "HAZMAT": 0.5},
    "USES_PIPED_GAS": {"FOOD": 0.3, "HOTEL": 0.3, "HOMESTAY": 0.2, "EDU": 0.2},
    "EBIKE_CHARGING": {"RENTAL": 0.6, "WAREHOUSE": 0.6, "SHOP": 0.15, "WORKSHOP": 0.2},
    "BASEMENT_OR_HIGH": {"ENT": 0.3, "NETBAR": 0.3, "SCRIPT": 0.4, "LEISURE": 0.2},
}
NO_LICENCE = {"STALL", "RENTAL"}  # usually no business licence, so no credit code
COMPANIES = {"WORKSHOP", "FIF", "WAREHOUSE", "HAZMAT", "MIXED_USE", "LIVESTREAM"}
LOCATIONS = {
    "FIRE_FAC": "前厅 走廊 二楼 仓库 收银台旁",
    "EVAC": "安全出口 疏散通道 楼梯间 后门",
    "MIXED": "二楼 阁楼 仓库夹层 后屋",
    "ELEC": "配电箱 收银台 仓库 门口",
    "GAS": "后厨 操作间 储气间",
    "FLAM": "仓库 店面 后院",
    "BUILD": "包厢 隔断 二楼",
}
REQUIREMENTS = {
    "FIRE_FAC": "按规定配置、维护消防器材和设施，保持完好有效",
    "EVAC": "立即清理疏散通道和安全出口，保持畅通，营业期间严禁锁闭",
    "MIXED": "住宿与经营部分采用不燃墙体和楼板分隔，或将住宿人员迁出",
    "ELEC": "由持证电工规范敷设线路、加装漏电保护，电动车到集中充电点充电",
    "GAS": "更换合格燃气器具，安装可燃气体报警装置，规范存放气瓶",
    "FLAM": "清理易燃可燃物品，危险品按规定单独存放或清出",
    "BUILD": "拆除易燃可燃装修材料和违章搭建，恢复原有使用性质",
    "MGMT": "明确消防安全责任人，建立巡查检查和培训演练记录",
    "OTHER": "按要求整改到位",
}
QUIET_NOTES = ["未发现隐患", "消防器材完好，通道畅通", "已宣传燃气安全知识", "已提醒每日防火巡查"]
SUBMIT_NOTES = ["已按要求整改，附整改照片", "经营者已整改完毕", "已更换并拍照留存"]
REJECT_REASONS = ["整改不到位，仍存在同类问题", "照片不能反映整改情况，需重新整改", "仅部分整改"]
DISMISS_REASONS = ["经核实不构成隐患", "重复上报，已在其他记录中跟踪", "经核实为临时情况"]

# The officer's own grid gets these premises first and a scripted recent history, so the demo
# home page shows every state: (premises slot, checklist item, found days ago,
# [(action, days ago, new deadline in days from today)]). Submit and close add their photo.
SCENARIO_TYPES = ["SHOP", "FOOD", "HOTEL", "ENT", "NETBAR", "LEISURE", "MEDICAL", "EDU"]
SCENARIOS = [
    (0, "FF-01", 75, [("verify", 75, None), ("submit_fix", 73, None), ("accept", 72, None)]),
    (3, "EV-02", 95, [("verify", 95, None), ("submit_fix", 70, None), ("accept", 68, None)]),
    (5, "EL-04", 30, [("dismiss", 29, None)]),
    (0, "EL-01", 24, [("verify", 23, None), ("escalate", 9, None)]),  # overdue, escalated
    (7, "MG-03", 20, [("verify", 19, None), ("extend", 6, 3)]),  # extended, due in 3 days
    (1, "GS-01", 15, [("verify", 14, None), ("submit_fix", 9, None), ("reject", 8, -3)]),
    (5, "MG-02", 13, [("verify", 12, None)]),  # due in 2 days
    (2, "FF-05", 10, [("verify", 10, None)]),  # open major
    (6, "EL-03", 6, [("verify", 6, None), ("submit_fix", 1, None)]),  # waiting for review
    (0, "FF-01", 2, [("verify", 2, None)]),  # recurrence of the first row, due tomorrow
    (1, "GS-05", 2, [("verify", 2, None)]),  # due tomorrow
    (4, "FF-02", 1, [("close_on_spot", 1, None)]),
    (3, "EV-03", 1, []),  # waiting for verification
]
HOURS = {"verify": 15, "dismiss": 15, "submit_fix": 11, "accept": 16, "reject": 16}
HOURS |= {"extend": 14, "escalate": 9}
PHOTO_COLOURS = ["#8d6e63", "#607d8b", "#9e9e9e", "#a1887f", "#78909c", "#5d4037"]


@dataclass
class Site:
    """A premises being built, with what the planner needs to know about it."""

    premises: Premises
    registered: date
    tag_codes: set[str]
    until: date | None = None  # suspended or closed since
    scenario: bool = False
    history: list["HazardPlan"] = field(default_factory=list)


@dataclass
class HazardPlan:
    item: ChecklistItem
    severity: str
    found_at: datetime
    reporter: User
    deadline: date
    location: str
    steps: list[tuple[str, datetime, dict]] = field(default_factory=list)
    closed_at: datetime | None = None
    ends_at: datetime | None = None  # closed or dismissed; None while open


@dataclass
class Visit:
    site: Site
    at: datetime
    inspector: User
    kind: str = Inspection.Kind.ROUTINE
    hazards: list[HazardPlan] = field(default_factory=list)


@dataclass
class Demo:
    """Everything the stages share: the random source, the clock and the cast."""

    rng: random.Random
    now: datetime
    log: Callable[[str], None]
    started: float = field(default_factory=time.monotonic)
    users: dict[str, User] = field(default_factory=dict)
    officer_of: dict[int, User] = field(default_factory=dict)  # grid id →
    leader_of: dict[int, User] = field(default_factory=dict)  # village id →
    members_of: dict[int, list[User]] = field(default_factory=dict)  # department id →
    zhian: Department | None = None  # 执安: takes over what is escalated
    photos: list[tuple[bytes, bytes]] = field(default_factory=list)  # (image, thumbnail)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def at_day(self, day: date, hour: int | None = None, minute: int | None = None) -> datetime:
        """An aware local time on `day`, within working hours unless given."""
        hour = self.rng.randint(9, 17) if hour is None else hour
        minute = self.rng.randrange(60) if minute is None else minute
        return datetime.combine(day, clock(hour, minute), tzinfo=timezone.get_current_timezone())

    def stage(self, message: str) -> None:
        self.log(f"[{time.monotonic() - self.started:5.1f}s] {message}")


def seed_demo(
    *, premises: int = DEFAULT_PREMISES, log: Callable[[str], None] = print, now=None
) -> bool:
    """Seed the demo town in one transaction: all of it or nothing. Returns False, having seeded
    nothing, when the town exists already (see the module docstring for the demo logins)."""
    demo = Demo(rng=random.Random(2026), now=now or timezone.now(), log=log)
    with transaction.atomic():
        town = Town.objects.filter(code=TOWN_CODE).first()
        if town is not None:
            # Not even load_reference(): it would undo a town's own edits to its reference lists.
            ensure_demo_logins(town)
            log(f"Demo town {town.name} ({TOWN_CODE}) is already seeded; nothing changed.")
            log(f"The demo logins exist with their roles: {', '.join(LOGINS)}.")
            return False
        load_reference()
        demo.stage("Reference data loaded.")
        town, grids = _build_town(demo)
        sites = _build_premises(demo, grids, premises)
        visits = _plan_history(demo, sites)
        _record_history(demo, visits)
        _finish(demo, town, sites)
    _print_summary(log, town, demo.today)
    return True


# --- the organisation and its people -------------------------------------------------------------


def _user(username: str, role: str, full_name: str, phone: str, password: str | None) -> User:
    """Get or create a login with its role; an existing login keeps its password."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            full_name=full_name,
            phone=phone,
            password=password or make_password(DEMO_PASSWORD),
        )
    user.groups.add(Group.objects.get(name=role))
    if role == Role.REGISTRY_ADMIN and not user.is_staff:
        user.is_staff = True  # for the Django admin
        user.save(update_fields=["is_staff"])
    return user


def ensure_demo_logins(town: Town, password: str | None = None) -> dict[str, User]:
    """The five demo logins with their roles: `officer` in the home grid (东岭村 第一网格),
    `leader` of its village, `department` in 执安. Adds what is missing, removes nothing."""
    users = {name: _user(name, *spec, password) for name, spec in LOGINS.items()}
    grids = Grid.objects.filter(village__town=town).select_related("village").order_by("code")
    grid = next((g for g in grids if g.code == HOME_GRID), grids[0])
    grid.officers.add(users["officer"])
    grid.village.leaders.add(users["leader"])
    Department.objects.get(code="ZHIAN").members.add(users["department"])
    return users


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES.split())
    return name, rng.choice(MOBILE_PREFIXES.split()) + f"{rng.randrange(10**8):08d}"


def _build_town(demo: Demo) -> tuple[Town, list[Grid]]:
    town = Town.objects.create(name=TOWN_NAME, code=TOWN_CODE)
    grids = []  # in the order of VILLAGES: the home grid first
    for code, name, kind, _roads, grid_count, _centre in VILLAGES:
        village = Village.objects.create(
            town=town, name=name, code=f"{TOWN_CODE}-{code}", kind=kind
        )
        for n in range(grid_count):
            grid_code = f"{village.code}-{n + 1:02d}"
            grid = Grid.objects.create(
                village=village,
                name=GRID_NAMES[n],
                code=grid_code,
                # A dense community patrols its blue premises more often than the default.
                patrol_interval_days=30 if grid_code == DENSE_GRID else None,
            )
            grids.append(grid)

    # A hash is slow by design (docs/decisions.md): one for every demo user.
    password = make_password(DEMO_PASSWORD)
    demo.users = ensure_demo_logins(town, password)
    demo.zhian = Department.objects.get(code="ZHIAN")
    villages = list(dict.fromkeys(grid.village for grid in grids))
    for n, grid in enumerate(grids):
        officer = (
            demo.users["officer"]
            if n == 0
            else _extra_user(demo, f"officer{n + 1}", Role.GRID_OFFICER, password)
        )
        grid.officers.add(officer)
        demo.officer_of[grid.pk] = officer
    for n, village in enumerate(villages):
        leader = (
            demo.users["leader"]
            if n == 0
            else _extra_user(demo, f"leader{n + 1}", Role.VILLAGE_LEADER, password)
        )
        village.leaders.add(leader)
        demo.leader_of[village.pk] = leader
    for department in Department.objects.order_by("code"):
        if department.code != "ZHIAN":
            member = _extra_user(
                demo, f"dept_{department.code.lower()}", Role.DEPARTMENT_OFFICER, password
            )
            department.members.add(member)
        demo.members_of[department.pk] = list(department.members.all())
    demo.photos = [_photo_files(colour) for colour in PHOTO_COLOURS]
    demo.stage(
        f"Town {TOWN_NAME}: {len(villages)} villages, {len(grids)} grids, "
        f"{User.objects.filter(groups__name__in=Role.values).distinct().count()} users."
    )
    return town, grids


def _extra_user(demo: Demo, username: str, role: str, password: str) -> User:
    return _user(username, role, *_person(demo.rng), password)


def _photo_files(colour: str) -> tuple[bytes, bytes]:
    """A tiny real JPEG and its thumbnail, made the way an upload is (hazards.photos)."""
    buffer = BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG", quality=80)
    processed = process_photo(ContentFile(buffer.getvalue(), name="demo.jpg"))
    return processed.image.read(), processed.thumbnail.read()


# --- the registry ------------------------------------------------------------------------------


def _credit_code(rng: random.Random, company: bool) -> str:
    """A valid 统一社会信用代码: 9 + type + division + organisation code (GB 11714) + check."""
    body = "MA" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    org_check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    first17 = ("91" if company else "92") + DIVISION_CODE + body + org_check
    return first17 + credit_code_check_char(first17)


def _premises_name(rng: random.Random, code: str, road: str, number: int) -> str:
    prefixes, suffixes = NAMES.get(code, ("", ""))
    if code == "RENTAL" or not suffixes:
        return f"{road}{number}号{rng.choice(suffixes.split()) if suffixes else '经营户'}"
    return rng.choice(prefixes.split()) + rng.choice(suffixes.split())


def _unique(name: str, taken: set[str], village: str) -> str:
    candidates = [name, f"{name}({village[:2]}店)"] + [f"{name}({n}店)" for n in range(2, 99)]
    name = next(c for c in candidates if c not in taken)
    taken.add(name)
    return name


def _pick_tags(rng: random.Random, type_code: str, tags: list[Tag]) -> set[str]:
    chosen = {
        tag.code for tag in tags if rng.random() < TAG_ODDS.get(tag.code, {}).get(type_code, 0.03)
    }
    if "SANHEYI" in chosen:
        chosen.add("HAS_ACCOMMODATION")  # 三合一 means people sleep there
    return chosen


def _build_premises(demo: Demo, grids: list[Grid], count: int) -> list[Site]:
    rng, today = demo.rng, demo.today
    types = list(BusinessType.objects.order_by("code"))
    tags = list(Tag.objects.order_by("code"))
    by_code = {t.code: t for t in types}
    # The scenario premises (officer's grid), then one of every type, then a weighted mix.
    fixed = [by_code.get(code, types[0]) for code in SCENARIO_TYPES] + types
    weights = [TYPE_WEIGHTS.get(t.code, 2) for t in types]
    sites, names, codes = [], set(), set()
    for i in range(count):
        btype = fixed[i] if i < len(fixed) else rng.choices(types, weights)[0]
        grid = grids[0] if i < len(SCENARIO_TYPES) else rng.choice(grids)
        site = _new_site(demo, btype, grid, tags, names, codes)
        site.scenario = i < len(SCENARIO_TYPES)
        if i >= len(fixed) and rng.random() < 0.05:
            closed = rng.random() < 0.4
            site.premises.status = Premises.Status.CLOSED if closed else Premises.Status.SUSPENDED
            site.until = today - timedelta(days=rng.randint(15, 200))
        if i >= len(fixed) and rng.random() < 0.04:
            site.registered = today - timedelta(days=rng.randint(3, 40))  # newly registered
        sites.append(site)
    for n, tag in enumerate(tags):  # every tag in use, even in a small town
        if not any(tag.code in s.tag_codes for s in sites):
            sites[len(SCENARIO_TYPES) + n].tag_codes.add(tag.code)
    for site in sites:
        site.premises._history_date = demo.at_day(site.registered)
    bulk_create_with_history(
        [s.premises for s in sites], Premises, batch_size=500, default_user=demo.users["registry"]
    )
    tag_ids = {t.code: t.pk for t in tags}
    Premises.tags.through.objects.bulk_create(
        Premises.tags.through(premises_id=s.premises.pk, tag_id=tag_ids[code])
        for s in sites
        for code in sorted(s.tag_codes)
    )
    for site in sites:  # registered long before the demo year, mostly
        site.premises.created_at = site.premises.updated_at = site.premises._history_date
    Premises.objects.bulk_update([s.premises for s in sites], ["created_at", "updated_at"])
    demo.stage(f"{len(sites)} premises over {len(types)} business types and {len(tags)} tags.")
    return sites


def _new_site(demo, btype, grid, tags, names, codes) -> Site:
    rng, today = demo.rng, demo.today
    code, village = btype.code, grid.village
    _vcode, _name, _kind, roads, grid_count, (lat, lon) = next(
        v for v in VILLAGES if f"{TOWN_CODE}-{v[0]}" == village.code
    )
    road = rng.choice(roads[int(grid.code[-2:]) - 1 :: grid_count] or roads)
    number = rng.randint(1, 188)
    operator, phone = _person(rng)
    area_low, area_high, most_floors, most_staff = SHAPES.get(code, DEFAULT_SHAPE)
    registered = today - timedelta(days=rng.randint(400, 2000))
    credit_code = ""
    if code not in NO_LICENCE and rng.random() < 0.7:
        credit_code = _credit_code(rng, code in COMPANIES)
        while credit_code in codes:
            credit_code = _credit_code(rng, code in COMPANIES)
        codes.add(credit_code)
    insured = rng.random() < (0.7 if code in COMPANIES | {"HOTEL", "ENT", "FOOD"} else 0.3)
    expires = today + timedelta(
        days=rng.randint(1, 30) if rng.random() < 0.12 else rng.randint(31, 360)
    )
    premises = Premises(
        name=_unique(_premises_name(rng, code, road, number), names, village.name),
        address=f"{village.name}{road}{number}号",
        grid=grid,
        business_type=btype,
        credit_code=credit_code,
        operator_name=operator,
        operator_phone=phone,
        floor_area=Decimal(f"{rng.uniform(area_low, area_high):.1f}"),
        floors=rng.randint(1, most_floors),
        staff_count=rng.randint(1, most_staff),
        over_size_limit=bool(btype.size_limit) and rng.random() < 0.06,
        latitude=Decimal(f"{lat + rng.uniform(-0.004, 0.004):.6f}"),
        longitude=Decimal(f"{lon + rng.uniform(-0.004, 0.004):.6f}"),
        commitment_signed_on=(
            min(registered + timedelta(days=rng.randint(0, 60)), today)
            if rng.random() < 0.85
            else None
        ),
        insurer=rng.choice(INSURERS) if insured else "",
        insurance_policy_no=f"PZAB{today.year}3301{rng.randrange(10**9):09d}" if insured else "",
        insurance_expires_on=expires if insured else None,
        created_by=demo.users["registry"],
    )
    return Site(premises, registered, _pick_tags(rng, code, tags))


# --- a year of visits and hazards, planned first -------------------------------------------------


def _static_colour(site: Site, raising: set[str]) -> str:
    premises = site.premises
    return compute_risk(
        base=premises.business_type.base_risk,
        raising_tags=site.tag_codes & raising,
        over_size_limit=premises.over_size_limit,
        has_overdue_hazard=False,
        has_open_major_hazard=False,
    )


def _visits_in_month(rng: random.Random, colour: str) -> int:
    if colour == RiskLevel.RED:
        return rng.randint(2, 3)
    if colour == RiskLevel.ORANGE:
        return rng.randint(1, 3)
    if colour == RiskLevel.YELLOW:
        return rng.choice((0, 1, 1, 2))
    return int(rng.random() < 0.3)


def _visit_times(demo: Demo, site: Site, colour: str) -> list[datetime]:
    times, latest = [], demo.now - timedelta(hours=1)
    for month in range(12):
        for _ in range(_visits_in_month(demo.rng, colour)):
            day = demo.today - timedelta(days=30 * month + demo.rng.randrange(30))
            at = demo.at_day(day, demo.rng.randint(8, 17))
            # An hour's margin: the hazards found on the visit are filed minutes after it.
            if site.registered <= day < (site.until or date.max) and at < latest:
                times.append(at)
    return sorted(times)


def _plan_history(demo: Demo, sites: list[Site]) -> list[Visit]:
    rng = demo.rng
    raising = set(Tag.objects.filter(raises_risk=True).values_list("code", flat=True))
    items = list(
        ChecklistItem.objects.filter(active=True).prefetch_related("business_types", "tags")
    )
    items.sort(key=lambda item: item.code)
    scopes = {
        item.pk: ({t.code for t in item.business_types.all()}, {t.code for t in item.tags.all()})
        for item in items
    }
    visits = []
    for site in sites:
        premises = site.premises
        applicable = [
            item
            for item in items
            if item.applies_to_all
            or premises.business_type.code in scopes[item.pk][0]
            or site.tag_codes & scopes[item.pk][1]
        ]
        may_find = not site.scenario and site.until is None
        for at in _visit_times(demo, site, _static_colour(site, raising)):
            visit = _new_visit(demo, site, at)
            if may_find and rng.random() < HAZARD_VISIT_RATE:
                visit.inspector = _reporter(demo, premises)
                for n in range(rng.choices((1, 2, 3), (75, 20, 5))[0]):
                    found_at = at + timedelta(minutes=3 * (n + 1))
                    plan = _plan_hazard(demo, site, applicable, visit.inspector, found_at)
                    visit.hazards.append(plan)
            visits.append(visit)
    visits += _scenario_visits(demo, [s for s in sites if s.scenario])
    found = sum(len(v.hazards) for v in visits)
    demo.stage(f"Planned {len(visits)} visits over {HISTORY_DAYS} days, {found} of them hazards.")
    return visits


def _new_visit(demo: Demo, site: Site, at: datetime) -> Visit:
    rng, premises = demo.rng, site.premises
    roll = rng.random()
    if roll < 0.04:  # joint inspection with the supervising department or the safety office
        members = demo.members_of.get(premises.business_type.department_id) or []
        return Visit(site, at, rng.choice(members + [demo.users["office"]]), Inspection.Kind.JOINT)
    kind = (
        Inspection.Kind.CAMPAIGN if at.month in (1, 6) and roll < 0.5 else Inspection.Kind.ROUTINE
    )
    return Visit(site, at, demo.officer_of[premises.grid_id], kind)


def _reporter(demo: Demo, premises: Premises) -> User:
    if demo.rng.random() < 0.1:
        return demo.leader_of[premises.grid.village_id]
    return demo.officer_of[premises.grid_id]


def _pick_item(demo: Demo, site: Site, applicable: list[ChecklistItem], at: datetime):
    """An item not open at this premises; one closed lately only now and then (死灰复燃)."""
    busy = {h.item.pk for h in site.history if h.ends_at is None or h.ends_at > at}
    recent = {
        h.item.pk: h.item
        for h in site.history
        if h.closed_at and at - timedelta(days=RECURRENCE_DAYS) <= h.closed_at < at
    }
    recent = [item for pk, item in recent.items() if pk not in busy]
    if recent and demo.rng.random() < RECURRENCE_RATE:
        return demo.rng.choice(recent)
    free = [item for item in applicable if item.pk not in busy and item not in recent] or [
        item for item in applicable if item.pk not in busy
    ]
    if not free:  # everything that applies is open already: a duplicate beats nothing
        free = applicable
    weights = [ITEM_WEIGHT[item.severity] * (1.5 if item.fix_on_spot else 1) for item in free]
    return demo.rng.choices(free, weights)[0]


def _plan_hazard(demo, site, applicable, reporter, found_at) -> HazardPlan:
    rng = demo.rng
    item = _pick_item(demo, site, applicable, found_at)
    major = item.severity == "major" or (item.severity == "conditional" and rng.random() < 0.05)
    severity = Severity.MAJOR if major else Severity.GENERAL
    days = item.default_days or (30 if major else 3)
    plan = HazardPlan(
        item=item,
        severity=severity,
        found_at=found_at,
        reporter=reporter,
        deadline=timezone.localdate(found_at) + timedelta(days=days),
        location=rng.choice(LOCATIONS.get(item.category, "").split() or [""]),
    )
    _plan_lifecycle(demo, site, plan)
    if sum(step[0] == "photo" for step in plan.steps) < 2 and rng.random() < 0.3:
        finding = {"stage": HazardPhoto.Stage.FINDING, "by": reporter}
        plan.steps.insert(0, ("photo", found_at + timedelta(minutes=1), finding))
    site.history.append(plan)
    return plan


def _plan_lifecycle(demo: Demo, site: Site, plan: HazardPlan) -> None:
    """The hazard's path from its report up to now, as a real one goes (docs/workflow.md)."""
    rng, now, premises = demo.rng, demo.now, site.premises
    officer = demo.officer_of[premises.grid_id]
    leader = demo.leader_of[premises.grid.village_id]
    office = demo.users["office"]
    steps, t = plan.steps, plan.found_at
    if plan.severity == Severity.GENERAL and plan.item.fix_on_spot and rng.random() < 0.7:
        _close_on_spot(plan)
        return
    manager = leader if rng.random() < 0.9 else office
    t += timedelta(hours=rng.uniform(1, 4)) if rng.random() < 0.6 else timedelta(days=1)
    if t > now:
        return  # waiting for verification
    if rng.random() < 0.04:
        steps.append(("dismiss", t, {"by": manager, "reason": rng.choice(DISMISS_REASONS)}))
        plan.ends_at = t
        return
    steps.append(("verify", t, {"by": manager, "plan": _treatment_plan(demo, plan, premises)}))
    deadline = plan.deadline
    old = now - plan.found_at > timedelta(days=90)
    if rng.random() < (0.01 if old else 0.06):  # the operator drags their feet
        escalate_at = demo.at_day(deadline + timedelta(days=10))
        if escalate_at < now and rng.random() < 0.5:
            note = "逾期未整改，移交执安办联合执法"
            kwargs = {"by": office, "department": demo.zhian, "note": note}
            steps.append(("escalate", escalate_at, kwargs))
        return
    for attempt in range(2):
        if attempt == 0 and plan.severity == Severity.GENERAL and rng.random() < 0.06:
            extend_at = demo.at_day(deadline - timedelta(days=1))
            if t < extend_at < now:
                new = deadline + timedelta(days=rng.randint(7, 14))
                reason = "经营者申请延期：需采购设备、等待施工"
                steps.append(
                    ("extend", extend_at, {"by": manager, "rectify_by": new, "reason": reason})
                )
                deadline, t = new, extend_at
        span = max((deadline - timezone.localdate(t)).days, 1)
        fixed_on = timezone.localdate(t) + timedelta(
            days=max(1, round(span * rng.uniform(0.3, 1.25)))
        )
        fixed_at = demo.at_day(fixed_on)
        if fixed_at > now:
            return  # being rectified
        _add_fix(plan, officer, fixed_at, rng.choice(SUBMIT_NOTES))
        reviewed_at = demo.at_day(fixed_on + timedelta(days=rng.randint(1, 3)))
        if reviewed_at > now:
            return  # waiting for review
        reviewer = _reviewer(demo, plan, premises)
        if attempt == 0 and rng.random() < 0.1:
            deadline = timezone.localdate(reviewed_at) + timedelta(days=rng.randint(3, 7))
            kwargs = {"by": reviewer, "reason": rng.choice(REJECT_REASONS), "rectify_by": deadline}
            steps.append(("reject", reviewed_at, kwargs))
            t = reviewed_at
            continue
        steps.append(("accept", reviewed_at, {"by": reviewer, "note": "复查合格，予以销号"}))
        plan.closed_at = plan.ends_at = reviewed_at
        return


def _close_on_spot(plan: HazardPlan, *, note: str = "现场立即整改到位") -> None:
    photo = {"stage": HazardPhoto.Stage.RECTIFICATION, "by": plan.reporter}
    plan.steps.append(("photo", plan.found_at + timedelta(minutes=5), photo))
    closed_at = plan.found_at + timedelta(minutes=8)
    plan.steps.append(("close_on_spot", closed_at, {"by": plan.reporter, "note": note}))
    plan.closed_at = plan.ends_at = closed_at


def _add_fix(plan: HazardPlan, officer: User, at: datetime, note: str) -> None:
    photo = {"stage": HazardPhoto.Stage.RECTIFICATION, "by": officer}
    plan.steps.append(("photo", at - timedelta(minutes=20), photo))
    plan.steps.append(("submit_fix", at, {"by": officer, "note": note}))


def _reviewer(demo: Demo, plan: HazardPlan, premises: Premises) -> User:
    """General: the village leader (now and then the office); major: office or department."""
    if plan.severity == Severity.MAJOR:
        members = demo.members_of.get(premises.business_type.department_id) or []
        return demo.rng.choice(members + [demo.users["office"]])
    if demo.rng.random() < 0.85:
        return demo.leader_of[premises.grid.village_id]
    return demo.users["office"]


def _treatment_plan(demo: Demo, plan: HazardPlan, premises: Premises) -> dict:
    if plan.severity != Severity.MAJOR:
        return {}
    return {
        "plan_measures": f"{REQUIREMENTS[plan.item.category]}；委托有资质单位施工并留存记录",
        "plan_funds": Decimal(demo.rng.choice([3000, 5000, 8000, 12000, 20000, 35000])),
        "plan_responsible": premises.operator_name or "经营者",
        "plan_deadline": plan.deadline,
        "interim_measures": "整改期间停用相关区域，设置警示标识，增配灭火器，专人值守",
        "emergency_plan": "制定专项应急处置预案，明确报警、疏散路线和责任人，每周检查一次",
    }


def _scenario_visits(demo: Demo, sites: list[Site]) -> list[Visit]:
    """The officer's grid: the scripted recent history of SCENARIOS."""
    items = {item.code: item for item in ChecklistItem.objects.all()}
    officer = demo.users["officer"]
    visits = []
    for slot, code, found_ago, actions in SCENARIOS:
        site, item = sites[slot], items[code]
        visit = Visit(site, demo.at_day(demo.today - timedelta(days=found_ago), 9, 50), officer)
        major = item.severity == "major"
        plan = HazardPlan(
            item=item,
            severity=Severity.MAJOR if major else Severity.GENERAL,
            found_at=visit.at + timedelta(minutes=3),
            reporter=officer,
            deadline=timezone.localdate(visit.at)
            + timedelta(days=30 if major else item.default_days),
            location=demo.rng.choice(LOCATIONS.get(item.category, "").split() or [""]),
        )
        for action, ago, rectify_in in actions:
            at = demo.at_day(demo.today - timedelta(days=ago), HOURS.get(action), 0)
            if action == "close_on_spot":
                _close_on_spot(plan)
            elif action == "submit_fix":
                _add_fix(plan, officer, at, SUBMIT_NOTES[0])
            else:
                kwargs = _scenario_kwargs(demo, plan, site.premises, action)
                if rectify_in is not None:
                    kwargs["rectify_by"] = demo.today + timedelta(days=rectify_in)
                plan.steps.append((action, at, kwargs))
                if action == "accept":
                    plan.closed_at = plan.ends_at = at
        visit.hazards.append(plan)
        site.history.append(plan)
        visits.append(visit)
    return visits


def _scenario_kwargs(demo: Demo, plan: HazardPlan, premises: Premises, action: str) -> dict:
    """The demo leader manages and reviews; a major fix is accepted by 执安's `department`."""
    by = demo.users["leader"]
    if action == "accept" and plan.severity == Severity.MAJOR:
        zhian = premises.business_type.department_id == demo.zhian.pk
        by = demo.users["department"] if zhian else demo.users["office"]
    if action == "verify":
        return {"by": by, "plan": _treatment_plan(demo, plan, premises)}
    if action == "dismiss":
        return {"by": by, "reason": DISMISS_REASONS[2]}
    if action == "reject":
        return {"by": by, "reason": REJECT_REASONS[0]}
    if action == "extend":
        return {"by": by, "reason": "需组织全员疏散演练，经营者申请延期"}
    if action == "escalate":
        return {"by": by, "department": demo.zhian, "note": "逾期未整改，移交执安办联合执法"}
    return {"by": by, "note": "复查合格，予以销号"}


# --- writing it down -----------------------------------------------------------------------------


def _record_history(demo: Demo, visits: list[Visit]) -> None:
    quiet = [v for v in visits if not v.hazards]
    Inspection.objects.bulk_create(
        (
            Inspection(
                premises=v.site.premises,
                inspector=v.inspector,
                visited_at=v.at,
                kind=v.kind,
                outcome=Inspection.Outcome.NO_HAZARD,
                notes=demo.rng.choice(QUIET_NOTES) if demo.rng.random() < 0.3 else "",
                idempotency_key=uuid.uuid4(),
            )
            for v in quiet
        ),
        batch_size=500,
    )
    demo.stage(f"{len(quiet)} inspections without findings.")
    # Chronological, so ledger numbers follow the order in which hazards were found.
    finding = sorted((v for v in visits if v.hazards), key=lambda v: v.at)
    for visit in finding:
        _record_finding(demo, visit)
    count = sum(len(v.hazards) for v in finding)
    demo.stage(f"{len(finding)} inspections with findings, {count} hazards through the workflow.")


def _record_finding(demo: Demo, visit: Visit) -> None:
    premises = visit.site.premises
    inspection, _created = record_inspection(
        premises,
        by=visit.inspector,
        outcome=Inspection.Outcome.HAZARDS_FOUND,
        idempotency_key=uuid.uuid4(),
        visited_at=visit.at,
        kind=visit.kind,
        notes=f"发现隐患{len(visit.hazards)}处，已告知经营者并要求整改",
    )
    for plan in visit.hazards:
        item = plan.item
        hazard = workflow.report(
            premises,
            by=plan.reporter,
            category=item.category,
            description=f"{plan.location}：{item.text_zh}" if plan.location else item.text_zh,
            severity=plan.severity,
            inspection=inspection,
            checklist_item=item,
            rectify_by=plan.deadline,
            location=plan.location,
            requirement=REQUIREMENTS.get(item.category, ""),
            at=plan.found_at,
        )
        for action, at, kwargs in plan.steps:
            if action == "photo":
                _add_photo(demo, hazard, at=at, **kwargs)
            else:
                hazard = getattr(workflow, action)(hazard, at=at, **kwargs)


def _add_photo(demo: Demo, hazard: Hazard, *, stage: str, by: User, at: datetime) -> None:
    image, thumbnail = demo.rng.choice(demo.photos)
    name = secrets.token_hex(16)  # random, like an upload's
    photo = HazardPhoto(hazard=hazard, stage=stage, uploaded_by=by)
    photo.image.save(f"{name}.jpg", ContentFile(image), save=False)
    photo.thumbnail.save(f"{name}_t.jpg", ContentFile(thumbnail), save=False)
    photo.save()
    # Back-dated like the hazard, so "a photo taken since the last rejection" holds as it did.
    HazardPhoto.objects.filter(pk=photo.pk).update(created_at=at, updated_at=at)


def _finish(demo: Demo, town: Town, sites: list[Site]) -> None:
    """Timestamps as they would have been written, then colours and patrol dates as of today."""
    in_town = Q(premises__grid__village__town=town)
    latest = Inspection.objects.filter(premises=OuterRef("pk")).order_by("-visited_at")
    Premises.objects.filter(grid__village__town=town).update(
        last_inspected_at=Subquery(latest.values("visited_at")[:1])
    )
    Inspection.objects.filter(in_town).update(
        created_at=F("visited_at"), updated_at=F("visited_at")
    )
    last_event = HazardEvent.objects.filter(hazard=OuterRef("pk")).order_by("-at")
    Hazard.objects.filter(in_town).update(
        created_at=F("reported_at"), updated_at=Subquery(last_event.values("at")[:1])
    )
    for premises in Premises.objects.filter(grid__village__town=town).select_related(
        "business_type", "grid"
    ):
        refresh_premises_state(premises, today=demo.today)
    demo.stage(f"Risk colours and patrol dates of {len(sites)} premises refreshed.")


def _print_summary(log: Callable[[str], None], town: Town, today: date) -> None:
    premises = Premises.objects.filter(grid__village__town=town)
    by_status = dict(premises.values_list("status").annotate(n=Count("pk")).order_by())
    hazards = Hazard.objects.filter(premises__grid__village__town=town)
    counts = hazards.aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in Hazard.Status.values},
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, rectify_by__lt=today)),
        major=Count("pk", filter=Q(severity=Severity.MAJOR)),
        on_spot=Count("pk", filter=Q(fixed_on_spot=True)),
        escalated=Count("pk", filter=Q(escalation_level__gt=0)),
        recurrences=Count("pk", filter=Q(recurrence_of__isnull=False)),
    )
    premises_by_status = ", ".join(f"{s} {by_status.get(s, 0)}" for s in Premises.Status.values)
    hazards_by_status = ", ".join(f"{s} {counts[s]}" for s in Hazard.Status.values)
    log(f"Seeded demo town {town.name} ({town.code}):")
    log(
        f"  villages {Village.objects.filter(town=town).count()}, "
        f"grids {Grid.objects.filter(village__town=town).count()}, "
        f"premises {sum(by_status.values())} ({premises_by_status}), "
        f"inspections {Inspection.objects.filter(premises__in=premises).count()}"
    )
    log(f"  hazards {counts['total']}: {hazards_by_status}")
    log(
        f"  overdue {counts['overdue']}, major {counts['major']}, "
        f"fixed on the spot {counts['on_spot']}, escalated {counts['escalated']}, "
        f"recurrences {counts['recurrences']}, "
        f"photos {HazardPhoto.objects.filter(hazard__in=hazards).count()}"
    )
    log(f"Demo logins (password {DEMO_PASSWORD}): {', '.join(LOGINS)}.")
