"""行业或经营特点: the industry words that end the core of an enterprise name.

A curated list of the words common in the names of bidders for public works, procurement and
services, in groups of words that name the same line of business (建设工程 and 建筑工程 are
one trade; 商贸 and 贸易 another). The parser takes them from the end of the core name,
longest first, so 合晟建筑装饰工程 reads as 合晟 + 建筑装饰工程.
"""

from __future__ import annotations

from functools import lru_cache

_GROUPS: dict[str, str] = {
    "construction": "建设工程 建筑工程 工程建设 建设 建筑 建工 工程 建设发展 建筑安装 建筑安装工程 "
    "土木工程 工程技术 建设工程管理 建筑工程管理 基础工程 地基基础工程 土石方工程 土石方",
    "decoration": "装饰工程 建筑装饰 建筑装饰工程 装饰 装潢 装修 装饰设计 装饰装修 装饰装修工程 "
    "室内装饰 装饰设计工程 装饰材料",
    "municipal": "市政工程 市政 市政建设 市政园林 路桥 路桥工程 路桥建设 道路工程 公路工程 交通工程 "
    "桥梁工程 交通设施 公路 隧道工程",
    "landscape": "园林绿化 园林景观 园林 绿化 景观 园林工程 绿化工程 生态园林 园林建设 园艺 景观设计 绿化养护 苗木",
    "water": "水利水电 水利工程 水利 水务 给排水 水电安装 水电 水利建设 水处理 水环境 供水",
    "electric": "电力工程 电力 电气 电力设备 电力安装 电气工程 输变电 电力建设 电力科技 电力技术 电气设备 电气安装",
    "electromechanical": "机电工程 机电设备 机电 机电安装 安装工程 安装 设备安装 机电科技 机电技术 暖通 "
    "暖通工程 空调工程 净化工程",
    "fire": "消防工程 消防 消防设备 消防科技 消防技术 消防安全",
    "intelligent": "智能化 智能科技 智能化工程 智能 智能技术 弱电工程 系统集成 安防 安防科技 监控 安防工程 智能系统",
    "labour": "劳务 劳务分包 建筑劳务 劳务派遣 人力资源 人力资源服务 劳务服务 劳务工程",
    "technology": "科技 技术 科技发展 技术服务 技术开发 高科技 新技术 科技服务 科技开发 技术咨询",
    "it": "信息技术 信息科技 网络科技 网络技术 软件 软件技术 软件开发 软件科技 信息 网络 "
    "计算机 电脑 数据 大数据 数字科技 数字技术 云计算 互联网 信息系统 信息服务 计算机系统 "
    "电子商务 网络信息 信息工程 数据科技 数据技术 信息产业",
    "telecom": "通信 通讯 通信工程 通信技术 通信设备 通讯设备 通讯技术 通信科技",
    "electronics": "电子 电子科技 电子技术 电子设备 电器 光电 光电科技 电子信息 照明 照明工程 "
    "电缆 线缆 电线电缆 电子工程 半导体 仪器仪表 仪器 仪表 自动化 自动化设备 自动化科技",
    "environment": "环保科技 环境科技 环保 环境工程 环保工程 环境 环保设备 节能 节能科技 节能环保 "
    "环境治理 生态环境 环保技术 环境技术 环境服务 生态 生态科技 环卫 环境卫生",
    "medicine": "医药 药业 制药 医药科技 医疗器械 医疗 医疗科技 医疗设备 医药科技开发 药房 "
    "大药房 医药连锁 生物医药 医药技术 医用耗材 耗材 医用材料 医疗用品 卫生材料",
    "biology": "生物 生物科技 生物技术 生物工程 健康 健康科技 健康管理 健康产业",
    "energy": "新能源 能源 能源科技 石油 石化 燃气 热力 光伏 电池 石油化工 新能源科技 能源技术 "
    "能源发展 太阳能 天然气 热电 热能",
    "property": "物业管理 物业服务 物业 物业管理服务",
    "real_estate": "房地产开发 房地产 置业 地产 房产 房地产经纪 房地产开发经营 房屋 不动产",
    "trade": "贸易 商贸 国际贸易 进出口 经贸 商业 贸易发展 商务 供应链 供应链管理 工贸 国贸 贸易服务 商贸发展",
    "industrial": "实业 实业发展 发展 产业 产业发展 实业投资 产业投资",
    "investment": "投资 投资管理 投资控股 投资发展 投资咨询 资产管理 股权投资 创业投资 控股 "
    "投资建设 投资开发 资本 资本管理 基金管理",
    "consulting": "工程咨询 咨询 管理咨询 企业管理 企业管理咨询 管理 咨询服务 信息咨询 商务咨询 "
    "财务咨询 造价咨询 工程造价咨询 工程管理 项目管理 招标代理 工程项目管理 工程造价 "
    "招标咨询 建设咨询 建设管理 企业咨询 经济咨询 会计服务 税务咨询 财务管理",
    "design": "勘察设计 勘察 勘测 测绘 设计 工程设计 规划设计 建筑设计 规划 工程勘察 "
    "工程勘察设计 建筑规划设计 测绘技术 地理信息",
    "inspection": "检测 检测技术 工程检测 质量检测 检验检测 检验 检测科技 检测服务 认证 检测认证",
    "supervision": "监理 工程监理 建设监理 建设工程监理 工程建设监理 监理咨询",
    "services": "服务 商务服务 企业服务 保安服务 保安 安保 安保服务 保洁 清洁 家政 家政服务 保洁服务 "
    "清洁服务 后勤服务 外包服务 绿化服务 市政服务 城市服务",
    "logistics": "物流 运输 仓储 货运 快递 物流科技 汽车运输 道路运输 物流服务 货物运输 "
    "冷链物流 仓储物流 运输服务 交通运输",
    "vehicle": "汽车 汽车销售 汽车服务 汽车租赁 汽车维修 汽车贸易 汽车配件 汽车科技 车业",
    "leasing": "租赁 设备租赁 机械租赁 融资租赁 建筑设备租赁 工程机械租赁",
    "machinery": "机械设备 机械 设备 机械制造 重工 机械工程 机床 电梯 空调 制冷设备 制冷 泵业 "
    "阀门 机械科技 工程机械 设备制造 机械技术 设备工程 精密机械 模具",
    "materials": "建材 建筑材料 新材料 材料 混凝土 商品混凝土 砂石 石材 陶瓷 玻璃 水泥 防水 "
    "防水材料 防水工程 涂料 门窗 幕墙 管业 管道 管材 木业 建材科技 新型建材 保温材料 "
    "幕墙工程 门窗工程 管道工程",
    "metal": "钢结构 钢铁 金属 五金 钢材 金属制品 不锈钢 铝业 钢结构工程 金属材料 铸造 有色金属",
    "chemical": "化工 化学 塑料 塑胶 橡胶 化工科技 化学品 化工材料 塑业 新材料科技",
    "culture": "文化传媒 文化传播 文化 传媒 广告 广告传媒 文化艺术 影视 印刷 包装 印务 出版 "
    "会展 展览 文化发展 文化科技 广告设计 标识 展示 文体",
    "education": "教育科技 教育 培训 教育咨询 职业培训 教育投资 教育发展 教育信息 教学设备",
    "agriculture": "食品 农业 农业科技 农业开发 林业 渔业 畜牧 养殖 种植 生态农业 农产品 粮油 "
    "茶业 酒业 饮品 农牧 农林 种业 水产 果蔬 农业发展 生鲜",
    "textile": "纺织 服饰 服装 鞋业 家纺 制衣 针织 印染 染整",
    "paper": "造纸 纸业 纸品",
    "household": "家具 家居 办公设备 办公家具 文具 日用品 百货 日用百货 劳保用品 体育用品 办公用品 "
    "家电 厨具 厨房设备 卫浴 灯饰 礼品 工艺品 电器维修 家电维修",
    "hospitality": "酒店管理 酒店 餐饮 餐饮管理 旅游 旅游开发 旅行社 体育 体育发展 健身 "
    "餐饮服务 旅游发展 文化旅游 文旅 宾馆 小吃 快餐 餐馆 面馆 火锅 烧烤 饭店 酒楼",
    "finance": "金融 金融服务 担保 融资担保 保险代理 保险经纪 典当 小额贷款 金融信息 "
    "金融科技 投资担保 资产评估 评估 拍卖",
    "mining": "矿业 矿产 矿产品 矿业开发 矿山 采矿",
    "law_accounting": "律师 会计师 税务师 资产评估师 造价师",
}


@lru_cache(maxsize=1)
def industry_groups() -> dict[str, str]:
    """Industry word → the group it belongs to (the first group wins for a repeated word)."""
    words: dict[str, str] = {}
    for group, text in _GROUPS.items():
        for word in text.split():
            words.setdefault(word, group)
    return words


@lru_cache(maxsize=1)
def _lengths_by_last_character() -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for word in industry_groups():
        lengths.setdefault(word[-1], set()).add(len(word))
    return {last: tuple(sorted(found, reverse=True)) for last, found in lengths.items()}


def industry_suffix(text: str, keep: int) -> str | None:
    """The longest industry word `text` ends with that leaves at least `keep` characters before
    it, or None."""
    if not text:
        return None
    lengths = _lengths_by_last_character().get(text[-1])
    if lengths is None:
        return None
    words = industry_groups()
    for length in lengths:
        if len(text) - length >= keep and text[-length:] in words:
            return text[-length:]
    return None


# Words that say little about the line of business: they neither confirm nor contradict.
GENERIC = frozenset({"实业", "实业发展", "发展", "产业", "产业发展", "服务", "管理", "工程", "信息", "商务", "智能"})


def head_group(words: tuple[str, ...]) -> str | None:
    """The group of the last word that is not generic (the head of a compound: 建筑 + 装饰工程
    is a 装饰工程 business, 信息技术 + 服务 an 信息技术 one); None when all are generic."""
    table = industry_groups()
    for word in reversed(words):
        if word not in GENERIC and word in table:
            return table[word]
    return None


CONFLICT_BELOW = 0.4  # an agreement below this is evidence against: different trades


def industries_conflict(a_words: tuple[str, ...], b_words: tuple[str, ...]) -> bool:
    """Whether two names both state an industry, of different trades (`industry_agreement`
    below `CONFLICT_BELOW`)."""
    return bool(a_words) and bool(b_words) and industry_agreement(a_words, b_words) < CONFLICT_BELOW


def industry_agreement(a_words: tuple[str, ...], b_words: tuple[str, ...]) -> float:
    """How far two names' industries agree, by the trades their words belong to:

    - 1.0 the same words; 0.9 the same trades (建设工程 ~ 建筑工程, 商贸 ~ 贸易);
    - 0.75 the same main trade, one name qualifying it further (装饰工程 ~ 建筑 + 装饰工程);
    - 0.6 when either says little (实业, 工程, 服务 …), or a bare 科技 meets another technology
      (电子科技, 信息技术): no evidence either way;
    - 0.2 the same main trade qualified differently (体育 + 供应链管理 against 电器 + 供应链管理);
    - 0.0 different main trades (工程咨询 against 建筑装饰工程, however many characters they share).
    """
    if a_words == b_words or "".join(a_words) == "".join(b_words):
        return 1.0
    a_group, b_group = head_group(a_words), head_group(b_words)
    if a_group is None or b_group is None:
        return 0.6
    if a_group != b_group:
        # a bare 科技 or 技术 fits any technology (电子科技, 环保科技, 信息技术), nothing else
        if "technology" in (a_group, b_group):
            other = "".join(b_words if a_group == "technology" else a_words)
            if "科技" in other or "技术" in other:
                return 0.6
        return 0.0
    a_all, b_all = _specific_groups(a_words), _specific_groups(b_words)
    if a_all == b_all:
        return 0.9
    return 0.75 if a_all <= b_all or b_all <= a_all else 0.2


def _specific_groups(words: tuple[str, ...]) -> frozenset[str]:
    table = industry_groups()
    return frozenset(table[w] for w in words if w not in GENERIC and w in table)
