"""Check a screening's or credit report's evidence without trusting the registry (docs/evidence.md). Needs
`pip install cryptography`. python3 verify_evidence.py document.json verify.json PUBLIC_KEY_HEX
(verify.json: GET …/screenings/N/verify or …/credit-reports/NUMBER/verify; document.json: its `document`)"""

import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def root_from_proof(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: from the leaf up the audit path to the root."""
    if not 0 <= index < size:
        raise ValueError("the leaf index is outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            r = h(b"\x01" + p + r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = h(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return r


def check(document: bytes, answer: dict, public_key_hex: str) -> str:
    """The document's digest, once shown to be a leaf of a tree whose head the key signed (raises otherwise)."""
    canonical = json.dumps(json.loads(document), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest, anchor = h(canonical.encode()), answer["anchor"]
    proof = [bytes.fromhex(p) for p in answer["inclusion_proof"]]
    if root_from_proof(h(b"\x00" + digest), answer["leaf_index"], anchor["tree_size"], proof).hex() != anchor["root"]:
        raise ValueError("the proof does not lead to the anchor's root: the document or the proof was altered")
    signed = json.dumps(
        {k: anchor[k] for k in ("root", "timestamp", "tree_size")}, sort_keys=True, separators=(",", ":")
    )
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
    key.verify(bytes.fromhex(anchor["signature"]), signed.encode())  # raises InvalidSignature when forged
    return digest.hex()


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as doc, open(sys.argv[2], encoding="utf-8") as ans:
        document, answer = doc.read(), json.load(ans)
    print(f"OK: {check(document, answer, sys.argv[3])} is leaf {answer['leaf_index']} of a tree the key signed")
