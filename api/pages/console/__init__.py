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
  entity service) or by the registered entity's number; registering a new entity stays with the API.
- **A supervisor's form has no authority field**: the key's own authority is used, as the API
  defaults it; an `authority_id` forged into the form goes to the service, which refuses it (403).

The sections, each a module registering its views on `bp`: `records` (overview, lists, one record,
deadlines), `repairs` (repair decisions), `forms` (recording); `common` holds what they share.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__)

# The sections register their views on `bp`.
from api.pages.console import forms, records, repairs  # noqa: E402,F401
