"""Supervisor console (监管工作台): one authority's records, their publication, disclosure deadlines,
credit-repair decisions, and forms to record a penalty (行政处罚) or a list entry (名单).

A supervisor key acts for one authority (谁批准、谁公开); an administrator sees every authority and
chooses one with the `authority` filter. Every page goes through the same services and schemas as
the JSON API, so a page shows and refuses what the API shows and refuses:

- **Another authority's record** is refused as the API refuses it. The detail page is the record
  (`GET /api/v1/penalties/{id}`) plus its history (`GET …/{id}/history`): a record the key may not
  read is 404, as the API's read answers (an unpublished record of another authority); a record
  it may read (published) but whose history is closed is 403, as the history answers. Neither
  error page carries anything of the record. Asking a list for another authority (`?authority=`)
  is 403, as the timeliness report answers it.
- **Forms load the API's marshmallow schema** (`PenaltyIn`, `ListEntryIn`, `ReasonArgs`) and call the
  API's service; what they refuse is shown next to the field with the API's own message (a
  Chinese gloss is put before the common ones). The page answers with the API's status (422,
  409, 412) and `api.lifecycle` rolls the request back, as for the API; a success is a 303.
- **Repair decisions carry the version** the page was drawn from in a hidden field, in place of
  If-Match: when someone changed the application meanwhile the service refuses it (412) and the
  page says so, showing the application as it now stands.

Decisions a reader should know:

- **What the console reads** (the authority shown, records with their publication state,
  deadlines) is `registry.records.console_queries`; how it says it is `api.pages.console.labels`.
- **The subject** of a new record is given by 统一社会信用代码 (18 characters, found through the
  entity service) or by the registered entity's number; a new subject is registered in 主体库 first.
- **A supervisor's form has no authority field**: the key's own authority is used, as the API
  defaults it; an `authority_id` forged into the form goes to the service, which refuses it (403).

- **Changing a record** (更正, 撤销, 移出, 信用修复) is a form drawn from the record at its version,
  which it carries in a hidden field in place of If-Match. A correction sends only the fields the
  person changed, as an API client's PATCH would. A stale version is answered with the form again
  and, in words, who changed the record, when and what, with the values it holds now (`edits`).
- **行政许可** (`licences`): listed, read, recorded, corrected and ended (撤销 / 注销) with the same
  helpers as penalties; its state is 当前状态 (有效, 已过期, 已撤销, 已注销), not a publication state.
- **主体库**: subjects are found by name or 统一社会信用代码 and registered through the entity API's
  schema and service; a subject's page lists the records the key may read and the subject's history.

The sections, each a module registering its views on `bp`: `records` (overview, lists and search,
one record, deadlines), `entities` (主体库), `forms` (recording), `corrections` (更正),
`transitions` (撤销, 移出, 信用修复), `applications` (a repair application), `repairs` (repair
decisions), `licences` (行政许可: list, page, form, 更正, 撤销 and 注销); `common` and `edits` hold
what they share, `labels` how it is said.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__)

# The sections register their views on `bp`.
from api.pages.console import (  # noqa: E402,F401
    applications,
    corrections,
    entities,
    forms,
    licences,
    records,
    repairs,
    transitions,
)
