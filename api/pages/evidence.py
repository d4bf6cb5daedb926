"""存证锚点公示 (public): the evidence tree's signed anchors and the key that signs them.

Anyone holding a screening's document and its inclusion proof can check it against an anchor
listed here and the key shown here, without trusting the registry; the same anchors go to the
credit platform, so a registry that rewrote its tree would disagree with what others keep.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from api.pages.screening.common import beijing
from registry.database import db
from registry.evidence.anchoring import recent_anchors
from registry.evidence.signing import ALGORITHM
from registry.runtime import current_runtime

bp = Blueprint("evidence_page", __name__)

PER_PAGE = 50
MAX_SIZE = 2**62


def _before() -> int | None:
    """`before` (a tree size) from the query string; anything else shows the newest anchors."""
    raw = request.args.get("before", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_SIZE else None


@bp.get("/evidence")
def anchors() -> tuple[str, int]:
    """存证锚点: newest first, with the signing key and how to check a screening against them."""
    found = recent_anchors(db.session(), before_size=_before(), limit=PER_PAGE)
    runtime = current_runtime()
    return render_template(
        "evidence.html",
        page=found,
        algorithm=ALGORITHM,
        public_key=runtime.signer.public_key_hex,
        interval=runtime.anchor_interval.total_seconds(),
        beijing=beijing,
    ), 200
