"""The evidence tree against RFC 9162 §2.1: a literal transcription of the RFC's recursive
definitions over the whole list of leaves is the reference, and the published Certificate
Transparency test vectors pin the hashes themselves."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping

import pytest

from registry.evidence import merkle
from registry.evidence.merkle import NodeKey

# --- The reference: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 as written, over D = a list of entries.


def HASH(data: bytes) -> bytes:  # noqa: N802 (the RFC's name)
    return hashlib.sha256(data).digest()


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def MTH(D: list[bytes]) -> bytes:  # noqa: N802, N803
    n = len(D)
    if n == 0:
        return HASH(b"")
    if n == 1:
        return HASH(b"\x00" + D[0])
    k = largest_power_of_two_below(n)
    return HASH(b"\x01" + MTH(D[0:k]) + MTH(D[k:n]))


def PATH(m: int, D: list[bytes]) -> list[bytes]:  # noqa: N802, N803
    n = len(D)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return PATH(m, D[0:k]) + [MTH(D[k:n])]
    return PATH(m - k, D[k:n]) + [MTH(D[0:k])]


def turns(m: int, n: int) -> list[bool]:
    """Whether each element of PATH(m, D_n) is a right-hand sibling: PATH's recursion without hashes."""
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    return turns(m, k) + [True] if m < k else turns(m - k, n - k) + [False]


def SUBPROOF(m: int, D: list[bytes], b: bool) -> list[bytes]:  # noqa: N802, N803
    n = len(D)
    if m == n:
        return [] if b else [MTH(D)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return SUBPROOF(m, D[0:k], b) + [MTH(D[k:n])]
    return SUBPROOF(m - k, D[k:n], False) + [MTH(D[0:k])]


def PROOF(m: int, D: list[bytes]) -> list[bytes]:  # noqa: N802, N803
    return SUBPROOF(m, D, True)


# --- Fixtures: entries are SHA-256 digests, as the registry's are.

LEAVES = 70
EXHAUSTIVE = 40  # every (index, size) and every (m, n) pair up to this size
ENTRIES = [HASH(f"entry {i}".encode()) for i in range(LEAVES)]
LEAF_HASHES = [HASH(b"\x00" + e) for e in ENTRIES]


def reference_nodes(entries: list[bytes]) -> dict[NodeKey, bytes]:
    """Every perfect aligned node over `entries`, each computed by the reference MTH."""
    nodes: dict[NodeKey, bytes] = {}
    level = 0
    while (1 << level) <= len(entries):
        width = 1 << level
        for j in range(len(entries) // width):
            nodes[(level, j)] = MTH(entries[j * width : (j + 1) * width])
        level += 1
    return nodes


NODES = reference_nodes(ENTRIES)


def only(keys: set[NodeKey], size: int) -> dict[NodeKey, bytes]:
    """Just the nodes named, each asserted to be complete in a tree of `size` leaves: a proof for an
    older head must never read a node that was only completed later."""
    for level, index in keys:
        assert (index + 1) << level <= size, (level, index, size)
    return {key: NODES[key] for key in keys}


def flipped(proof: list[bytes], i: int) -> list[bytes]:
    tampered = list(proof)
    tampered[i] = bytes([tampered[i][0] ^ 0x10]) + tampered[i][1:]
    return tampered


# --- The hashes


def test_leaf_and_node_hashes_have_the_rfc_prefixes() -> None:
    d = ENTRIES[0]
    assert merkle.leaf_hash(d) == MTH([d])
    assert merkle.node_hash(LEAF_HASHES[0], LEAF_HASHES[1]) == MTH(ENTRIES[:2])
    assert merkle.EMPTY_ROOT == MTH([]) == hashlib.sha256(b"").digest()
    assert merkle.root(0, {}) == MTH([])
    assert merkle.root_keys(0) == set()


def test_a_leaf_is_a_raw_digest() -> None:
    with pytest.raises(ValueError, match="32 raw bytes"):
        merkle.leaf_hash(ENTRIES[0].hex().encode())
    with pytest.raises(ValueError, match="32 bytes"):
        merkle.new_perfect_nodes(0, [b"short"], {})


def test_roots_match_the_reference_for_every_size() -> None:
    for size in range(1, LEAVES + 1):
        assert merkle.root(size, only(merkle.root_keys(size), size)) == MTH(ENTRIES[:size]), size


def test_perfect_ranges_follow_the_rfc_split() -> None:
    def reached(start: int, end: int) -> list[tuple[int, int]]:
        """Every range the RFC 9162 §2.1.1 recursion visits from D[start:end]."""
        if end - start <= 1:
            return [(start, end)]
        k = largest_power_of_two_below(end - start)
        return [(start, end), *reached(start, start + k), *reached(start + k, end)]

    for size in range(1, LEAVES + 1):
        for start, end in reached(0, size):
            keys = merkle.perfect_ranges(start, end)
            covered = [(index << level, (index + 1) << level) for level, index in keys]
            # Contiguous, left to right, over exactly the range.
            assert covered[0][0] == start
            assert covered[-1][1] == end
            assert all(a[1] == b[0] for a, b in zip(covered, covered[1:], strict=False))
            # Stopping at the first perfect aligned range: a power-of-two aligned range is one node.
            n = end - start
            if n & (n - 1) == 0 and start % n == 0:
                assert keys == [(n.bit_length() - 1, start // n)]
            assert merkle.range_hash(start, end, only(set(keys), size)) == MTH(ENTRIES[start:end])
    assert merkle.perfect_ranges(5, 5) == []
    with pytest.raises(ValueError, match="no range"):
        merkle.perfect_ranges(3, 2)


def test_range_hash_is_mth_of_any_range() -> None:
    for start in range(EXHAUSTIVE):
        for end in range(start, EXHAUSTIVE + 1):
            keys = set(merkle.perfect_ranges(start, end))
            assert merkle.range_hash(start, end, only(keys, end)) == MTH(ENTRIES[start:end])


# --- Inclusion: RFC 9162 §2.1.3


def test_inclusion_proofs_match_the_reference_and_verify() -> None:
    for size in range(1, LEAVES + 1):
        head = MTH(ENTRIES[:size])
        indexes = range(size) if size <= EXHAUSTIVE else sorted({0, 1, size // 2, size - 2, size - 1})
        for index in indexes:
            proof = merkle.inclusion_proof(index, size, only(merkle.inclusion_keys(index, size), size))
            assert proof == PATH(index, ENTRIES[:size]), (index, size)
            assert merkle.verify_inclusion(LEAF_HASHES[index], index, size, proof, head), (index, size)


def test_inclusion_verification_refuses_what_does_not_hold() -> None:
    for size in range(1, EXHAUSTIVE + 1):
        head = MTH(ENTRIES[:size])
        for index in range(size):
            leaf, proof = LEAF_HASHES[index], PATH(index, ENTRIES[:size])
            for wrong_index in {index - 1, index + 1, index ^ 2, size, -1} - {index}:
                assert not merkle.verify_inclusion(leaf, wrong_index, size, proof, head), (index, wrong_index, size)
            # The size is bound to the head by the signed anchor, not by the proof: a size whose path
            # takes the same turns (leaf 0 of 3 and of 4) verifies alike, any other must not.
            for wrong_size in {size + 1, size * 2, size // 2, size - 1} - {size}:
                alike = wrong_size > index and turns(index, wrong_size) == turns(index, size)
                assert merkle.verify_inclusion(leaf, index, wrong_size, proof, head) == alike, (index, size, wrong_size)
            for i in range(len(proof)):
                assert not merkle.verify_inclusion(leaf, index, size, flipped(proof, i), head), (index, size, i)
            assert not merkle.verify_inclusion(leaf, index, size, proof, MTH(ENTRIES[: size + 1]))
            assert not merkle.verify_inclusion(LEAF_HASHES[size], index, size, proof, head)
            assert not merkle.verify_inclusion(leaf, index, size, [*proof, head], head)
            assert not merkle.verify_inclusion(leaf, index, size, [head, *proof], head)
            if proof:
                assert not merkle.verify_inclusion(leaf, index, size, proof[:-1], head)


def test_inclusion_proof_refuses_a_leaf_outside_the_tree() -> None:
    for index, size in [(0, 0), (3, 3), (-1, 4)]:
        with pytest.raises(ValueError, match="not in a tree"):
            merkle.inclusion_keys(index, size)
        with pytest.raises(ValueError, match="not in a tree"):
            merkle.inclusion_proof(index, size, NODES)


# --- Consistency: RFC 9162 §2.1.4


def test_consistency_proofs_match_the_reference_and_verify() -> None:
    for new in range(1, LEAVES + 1):
        olds = range(1, new + 1) if new <= EXHAUSTIVE else sorted({1, 2, new // 2, new - 1, new})
        for old in olds:
            proof = merkle.consistency_proof(old, new, only(merkle.consistency_keys(old, new), new))
            assert proof == PROOF(old, ENTRIES[:new]), (old, new)
            assert merkle.verify_consistency(old, new, MTH(ENTRIES[:old]), MTH(ENTRIES[:new]), proof), (old, new)
    assert merkle.consistency_proof(5, 5, {}) == []


def test_consistency_verification_refuses_what_does_not_hold() -> None:
    for new in range(2, EXHAUSTIVE + 1):
        for old in range(1, new):
            old_head, new_head = MTH(ENTRIES[:old]), MTH(ENTRIES[:new])
            proof = PROOF(old, ENTRIES[:new])
            assert not merkle.verify_consistency(old, new, new_head, old_head, proof), (old, new)
            assert not merkle.verify_consistency(old, new, old_head, MTH(ENTRIES[1 : new + 1]), proof)
            assert not merkle.verify_consistency(old, new, MTH(ENTRIES[1 : old + 1]), new_head, proof)
            for i in range(len(proof)):
                assert not merkle.verify_consistency(old, new, old_head, new_head, flipped(proof, i)), (old, new, i)
            assert not merkle.verify_consistency(old, new, old_head, new_head, proof[:-1]), (old, new)
            assert not merkle.verify_consistency(old, new, old_head, new_head, [*proof, new_head]), (old, new)
            assert not merkle.verify_consistency(old, new, old_head, new_head, [proof[0], *proof]), (old, new)
            # As for inclusion, sizes are bound to the heads by the anchors: only sizes whose proof
            # has another length must be refused by the proof itself.
            for wrong_old in {old - 1, old + 1, old ^ 2} - {old, new}:
                if not 0 < wrong_old < new or len(PROOF(wrong_old, ENTRIES[:new])) != len(proof):
                    assert not merkle.verify_consistency(wrong_old, new, old_head, new_head, proof), (old, wrong_old)
            for wrong_new in {new + 1, new * 2, new - 1} - {new, old}:
                if len(PROOF(old, ENTRIES[:wrong_new])) != len(proof):
                    assert not merkle.verify_consistency(old, wrong_new, old_head, new_head, proof), (
                        old,
                        new,
                        wrong_new,
                    )


def test_consistency_of_equal_sizes_and_refused_sizes() -> None:
    head = MTH(ENTRIES[:5])
    assert merkle.verify_consistency(5, 5, head, head, [])
    assert not merkle.verify_consistency(5, 5, head, MTH(ENTRIES[:6]), [])
    assert not merkle.verify_consistency(5, 5, head, head, [head])
    assert not merkle.verify_consistency(0, 5, MTH([]), head, [])
    assert not merkle.verify_consistency(6, 5, MTH(ENTRIES[:6]), head, [])
    for old, new in [(0, 5), (0, 0), (6, 5), (-1, 3)]:
        with pytest.raises(ValueError, match="no consistency proof"):
            merkle.consistency_keys(old, new)
        with pytest.raises(ValueError, match="no consistency proof"):
            merkle.consistency_proof(old, new, NODES)


# --- Appending


def test_appends_in_random_batches_build_the_same_nodes() -> None:
    from_scratch = merkle.new_perfect_nodes(0, LEAF_HASHES, {})
    assert from_scratch == NODES
    for seed in range(20):
        pick = random.Random(seed)  # noqa: S311 (batch sizes for a test, not a secret)
        store: dict[NodeKey, bytes] = {}
        size = 0
        while size < LEAVES:
            batch = LEAF_HASHES[size : size + pick.choice([0, 1, 1, 2, 3, 4, 5, 7, 8, 13])]
            keys = merkle.append_keys(size, len(batch))
            assert len({level for level, _ in keys}) == len(keys), "at most one node per level"
            assert keys <= store.keys()
            made = merkle.new_perfect_nodes(size, batch, {key: store[key] for key in keys})
            assert not made.keys() & store.keys(), "a complete node is never made again"
            store.update(made)
            size += len(batch)
            assert store == {key: NODES[key] for key in NODES if (key[1] + 1) << key[0] <= size}
            assert merkle.root(size, store) == MTH(ENTRIES[:size])
        assert store == from_scratch


def test_append_refuses_negative_sizes() -> None:
    with pytest.raises(ValueError, match="cannot append"):
        merkle.append_keys(-1, 2)
    with pytest.raises(ValueError, match="cannot append"):
        merkle.append_keys(2, -1)
    with pytest.raises(ValueError, match="no tree"):
        merkle.new_perfect_nodes(-1, LEAF_HASHES[:1], {})
    assert merkle.append_keys(5, 0) == set()
    assert merkle.new_perfect_nodes(5, [], NODES) == {}


# --- Published test vectors
#
# Leaf inputs, the hashes of every complete subtree and the tree heads for sizes 0..8 are copied
# from transparency-dev/merkle, testonly/constants.go (LeafInputs, NodeHashes, RootHashes); the
# inclusion and consistency proofs from transparency-dev/merkle, proof/verify_test.go
# (inclusionProofs, whose leaf numbers are 1-based, and consistencyProofs). Those leaf inputs are
# not 32-byte digests, so their leaf hashes are taken with hashlib, as RFC 9162 §2.1.1 defines them.

VECTOR_INPUTS = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
VECTOR_NODES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
VECTOR_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, 0-based; tree size; audit path)
VECTOR_INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, consistency proof)
VECTOR_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


@pytest.fixture(scope="module")
def vector_nodes() -> Mapping[NodeKey, bytes]:
    leaves = [HASH(b"\x00" + bytes.fromhex(data)) for data in VECTOR_INPUTS]
    return merkle.new_perfect_nodes(0, leaves, {})


def test_vector_nodes_and_roots(vector_nodes: Mapping[NodeKey, bytes]) -> None:
    expected = {(level, i): bytes.fromhex(h) for level, row in enumerate(VECTOR_NODES) for i, h in enumerate(row)}
    assert dict(vector_nodes) == expected
    for size, head in enumerate(VECTOR_ROOTS):
        assert merkle.root(size, vector_nodes).hex() == head, size
        assert MTH([bytes.fromhex(d) for d in VECTOR_INPUTS[:size]]).hex() == head, size


@pytest.mark.parametrize(("index", "size", "path"), VECTOR_INCLUSION)
def test_vector_inclusion_proofs(vector_nodes: Mapping[NodeKey, bytes], index: int, size: int, path: list[str]) -> None:
    proof = merkle.inclusion_proof(index, size, vector_nodes)
    assert [p.hex() for p in proof] == path
    leaf = vector_nodes[(0, index)]
    assert merkle.verify_inclusion(leaf, index, size, proof, bytes.fromhex(VECTOR_ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "path"), VECTOR_CONSISTENCY)
def test_vector_consistency_proofs(vector_nodes: Mapping[NodeKey, bytes], old: int, new: int, path: list[str]) -> None:
    proof = merkle.consistency_proof(old, new, vector_nodes)
    assert [p.hex() for p in proof] == path
    old_head, new_head = bytes.fromhex(VECTOR_ROOTS[old]), bytes.fromhex(VECTOR_ROOTS[new])
    assert merkle.verify_consistency(old, new, old_head, new_head, proof)
