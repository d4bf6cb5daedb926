"""Closed vocabularies of the registry: stable codes with their Chinese terms.

These change only with the law itself (行政处罚法, 国办发〔2017〕97号), so they live in code;
rules that vary by authority or date (periods, deadlines, measures) are catalogue data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# 公共资源交易 trading domains: 国办发〔2017〕97号 plus the two that provinces add.
DOMAINS = {
    "housing": "保障性安居工程建设与保障性住房分配",
    "land": "国有土地使用权出让",
    "mining": "矿业权出让",
    "procurement": "政府采购",
    "state_assets": "国有产权交易",
    "construction_bidding": "工程建设项目招标投标",
    "drug_procurement": "药品（疫苗）和医用耗材采购",
    "emission_rights": "排污权交易",
}

# 机关所属系统 (the line of government an authority belongs to): some rules bind one 系统 only,
# e.g. 市场监管 authorities publish their own penalties under SAMR's rules (总局令第45号、第107号).
AUTHORITY_SECTORS = {
    "development_reform": "发展改革",
    "finance": "财政",
    "housing_construction": "住房城乡建设",
    "natural_resources": "自然资源",
    "state_assets": "国有资产监督管理",
    "market_supervision": "市场监督管理",
    "health": "卫生健康",
    "medical_security": "医疗保障",
    "ecology_environment": "生态环境",
    "transport": "交通运输",
    "water": "水利",
    "other": "其他",
}

# 处罚程序 (行政处罚法 第五章): 简易程序 (当场处罚) or 普通程序.
PROCEDURES = {"simple": "简易程序", "ordinary": "普通程序"}

# 行政相对人类别
ENTITY_KINDS = {
    "legal_entity": "法人及非法人组织",
    "individual_business": "个体工商户",
    "natural_person": "自然人",
}

# 名称类型: the current name, 曾用名 (a former registered name), or an alias (简称、商标名).
NAME_KINDS = {"current": "现用名", "former": "曾用名", "alias": "别名"}

# 失信相关人的角色 (发改法规〔2018〕457号: 负有责任的法定代表人、自然人股东、评标评审专家及其他相关人员)
RESPONSIBLE_ROLES = {
    "legal_representative": "法定代表人",
    "principal": "主要负责人",
    "natural_person_shareholder": "自然人股东",
    "evaluation_expert": "评标评审专家",
    "directly_responsible": "直接责任人员",
    "other": "其他相关人员",
}

# 公示状态 in the order pages show them; `registry.records.publication_state` decides between them.
PUBLICATION_STATES = {
    "published": "公示中",
    "unpublished": "尚未公示",
    "ended": "公示期满",
    "repaired": "已信用修复",
    "revoked": "已撤销",
    "not_public": "不公开",
}

# The two kinds of credit record.
RECORD_TYPES = {"penalty": "行政处罚", "list_entry": "名单"}

# 名单类型
LIST_TYPES = {"black": "黑名单", "red": "红名单", "watch": "重点关注名单"}

# Stored states of a list entry. "expired" is never stored: it is read from expires_on and
# the date of the question, so it is right even when no job has run.
LIST_ENTRY_STATES = {
    "active": "有效",
    "expired": "已到期",
    "removed": "已移出",
    "repaired": "已信用修复",
    "revoked": "已撤销",
}

# 处罚类别, 行政处罚法 (2021) 第九条.
PENALTY_CATEGORIES = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
    "其他",
)

# 失信程度: 轻微 / 一般 / 严重
SEVERITIES = {"minor": "轻微", "general": "一般", "serious": "严重"}

# States of a penalty record: in force, or revoked (撤销) by the deciding authority.
PENALTY_STATES = {"effective": "有效", "revoked": "已撤销"}

# 信用修复申请 states: submitted → accepted | rejected; accepted → repaired | rejected.
REPAIR_STATES = {
    "submitted": "已提交",
    "accepted": "已受理",
    "rejected": "不予修复",
    "repaired": "已修复",
}


@dataclass(frozen=True)
class Term:
    """A code as a message's value (registry.messages): its Chinese term for a person, the code
    itself in English for a developer ("revoked" / 已撤销)."""

    code: str
    words: str

    def render(self, locale: str) -> str:
        return self.code if locale == "en" else self.words

    def __str__(self) -> str:
        return self.code


def term(vocabulary: Mapping[str, str], code: str) -> Term:
    """The code with its term in `vocabulary` (an unknown code stands for itself)."""
    return Term(code, vocabulary.get(code, code))


def terms(vocabulary: Mapping[str, str], codes: Iterable[str] | None = None, *, sep: str = ", ") -> Term:
    """Several codes said together (every code of `vocabulary` when none are named): "a, b" in
    English, "甲（a）、乙（b）" in Chinese, for "must be one of …": the code is what the API takes."""
    chosen = list(vocabulary) if codes is None else list(codes)
    return Term(sep.join(chosen), "、".join(f"{vocabulary[c]}（{c}）" if c in vocabulary else c for c in chosen))
