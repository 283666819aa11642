"""The demo town's words and numbers: names, places, notes and the rates of its year."""

from accounts.roles import Role
from hazards import workflow

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
