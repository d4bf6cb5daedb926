"""What every national rendering shares (sync.national, sync.national_licences): the data source,
a vocabulary term in Chinese, and the subject's code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER


@dataclass(frozen=True)
class DataSource:
    """数据来源单位: who supplied a record, by name and 统一社会信用代码."""

    name: str | None
    uscc: str | None


NO_SOURCE = DataSource(None, None)


def term(vocabulary: Mapping[str, str], code: Any) -> Any:
    # An unknown code is passed through rather than dropped: a new vocabulary entry must not
    # silently blank a field the platform needs.
    return vocabulary.get(code, code) if code else None


def subject_uscc(code: str | None, entity: Mapping[str, Any] | None) -> str | None:
    if code:
        return code
    if entity is not None and entity.get("kind") == "individual_business":
        return INDIVIDUAL_BUSINESS_PLACEHOLDER
    return None
