"""Push status in the Prometheus text format, for whoever watches the servers (运维监控).

Built per scrape from the database through a throw-away collector registry: the status lives in
the database (a scheduler process and web workers share it), not in any one process's memory.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

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
        healthy = family("healthy", "1 when no error happened since the last success")
        for s in self.statuses:
            cursor.add_metric([s.name], s.cursor)
            lag.add_metric([s.name], s.lag_events)
            age.add_metric([s.name], s.lag_seconds or 0.0)
            dead.add_metric([s.name], s.dead_letters)
            success.add_metric([s.name], s.last_success_at.timestamp() if s.last_success_at else 0.0)
            healthy.add_metric([s.name], 1.0 if s.healthy else 0.0)
        yield from (cursor, lag, age, dead, success, healthy)
        yield GaugeMetricFamily("registry_sync_config_ok", "1 when the targets file can be read",
                                value=1.0 if self.config_ok else 0.0)


def render_metrics(statuses: list[TargetStatus], *, config_ok: bool) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_SyncCollector(statuses, config_ok))
    return generate_latest(registry)
