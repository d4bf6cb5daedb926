"""/api/v1/evidence: the evidence tree's signing key, its anchors, and consistency proofs between them.

Everything here is public: an anchor says only how many screenings the tree holds and its root,
and the point is that anyone can check the registry against what it published before.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.schemas.evidence import AnchorArgs, AnchorList, ConsistencyArgs, ConsistencyOut, KeyOut
from api.smorest import Blueprint
from registry.database import db
from registry.evidence.anchoring import anchor_page
from registry.evidence.proofs import consistency
from registry.evidence.signing import ALGORITHM
from registry.runtime import current_runtime

blp = Blueprint(
    "evidence",
    __name__,
    url_prefix="/api/v1/evidence",
    description="存证默克尔树: screenings anchored in an RFC 9162 tree, each anchor signed with Ed25519",
)


@blp.route("/key")
class Key(MethodView):
    @blp.response(200, KeyOut)
    def get(self) -> Any:
        """The public key that signs the anchors (Ed25519, hex of the 32 raw bytes)."""
        return {"algorithm": ALGORITHM, "public_key": current_runtime().signer.public_key_hex}


@blp.route("/anchors")
class Anchors(MethodView):
    @blp.arguments(AnchorArgs, location="query")
    @blp.response(200, AnchorList)
    def get(self, args: dict[str, Any]) -> Any:
        """The anchors in tree-size order, each with its signature and audit row."""
        return anchor_page(db.session(), after_size=args["after"], limit=args["limit"])


@blp.route("/consistency")
class Consistency(MethodView):
    @blp.arguments(ConsistencyArgs, location="query")
    @blp.response(200, ConsistencyOut)
    def get(self, args: dict[str, Any]) -> Any:
        """RFC 9162 consistency proof between two anchored tree sizes (`from` ≤ `to`)."""
        return consistency(db.session(), args["from_"], args["to"])
