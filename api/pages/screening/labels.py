"""The screening pages' words: each code the services store, as the pages show it in Chinese."""

from __future__ import annotations

from api.pages.auth import ROLE_NAMES
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    PENALTY_STATES,
    SEVERITIES,
)

DECISIONS = {"block": "禁止", "review": "需复核", "clear": "通过"}
# A mark beside the word, as a paper form ticks a box: it survives a black-and-white copy.
MARKS = {"block": "×", "review": "△", "clear": "√"}
DECISION_MEANINGS = {
    "block": "不得参加：命中主体带有禁止性惩戒措施",
    "review": "须由经办人复核后决定",
    "clear": "未发现影响资格的记录",
}
MATCHES = {"exact": "精确匹配", "strong": "高度相似", "possible": "疑似"}
RELATIONS = {"self": "本名", "former_name": "曾用名", "alias": "别名", "branch_of": "分支机构"}
FEATURES = {
    "code": "统一社会信用代码",
    "trade_name": "字号",
    "industry": "行业",
    "region": "行政区划",
    "legal_form": "组织形式",
    "branch": "分支机构",
    "set_aside": "不属于名称的括注（已略去）",
    "alias": "别名",
    "id_number": "证件号码",
}
CAPACITIES = {"legal_representative": "法定代表人", "self": ""}  # whose ID a 失信相关人 link was found by
EFFECTS = {"block": "禁止性惩戒措施", "review": "重点核查措施", "incentive": "守信激励措施"}
CERTAINTIES = {"firm": "依据明确", "likely": "据公开资料整理，执行前请核对现行失信惩戒措施基础清单"}
DISPOSITIONS = {"false_positive": "误报（不是同一主体）", "confirmed": "确认（是同一主体）"}
FINAL_DECISIONS = {"admitted": "准予参与", "rejected": "不予参与"}
RECORD_TYPES = {"list_entry": "名单记录", "penalty": "行政处罚"}
WITHHELD_FIELDS = {
    "facts": "事实",
    "legal_basis": "依据",
    "basis": "处罚依据",
    "content": "处罚内容",
    "violation_type": "违法行为类型",
    "remarks": "备注",
    "licence_affected": "暂扣或吊销证照",
    "not_public_reason": "不公开理由",
    "reason_category": "列入原因",
    "status_reason": "状态变更理由",
    "revocation_reason": "撤销理由",
    "confiscation_amount": "没收金额",
}
LABELS = {
    "decisions": DECISIONS,
    "decision_meanings": DECISION_MEANINGS,
    "marks": MARKS,
    "matches": MATCHES,
    "relations": RELATIONS,
    "features": FEATURES,
    "effects": EFFECTS,
    "certainties": CERTAINTIES,
    "dispositions": DISPOSITIONS,
    "final_decisions": FINAL_DECISIONS,
    "record_types": RECORD_TYPES,
    "withheld": WITHHELD_FIELDS,
    "domains": DOMAINS,
    "list_types": LIST_TYPES,
    "entry_states": LIST_ENTRY_STATES,
    "penalty_states": PENALTY_STATES,
    "severities": SEVERITIES,
    "kinds": ENTITY_KINDS,
    "roles": ROLE_NAMES,
}
