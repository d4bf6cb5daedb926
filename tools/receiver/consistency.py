"""`python -m tools.receiver check-consistency`: ask the registry for the RFC 9162 consistency proof
between two tree sizes and check it against the roots this receiver kept when the anchors arrived.

The registry is asked for the proof only (`GET {registry}/api/v1/evidence/consistency?from=M&to=N`,
public); the roots it checks against are the ones the receiver kept, signed, so a registry that
rewrote its evidence tree cannot pass by giving new roots with its proof. Exit status: 0 consistent;
1 inconsistent, or the registry now names another root for a tree size than the one it signed;
2 the check could not be made (registry unreachable, no such anchor kept, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from tools.receiver.anchors import CheckRefused
from tools.receiver.store import Store

COMMAND = "check-consistency"
PROOF_PATH = "/api/v1/evidence/consistency"


def _fetch(http: httpx.Client, url: str, old_size: int, new_size: int) -> dict[str, Any]:
    """The registry's answer; ValueError saying what went wrong."""
    try:
        answer = http.get(url, params={"from": old_size, "to": new_size})
    except httpx.HTTPError as exc:
        raise ValueError(f"cannot reach the registry at {url}: {exc}") from exc
    if answer.status_code != 200:
        raise ValueError(f"the registry answered HTTP {answer.status_code}: {answer.text[:500]}")
    try:
        given = answer.json()
    except ValueError as exc:
        raise ValueError(f"the registry's answer is not JSON: {exc}") from exc
    if not isinstance(given, dict) or not isinstance(given.get("proof"), list):
        raise ValueError(f"the registry's answer has no proof: {answer.text[:500]}")
    return given


def check_main(argv: Sequence[str], client: httpx.Client | None = None) -> int:
    """Fetch the proof, check it against the kept roots, print the outcome (see the exit statuses above)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m tools.receiver {COMMAND}",
        description="Check the registry's consistency proof between two anchors against the roots this "
        "receiver kept (docs/receiver.md).",
    )
    parser.add_argument("--db", required=True, help="the receiver's SQLite file")
    parser.add_argument("--registry", required=True, help="the registry's base URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--from", dest="old_size", type=int, required=True, metavar="M", help="the older tree size")
    parser.add_argument("--to", dest="new_size", type=int, required=True, metavar="N", help="the newer tree size")
    parser.add_argument("--target", help="whose anchors (needed when several targets sent anchors)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the registry")
    args = parser.parse_args(argv)
    if not Path(args.db).is_file():
        print(f"error: no receiver database at {args.db}", file=sys.stderr)
        return 2
    url = args.registry.rstrip("/") + PROOF_PATH
    http = client or httpx.Client(timeout=args.timeout)
    try:
        given = _fetch(http, url, args.old_size, args.new_size)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if client is None:
            http.close()
    asked = {"from": args.old_size, "to": args.new_size, "proof": given["proof"], "target": args.target}
    try:
        found = Store(args.db, time.time).check_consistency(asked)
    except CheckRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    disowned = [
        f"DISOWNED ROOT ({found.target}): the registry now gives root {given[key]} for tree size {size}, "
        f"but it signed root {kept} (kept here)"
        for key, size, kept in (
            ("old_root", found.old_size, found.old_root),
            ("new_root", found.new_size, found.new_root),
        )
        if isinstance(given.get(key), str) and given[key] != kept
    ]
    for line in disowned:
        print(line, file=sys.stderr)
    if not found.consistent:
        print(found.problem, file=sys.stderr)
        return 1
    print(
        f"consistent ({found.target}): the tree of {found.new_size} leaves (root {found.new_root}) extends the "
        f"tree of {found.old_size} leaves (root {found.old_root}) kept here; proof of {len(found.proof)} hash(es)"
    )
    return 1 if disowned else 0
