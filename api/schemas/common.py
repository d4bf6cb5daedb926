"""Pieces every area's schemas use."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from registry.database import MAX_AMOUNT_WAN
from registry.records.common import MAX_PER_PAGE

# The widest id the database holds: ids are INTEGER primary keys on PostgreSQL. A wider number in
# a body or a query would otherwise fail in the database (a 500); bounded here, it is a 422 that
# names the field, and OpenAPI shows the bound.
ID_MAX = 2**31 - 1
# Outbox and audit sequence numbers are BIGINT.
SEQ_MAX = 2**63 - 1
# OFFSET = (page − 1) × per_page must stay a small integer on every database.
PAGE_MAX = 1_000_000


class StrictSchema(ma.Schema):
    """Refuses fields it does not know, so a typo is an error, never silently ignored.

    Text with a NUL character is refused too: PostgreSQL cannot store or compare it, and no
    name, number or reason legitimately contains one.
    """

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_nul(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            for key, value in data.items():
                values = value if isinstance(value, list) else [value]
                if any(isinstance(v, str) and "\x00" in v for v in values):
                    raise ma.ValidationError("must not contain NUL characters", field_name=str(key))
        return data


def ref_id(**kwargs: Any) -> fields.Integer:
    """A reference to a record (an entity, an authority, a penalty …): 1 … 2^31 − 1."""
    return fields.Integer(strict=False, validate=validate.Range(min=1, max=ID_MAX), **kwargs)


def sequence_number(**kwargs: Any) -> fields.Integer:
    """An outbox or audit sequence number: 0 … 2^63 − 1."""
    return fields.Integer(validate=validate.Range(min=0, max=SEQ_MAX), **kwargs)


class Amount(fields.Decimal):
    """An amount in 万元, exact to the fen (six decimals), at most what the database column holds.

    Returned as a decimal string ("0.5"), never a binary float; a JSON number is accepted as well
    as a string. OpenAPI shows it as a string with format "decimal" and a pattern.
    """

    PATTERN = r"^[0-9]{1,13}(\.[0-9]{1,6})?$"

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": self.PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(
            as_string=True,
            allow_nan=False,
            validate=validate.Range(min=0, max=MAX_AMOUNT_WAN),
            metadata=metadata,
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        # The documented pattern, not whatever Decimal() reads: "1e3", "+5", " 5", "5." and a JSON
        # true are refused, so an amount means the same in every client and in the database.
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ma.ValidationError('must be an amount in 万元 as a decimal string such as "0.5"')
        text = value if isinstance(value, str) else format(value, "f") if isinstance(value, float) else str(value)
        if isinstance(value, float):
            text = text.rstrip("0").rstrip(".") if "." in text else text
        if not re.fullmatch(self.PATTERN, text):
            raise ma.ValidationError(f"must match {self.PATTERN}: digits, then at most 6 decimals (万元)")
        return super()._deserialize(text, attr, data, **kwargs)


# The dates a record can carry: from the founding of the People's Republic to the end of this century.
# Outside it a date is a typing error (0026-11-02, 20261-01-01), and some are out of the database's range.
FIRST_DAY, LAST_DAY = dt.date(1949, 1, 1), dt.date(2100, 12, 31)


class Day(fields.Date):
    """A date (YYYY-MM-DD) from 1949-01-01 to 2100-12-31; outside it a 422 naming the field."""

    def __init__(self, **kwargs: Any) -> None:
        extra = kwargs.pop("validate", None)
        validators = [
            validate.Range(
                min=FIRST_DAY,
                max=LAST_DAY,
                error=f"must be a date from {FIRST_DAY} to {LAST_DAY}（日期须在1949年至2100年之间）",
            )
        ]
        if extra is not None:
            validators.extend(extra if isinstance(extra, list | tuple) else [extra])
        super().__init__(validate=validators, **kwargs)


def text(max_len: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=max_len), **kwargs)


def one_of(choices: dict[str, str] | tuple[str, ...], **kwargs: Any) -> fields.String:
    """A code from a closed vocabulary; OpenAPI shows the choices."""
    return fields.String(validate=validate.OneOf(list(choices)), **kwargs)


class PageArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=PAGE_MAX))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ReasonArgs(StrictSchema):
    """Why a change is made: kept in the audit log (全程留痕)."""

    reason = text(2000, required=True)


def patch_of(
    schema: type[ma.Schema],
    name: str,
    *,
    exclude: tuple[str, ...] = (),
    extra: dict[str, fields.Field[Any]] | None = None,
) -> type[ma.Schema]:
    """The same fields, all optional and without defaults: a PATCH carries only what changes.

    (A default such as is_public=True would otherwise silently publish a record on every patch.)
    """
    optional: dict[str, fields.Field[Any]] = {}
    for field_name, field in schema._declared_fields.items():
        if field_name in exclude:
            continue
        copied = copy.deepcopy(field)
        copied.required = False
        copied.load_default = ma.missing
        optional[field_name] = copied
    optional.update(extra or {})
    return StrictSchema.from_dict(optional, name=name)


def page_of(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A response schema for one page of `item`: items, page, per_page, total."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
        name=name,
    )
