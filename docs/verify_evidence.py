"""Check a screening's evidence without trusting the registry: python3 verify_evidence.py document.json verify.json KEY
document.json: the downloaded document; verify.json: GET /api/v1/screenings/{id}/verify; KEY: the
public key hex from GET /api/v1/evidence/key, obtained separately. Needs `cryptography` (pip)."""

import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def root_from_proof(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: walk the audit path from the leaf up to the root."""
    if not 0 <= index < size:
        raise ValueError("the leaf index is outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sha256(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return r


def check(document: bytes, answer: dict, public_key_hex: str) -> str:
    """The document's digest, once it is shown to be in a tree whose root the key signed."""
    canonical = json.dumps(json.loads(document), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = sha256(canonical.encode())
    anchor, proof = answer["anchor"], [bytes.fromhex(h) for h in answer["inclusion_proof"]]
    root = root_from_proof(sha256(b"\x00" + digest), answer["leaf_index"], anchor["tree_size"], proof)
    if root.hex() != anchor["root"]:
        raise ValueError("the proof does not lead to the anchor's root: the document or the proof was altered")
    signed = {"root": anchor["root"], "timestamp": anchor["timestamp"], "tree_size": anchor["tree_size"]}
    message = json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
    key.verify(bytes.fromhex(anchor["signature"]), message)  # raises InvalidSignature when forged
    return digest.hex()


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as doc, open(sys.argv[2], encoding="utf-8") as ans:
        document, answer = doc.read(), json.load(ans)
    found = check(document, answer, sys.argv[3])
    print(
        f"OK: digest {found} is leaf {answer['leaf_index']} of tree {answer['anchor']['tree_size']}, signed by the key"
    )
