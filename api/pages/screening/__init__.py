"""Screening pages (资格审查信用核查) for a trading centre or tender agency (screener key).

Enter or upload a project's bidders, see each bidder's decision with its hits explained, and print
the evidence (query time, who asked, what was checked, results, id and SHA-256 digest, how to
verify) for the project file. Every page goes through the same services as
`/api/v1/screenings`: a screening is evaluated in a reading transaction and stored in a short
writing one (`api.lifecycle.reads_first`), and who may read one is the API's rule.

One module per part: `labels` (the Chinese words for stored codes), `common` (rendering, Beijing
time, the caller, reads whose refusals become error pages), `entry` (the form and the screening
it sends), `results` (the result, the evidence, the stored document and the print's footer),
`summary` (each bidder's main reason in a few words, for the page both open with),
`dispositions` (marking a hit), `final_decisions` (最终处理意见 after a false positive), `history`
(the screenings listed, newest first). Each adds its routes to `bp`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("screening", __name__)

# The routes register as their modules are imported; they need `bp`, so they come after it.
from api.pages.screening import dispositions, entry, final_decisions, history, results  # noqa: E402,F401
