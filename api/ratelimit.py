"""Rate limits per caller (限流) on the expensive or scrapable reads: screening and public search.

Each limited action has a token bucket per caller: `N/period` lets a caller spend N requests at
once, and refills one every `period / N`. Over it, the request is refused with **429** and
`Retry-After` (whole seconds until the next token); the API answers in its usual
`{code, status, message}` shape, a page with the HTML error page. Every limited response carries
`X-RateLimit-Limit` (N) and `X-RateLimit-Remaining` (requests left right now).

**Who the caller is.** The API key's id when a key is presented (on a page: the signed-in person's
key), else the client address, `request.remote_addr`. Behind a reverse proxy that address is the
proxy's own, so every anonymous caller would share one bucket: set `REGISTRY_TRUSTED_PROXIES` to
the number of proxies in front (api/app.py wraps the app in werkzeug's `ProxyFix`) so the address
is the client's. Many people behind one office NAT share a bucket too; the public search
default leaves room for that.

**Configuration.** `REGISTRY_RATE_LIMIT_SCREENING` (POST /api/v1/screenings and the screening page)
and `REGISTRY_RATE_LIMIT_SEARCH` (GET /api/v1/entities and the /search page), as `N/second`,
`N/minute` or `N/hour`; `0` or empty turns a limit off. A malformed value stops the app at start.

**Several processes: an honest limit per process.** The buckets live in each worker's memory;
there is no shared store (no Redis in this stack, and the database is the one thing a flood must
not reach). With W workers on each of N nodes, a caller whose requests are spread over every
worker gets up to W × N times the configured rate in the worst case; with one gunicorn worker on
one node the limit is exact. Threads of one worker share its buckets (they are locked). So the
figure configured here is a per-worker guard that keeps one busy key or address from taking a
worker's whole time; divide by W × N if you need a ceiling, and let the reverse proxy in front
(nginx `limit_req`, the load balancer) enforce the hard limit per client, which it can do because
it sees every request.

**Bounded memory.** At most `max_callers` buckets per action (10,000): a bucket that has refilled
is no different from none and goes first; beyond that the least recently used. A flood of new
addresses can therefore make the limiter forget a caller's debt (that caller is let through
sooner), never lock anyone out.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, after_this_request, current_app, request
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from api.smorest import ErrorSchema
from registry.ledger import Actor
from registry.messages import Text, msg

ACTIONS = {"screening": "RATE_LIMIT_SCREENING", "search": "RATE_LIMIT_SEARCH", "report": "RATE_LIMIT_REPORTS"}
ACTION_NAMES = {  # msgids, page words
    "screening": ("screenings", "资格审查"),
    "search": ("searches", "查询"),
    "report": ("credit reports", "信用报告"),
}
PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
PERIOD_NAMES = {"second": "秒", "minute": "分钟", "hour": "小时"}
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rate:
    """`count` requests per `period` seconds: the bucket holds `count`, refilled evenly over `period`."""

    count: int
    period: float

    @classmethod
    def parse(cls, raw: object, setting: str = "rate limit") -> Rate | None:
        """'60/minute' → Rate(60, 60.0); 0, '0', '' or None → None (no limit)."""
        text = "" if raw is None else str(raw).strip().lower()
        if text in ("", "0"):
            return None
        found = re.fullmatch(r"(\d+)\s*/\s*(second|minute|hour)", text)
        if found is None:
            raise ValueError(
                f"REGISTRY_{setting} must look like 60/minute (per second, minute or hour) "
                f"or be 0 to turn it off, got {raw!r}"
            )
        count = int(found.group(1))
        return None if count == 0 else cls(count, PERIODS[found.group(2)])

    @property
    def per_second(self) -> float:
        return self.count / self.period

    @property
    def unit(self) -> str:
        return next(name for name, seconds in PERIODS.items() if seconds == self.period)

    def __str__(self) -> str:
        return f"{self.count}/{self.unit}"


@dataclass(frozen=True)
class Decision:
    """One request's answer: allowed or not, what is left, and when to come back if not."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds until a request would be allowed (0 when allowed)


class RateLimiter:
    """Token buckets for one action, one per caller; thread-safe, bounded, clock injectable."""

    def __init__(self, rate: Rate, *, max_callers: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._max = max_callers
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # caller -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, caller: str) -> Decision:
        """Spend one token of `caller`'s bucket if there is one."""
        capacity = float(self.rate.count)
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(caller, (capacity, now))
            tokens = min(capacity, tokens + (now - at) * self.rate.per_second)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            if caller not in self._buckets and len(self._buckets) >= self._max:
                self._make_room(now)
            self._buckets[caller] = (tokens, now)
            self._buckets.move_to_end(caller)
        # (the 1e-9: float noise must not turn an exact 30 s into 31)
        wait = 0 if allowed else max(1, math.ceil((1.0 - tokens) * self.rate.period / self.rate.count - 1e-9))
        return Decision(allowed, self.rate.count, int(tokens), wait)

    def _make_room(self, now: float) -> None:
        full = [
            c
            for c, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * self.rate.per_second >= self.rate.count
        ]
        for caller in full:
            del self._buckets[caller]
        # then the least recently used tenth, if refilled buckets were not enough
        while len(self._buckets) >= self._max:
            for caller in list(self._buckets)[: max(1, self._max // 10)]:
                del self._buckets[caller]

    def __len__(self) -> int:
        return len(self._buckets)


class RateLimits:
    """This app's limiters by action (absent: that action is not limited)."""

    def __init__(self, limiters: dict[str, RateLimiter]) -> None:
        self.limiters = limiters

    @classmethod
    def from_config(cls, config: Any) -> RateLimits:
        limiters = {}
        for action, setting in ACTIONS.items():
            rate = Rate.parse(config.get(setting), setting)
            if rate is not None:
                limiters[action] = RateLimiter(rate)
        return cls(limiters)


class RateLimited(TooManyRequests):
    """429 with Retry-After and the X-RateLimit headers, for the API's handler and the pages' alike."""

    def __init__(self, message: Text, decision: Decision) -> None:
        super().__init__(description=str(message), retry_after=decision.retry_after)
        self.decision = decision
        # flask-smorest's handler takes the JSON message and headers from `data`
        self.data = {"message": message, "headers": self.headers()}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.decision.retry_after), **_limit_headers(self.decision)}

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), *_limit_headers(self.decision).items()]


def _limit_headers(decision: Decision) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(decision.limit), "X-RateLimit-Remaining": str(decision.remaining)}


def caller_of(actor: Actor | None) -> str:
    """The bucket a request counts against: its key, else its address (see the module docstring)."""
    if actor is not None and actor.key_id is not None:
        return f"key:{actor.key_id}"
    return f"addr:{request.remote_addr or 'unknown'}"


def _api_actor() -> Actor:
    from api.lifecycle import actor

    return actor()


def check(action: str, actor: Actor | None) -> None:
    """Count this request against `action`'s limit for its caller: raise RateLimited when over it,
    else add the X-RateLimit headers to the response."""
    limiter = current_app.extensions["rate_limits"].limiters.get(action)
    if limiter is None:
        return
    decision = limiter.take(caller_of(actor))
    if not decision.allowed:
        english, chinese = ACTION_NAMES[action]
        if request.path.startswith("/api/"):
            who = "this API key" if actor is not None and actor.key_id is not None else "this address"
            message: Text = msg(
                "too many {what} from {who}: the limit is {count}/{period}; retry in {seconds} s",
                what=english,
                who=who,
                count=limiter.rate.count,
                period=limiter.rate.unit,
                seconds=decision.retry_after,
            )
        else:
            rate = limiter.rate
            message = (
                f"{chinese}过于频繁（每{PERIOD_NAMES[rate.unit]}最多 {rate.count} 次），"
                f"请 {decision.retry_after} 秒后再试。"
            )
        raise RateLimited(message, decision)

    @after_this_request
    def _headers(response: Response) -> Response:
        for name, value in _limit_headers(decision).items():
            response.headers[name] = value
        return response


RATE_LIMITED_DOC: dict[str, Any] = {
    "description": "Too many requests from this API key (or, without one, this address); "
    "retry after Retry-After seconds. Limits are per server process.",
    "schema": ErrorSchema,
    "headers": {
        "Retry-After": {"description": "whole seconds until a request would be allowed", "schema": {"type": "integer"}},
        "X-RateLimit-Limit": {"description": "requests allowed at once", "schema": {"type": "integer"}},
        "X-RateLimit-Remaining": {"description": "requests left now", "schema": {"type": "integer"}},
    },
}


def limited(action: str, *, caller: Callable[[], Actor | None] = _api_actor, blueprint: Any = None) -> Callable[[F], F]:
    """View decorator: count the request against `action`'s limit before the view runs (before
    its body is even parsed, when it sits above `@blp.arguments`); with `blueprint` (flask-smorest)
    the 429 is also documented in the operation's OpenAPI."""
    if action not in ACTIONS:
        raise ValueError(f"unknown rate-limited action {action!r}; one of {', '.join(ACTIONS)}")

    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            check(action, caller())
            return view(*args, **kwargs)

        if blueprint is not None:
            return cast(F, blueprint.alt_response(429, **RATE_LIMITED_DOC)(checked))
        return cast(F, checked)

    return decorate


def init_app(app: Flask) -> None:
    """Build this process's limiters from REGISTRY_RATE_LIMIT_* (checked here: a typo stops the start)."""
    app.extensions["rate_limits"] = RateLimits.from_config(app.config)
