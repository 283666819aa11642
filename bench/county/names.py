"""Place names for the generated county: towns, villages and roads that read like a real one."""

TOWNS = [
    "城关镇",
    "新塘镇",
    "白石镇",
    "清溪镇",
    "龙泉镇",
    "安平镇",
    "石桥镇",
    "永宁镇",
    "临江镇",
    "长乐镇",
    "桃源镇",
    "凤鸣镇",
    "金山镇",
    "河口镇",
    "双溪镇",
]
# village = first + second + kind ("东岭村", "南湖社区"); unique within a town
VILLAGE_FIRST = (
    "东 西 南 北 上 下 前 后 大 小 新 老 高 中 青 白 黄 红 金 石 桃 柳 杨 梅 竹 松 花 马 龙 凤"
)
VILLAGE_SECOND = "岭 塘 湖 港 山 溪 桥 庄 湾 坪 岗 头 园 林 口 埠 洋 坂 墩 畈"
ROADS = (
    "人民路 解放路 建设路 振兴路 工业路 文化路 商业街 老街 "
    "新街 河滨路 环城路 中山路 学前路 站前路 幸福路 和平路"
)
