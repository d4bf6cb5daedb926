"""The evidence tree's hashes and proofs: RFC 9162 (Certificate Transparency v2) §2.1, exactly.

Pure functions: no database, no Flask. The caller keeps the tree as the hashes of its perfect
aligned subtrees only. Key ``(level, index)`` names the subtree over leaves
``[index·2^level, (index+1)·2^level)``; level 0 holds the leaf hashes. Such a node never changes
once its last leaf is appended, so the store is append-only like the log itself. Every other hash
the RFC needs (the head of a tree whose size is not a power of two, a right-hand sibling in such a
tree) is computed from stored nodes by the RFC 9162 §2.1.1 recursion.

Each proof comes in two halves: a ``*_keys`` function names every stored node it will read, so
that the caller fetches them all in one query, and the proof function then takes them as a
mapping (a missing node raises ``KeyError``). The verifiers take no store at all: they are what a
verifier outside the registry runs, given only a proof and tree heads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

NodeKey = tuple[int, int]
"""``(level, index)``: the perfect aligned subtree over leaves [index·2^level, (index+1)·2^level)."""

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""RFC 9162 §2.1.1: MTH({}) = HASH(), the head of the empty tree."""


def leaf_hash(digest: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)), d(0) being an entry's 32-byte SHA-256 digest."""
    # A hex string or a whole record passed by mistake would hash into a tree nobody could rebuild
    # from the published digests.
    if len(digest) != HASH_SIZE:
        raise ValueError(f"a leaf is the {HASH_SIZE} raw bytes of a SHA-256 digest, not {len(digest)} bytes")
    return hashlib.sha256(b"\x00" + digest).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: an interior node is HASH(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """RFC 9162 §2.1.1: k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _stored(start: int, end: int) -> NodeKey | None:
    """The key of D[start:end] when it is a perfect aligned subtree, which the store holds."""
    n = end - start
    if n > 0 and n & (n - 1) == 0 and start % n == 0:
        level = n.bit_length() - 1
        return level, start >> level
    return None


def _check_range(start: int, end: int) -> None:
    if not 0 <= start <= end:
        raise ValueError(f"no range of leaves [{start}, {end})")


def _collect(start: int, end: int, out: list[NodeKey]) -> None:
    key = _stored(start, end)
    if key is not None:
        out.append(key)
        return
    k = _split(end - start)
    _collect(start, start + k, out)
    _collect(start + k, end, out)


def perfect_ranges(start: int, end: int) -> list[NodeKey]:
    """The stored nodes MTH(D[start:end]) is computed from, left to right (RFC 9162 §2.1.1).

    The RFC recursion splits at k, the largest power of two below the length; it stops here at the
    first range that is a perfect aligned subtree, whose hash is stored. Empty for an empty range.
    """
    _check_range(start, end)
    out: list[NodeKey] = []
    if start < end:
        _collect(start, end, out)
    return out


def _mth(start: int, end: int, nodes: Mapping[NodeKey, bytes]) -> bytes:
    key = _stored(start, end)
    if key is not None:
        return nodes[key]
    k = _split(end - start)
    return node_hash(_mth(start, start + k, nodes), _mth(start + k, end, nodes))


def range_hash(start: int, end: int, nodes: Mapping[NodeKey, bytes]) -> bytes:
    """MTH(D[start:end]) (RFC 9162 §2.1.1) from the stored nodes `perfect_ranges` names."""
    _check_range(start, end)
    return _mth(start, end, nodes) if start < end else EMPTY_ROOT


def root_keys(size: int) -> set[NodeKey]:
    """The stored nodes the head of a tree of `size` leaves is computed from."""
    return set(perfect_ranges(0, size))


def root(size: int, nodes: Mapping[NodeKey, bytes]) -> bytes:
    """The tree head MTH(D[0:size]) (RFC 9162 §2.1.1); SHA-256 of nothing for the empty tree."""
    return range_hash(0, size, nodes)


def _keys_of(ranges: list[tuple[int, int]]) -> set[NodeKey]:
    keys: set[NodeKey] = set()
    for start, end in ranges:
        keys.update(perfect_ranges(start, end))
    return keys


def _path_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH make up PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), in its order."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    # Walked from the root down; the RFC appends each level's sibling after the path below it, so
    # the siblings found on the way down come out in reverse.
    siblings: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            start += k
    siblings.reverse()
    return siblings


def inclusion_keys(index: int, size: int) -> set[NodeKey]:
    """The stored nodes `inclusion_proof` reads for leaf `index` in a tree of `size` leaves."""
    return _keys_of(_path_ranges(index, size))


def inclusion_proof(index: int, size: int, nodes: Mapping[NodeKey, bytes]) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1: the sibling hashes from the leaf up to the root."""
    return [_mth(start, end, nodes) for start, end in _path_ranges(index, size)]


def _subproof_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH make up PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1)."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from a tree of {old_size} leaves to one of {new_size}")
    siblings: list[tuple[int, int]] = []
    start, end, m = 0, new_size, old_size
    # b of SUBPROOF(m, D, b): it turns false once the walk goes right, because the old head is then
    # not a node of the new tree and the verifier cannot start from it (the proof must carry it).
    whole = True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            m -= k
            start += k
            whole = False
    siblings.reverse()
    return siblings if whole else [(start, end), *siblings]


def consistency_keys(old_size: int, new_size: int) -> set[NodeKey]:
    """The stored nodes `consistency_proof` reads between these two tree sizes."""
    return _keys_of(_subproof_ranges(old_size, new_size))


def consistency_proof(old_size: int, new_size: int, nodes: Mapping[NodeKey, bytes]) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) = SUBPROOF(old_size, D[0:new_size], true) of RFC 9162 §2.1.4.1.

    Empty when the sizes are equal. An old size of 0, or one beyond the new size, is refused with
    ValueError: the RFC defines the proof for 0 < m <= n only.
    """
    return [_mth(start, end, nodes) for start, end in _subproof_ranges(old_size, new_size)]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether `proof` shows leaf hash `leaf` at `index` in the tree of `size` leaves with head `root`.

    RFC 9162 §2.1.3.2 step by step; it reads no store, as a verifier outside the registry would not.
    """
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False  # the proof is longer than the path from this leaf to the root
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # fn == sn with LSB(fn) clear: the leaf is the last one and its subtree has no right
            # sibling at these levels, so they are skipped.
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether `proof` shows the tree with head `new_root` extends the one with head `old_root`.

    RFC 9162 §2.1.4.2 step by step, reading no store. Its precondition is 0 < old_size < new_size;
    equal sizes are consistent exactly when the heads are equal and the proof is empty, and an old
    size of 0 is refused as `consistency_proof` refuses it.
    """
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is a perfect subtree of the new one, so the proof leaves its head out.
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def append_keys(old_size: int, count: int) -> set[NodeKey]:
    """The stored nodes `new_perfect_nodes` reads when `count` leaves follow `old_size` ones.

    At most one per level: the stored left child of the first node completed at the level above,
    when that child was already complete before the append.
    """
    if old_size < 0 or count < 0:
        raise ValueError(f"cannot append {count} leaves to a tree of {old_size}")
    new_size = old_size + count
    keys: set[NodeKey] = set()
    level = 0
    while (old_size >> (level + 1)) < (new_size >> (level + 1)):
        if (old_size >> level) & 1:
            keys.add((level, (old_size >> level) - 1))
        level += 1
    return keys


def new_perfect_nodes(old_size: int, leaves: Sequence[bytes], nodes: Mapping[NodeKey, bytes]) -> dict[NodeKey, bytes]:
    """Every perfect aligned node completed by appending `leaves` (leaf hashes) after `old_size` ones.

    The leaves themselves are among them (level 0). `nodes` must hold what `append_keys` names;
    nodes completed earlier are not returned, since they never change.
    """
    if old_size < 0:
        raise ValueError(f"no tree of {old_size} leaves")
    for leaf in leaves:
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, not {len(leaf)}")
    new_size = old_size + len(leaves)
    made: dict[NodeKey, bytes] = {(0, old_size + i): leaf for i, leaf in enumerate(leaves)}
    level = 1
    # Node (level, j) is complete once (j + 1)·2^level <= size: the new ones at a level are
    # j in [old_size >> level, new_size >> level), and once a level has none, no level above has.
    while (old_size >> level) < (new_size >> level):
        for j in range(old_size >> level, new_size >> level):
            left, right = (level - 1, 2 * j), (level - 1, 2 * j + 1)
            made[(level, j)] = node_hash(made[left] if left in made else nodes[left], made[right])
        level += 1
    return made
