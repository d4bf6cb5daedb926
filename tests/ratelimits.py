"""What the rate-limit tests share (tests/api/test_ratelimit.py, tests/pages/test_limits_and_expiry.py):
a clock the test moves by hand; the `clock` and `limit` fixtures in tests/conftest.py use it."""

from __future__ import annotations

from collections.abc import Callable

from api.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


Install = Callable[[str, str], RateLimiter]
