"""`python -m tools.receiver`: the command line (host, port, database, secrets per target, the pinned
anchor key) and the server loop; `python -m tools.receiver check-consistency …` checks two kept
anchors against the registry's consistency proof (`tools.receiver.consistency`)."""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Mapping, Sequence
from types import FrameType

from werkzeug.serving import make_server

from tools.receiver.anchors import pinned_key
from tools.receiver.app import create_receiver
from tools.receiver.consistency import COMMAND, check_main


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise ValueError(f"{option} takes TARGET=VALUE, got {text!r}")
    return name, value


def _secrets(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    named = [(text, "--secret") for text in args.secret] + [(text, "--secret-env") for text in args.secret_env]
    for text, option in named:
        target, value = _pair(text, option)
        if option == "--secret-env":
            if not environ.get(value):
                raise ValueError(f"--secret-env {text}: environment variable {value} is not set")
            value = environ[value]
        if target in found:
            raise ValueError(f"target {target!r} is given a secret twice")
        found[target] = value
    if not found:
        raise ValueError("give each target's secret with --secret TARGET=SECRET or --secret-env TARGET=ENVVAR")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m tools.receiver`: serve the reference receiver until SIGTERM or SIGINT; or, given
    `check-consistency` first, check two kept anchors (`tools.receiver.consistency`)."""
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == [COMMAND]:
        return check_main(given[1:])
    parser = argparse.ArgumentParser(
        prog="python -m tools.receiver",
        description="The reference receiver for the registry's push (docs/receiver.md). "
        f"`python -m tools.receiver {COMMAND} --help`: check two kept anchors against the registry's proof.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--db", required=True, help="the SQLite file to store batches in")
    parser.add_argument("--secret", action="append", default=[], metavar="TARGET=SECRET")
    parser.add_argument("--secret-env", action="append", default=[], metavar="TARGET=ENVVAR")
    parser.add_argument("--max-skew", type=int, default=300, help="seconds a timestamp may be off")
    parser.add_argument("--control", action="store_true", help="enable /_control (fault injection)")
    parser.add_argument(
        "--anchor-key",
        metavar="HEX",
        help="pin the registry's evidence signing key (GET /api/v1/evidence/key): refuse anchors signed by another",
    )
    args = parser.parse_args(given)
    try:
        secrets = _secrets(args, os.environ)
    except ValueError as exc:
        parser.error(str(exc))
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: must be 0 to 65535")
    if args.anchor_key is not None:
        try:
            pinned_key(args.anchor_key)
        except ValueError as exc:
            parser.error(f"--anchor-key: {exc}")
    try:
        app = create_receiver(
            args.db, secrets, max_skew_seconds=args.max_skew, control=args.control, anchor_key=args.anchor_key
        )
        server = make_server(args.host, args.port, app, threaded=True)
    except (OSError, sqlite3.Error) as exc:
        print(f"error: cannot start the receiver: {exc}", file=sys.stderr)
        return 1

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # serve_forever runs in a thread because server.shutdown() waits for it to return and so
    # cannot be called from a signal handler on the thread that runs it.
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    serving.start()
    print(f"listening on http://{args.host}:{server.port}", flush=True)
    while not stop.wait(1.0):
        pass
    server.shutdown()
    serving.join(timeout=10)
    print("stopped", file=sys.stderr, flush=True)
    return 0
