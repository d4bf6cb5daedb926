"""Push status in the Prometheus text format, for whoever watches the servers (运维监控).

Built per scrape from the database through a throw-away collector registry: the status lives in
the database (a scheduler process and web workers share it), not in any one process's memory.

Besides the push status, two gauges watch the working-day calendar (registry.calendar.workdays):
`registry_calendar_next_year_loaded` (1 when next year's arrangement is known, loaded or in the
`chinesecalendar` package) and `registry_calendar_warning` (1 while a deadline may be counted
on a provisional year: from 1 November when next year's 放假安排 notice is not loaded, or any
day of a year that is itself provisional). Alert on the second.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from registry.calendar.workdays import Outlook
from sync.status import TargetStatus


class _SyncCollector(Collector):
    def __init__(self, statuses: list[TargetStatus], config_ok: bool) -> None:
        self.statuses, self.config_ok = statuses, config_ok

    def collect(self) -> Iterable[GaugeMetricFamily]:
        def family(name: str, text: str) -> GaugeMetricFamily:
            return GaugeMetricFamily(f"registry_sync_{name}", text, labels=["target"])

        cursor = family("cursor", "Last outbox sequence the target acknowledged")
        lag = family("lag_events", "Outbox events after the cursor")
        age = family("lag_seconds", "Age of the oldest outbox event after the cursor (0 when caught up)")
        dead = family("dead_letters", "Records dead-lettered for the target")
        success = family("last_success_timestamp_seconds", "Unix time of the last acknowledged batch (0: never)")
        healthy = family("healthy", "1 unless an error came after the last success or the target stopped moving")
        for s in self.statuses:
            cursor.add_metric([s.name], s.cursor)
            lag.add_metric([s.name], s.lag_events)
            age.add_metric([s.name], s.lag_seconds or 0.0)
            dead.add_metric([s.name], s.dead_letters)
            success.add_metric([s.name], s.last_success_at.timestamp() if s.last_success_at else 0.0)
            healthy.add_metric([s.name], 1.0 if s.healthy else 0.0)
        yield from (cursor, lag, age, dead, success, healthy)
        yield GaugeMetricFamily(
            "registry_sync_config_ok", "1 when the targets file can be read", value=1.0 if self.config_ok else 0.0
        )


class _CalendarCollector(Collector):
    def __init__(self, outlook: Outlook) -> None:
        self.outlook = outlook

    def collect(self) -> Iterable[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "registry_calendar_next_year_loaded",
            "1 when next year's holidays and make-up workdays are known (loaded, or in the chinesecalendar package)",
            value=1.0 if self.outlook.next_year_known else 0.0,
        )
        yield GaugeMetricFamily(
            "registry_calendar_warning",
            "1 when deadlines may rest on a provisional year: from 1 November next year's 放假安排 notice "
            "is not loaded, or this year's is not",
            value=1.0 if self.outlook.warning else 0.0,
        )


def render_metrics(
    statuses: list[TargetStatus],
    *,
    config_ok: bool,
    calendar: Outlook | None = None,
) -> bytes:
    """The metrics text: the push status, and the calendar gauges when a `calendar` outlook is given."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_SyncCollector(statuses, config_ok))
    if calendar is not None:
        registry.register(_CalendarCollector(calendar))
    return generate_latest(registry)
