# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The rate limit's schedule (GCRA) and the clients' ``throttle`` hook, without Odoo.

Invariants: whatever the arrival times, the reserved slots are first come, first served
(never before the request arrives, in the order of arrival) and any half-open window of
``w`` seconds holds at most ``burst - 1 + ceil(rate * w)`` of them; every HTTP request
of a client waits for its slot first."""

import threading
import time

from hypothesis import given, settings
from hypothesis import strategies as st
from psms_fakes.fake_providers import FakeOvh
from psms_tools.providers import OutgoingSms, StatusQuery, get_provider
from psms_tools.providers.throttle import (
    LocalSchedule,
    allowed_in_window,
    gcra,
    max_in_window,
    throttle,
)


def schedule(arrivals, rate, burst):
    """The start of each request arriving at ``arrivals`` (sorted)."""
    interval, tat, starts = 1.0 / rate, None, []
    for now in arrivals:
        tat, start = gcra(tat, now, interval, (burst - 1) * interval)
        starts.append(start)
    return starts


@settings(max_examples=300, deadline=None)
@given(
    gaps=st.lists(st.floats(0, 0.5, allow_nan=False), min_size=1, max_size=200),
    rate=st.integers(1, 50),
    burst=st.integers(1, 5),
    window=st.sampled_from([0.25, 1.0, 2.5]),
)
def test_gcra_keeps_the_rate_in_every_window(gaps, rate, burst, window):
    arrivals, moment = [], 1000.0
    for gap in gaps:
        moment += gap
        arrivals.append(moment)
    starts = schedule(arrivals, rate, burst)
    # first come, first served, never early
    assert all(start >= now for start, now in zip(starts, arrivals, strict=True))
    assert starts == sorted(starts)
    # the bound, with a nanosecond's slack for float rounding
    nudged = [start + i * 1e-9 for i, start in enumerate(starts)]
    assert max_in_window(nudged, window) <= allowed_in_window(rate, window, burst)


@given(rate=st.integers(1, 50), count=st.integers(1, 100))
def test_gcra_does_not_slow_a_request_below_the_rate(rate, count):
    """Requests that arrive slower than the rate never wait."""
    arrivals = [10.0 + i * (1.0 / rate) * 1.01 for i in range(count)]
    assert schedule(arrivals, rate, 1) == arrivals


def test_max_in_window():
    assert max_in_window([]) == 0
    assert max_in_window([0.0, 0.5, 0.99, 1.0, 1.2]) == 4  # [0.5, 1.5)
    assert max_in_window([0.0, 1.0, 2.0]) == 1
    assert allowed_in_window(10) == 10
    assert allowed_in_window(2.5) == 3
    assert allowed_in_window(10, burst=3) == 12


def test_local_schedule_across_threads():
    """Several threads share one schedule: their request times keep the rate."""
    rate, times, lock = 40, [], threading.Lock()
    wait = throttle(LocalSchedule(rate).reserve)

    def worker():
        for _i in range(15):
            wait()
            with lock:
                times.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(times) == 60
    # sleeping may wake late, never early: two slots are 1/rate apart, so a
    # window of one second holds at most ``rate`` requests plus the late wake-ups
    # that bunch up behind a late one (one more)
    assert max_in_window(times) <= rate + 1
    assert max(times) - min(times) >= (60 - 1) / rate - 0.01


def test_every_http_request_of_a_client_waits_for_its_slot():
    calls = []
    with FakeOvh() as ovh:
        provider = get_provider(
            "ovh", **ovh.settings(throttle=lambda: calls.append(len(ovh.requests)))
        )
        results = provider.send(
            [
                OutgoingSms(ref=str(i), number=f"+3361234560{i}", body=f"m{i}")
                for i in range(3)
            ]
        )
        provider.fetch_statuses(
            [StatusQuery(r.provider_id, "+33612345600", "processing") for r in results]
        )
        # one slot before each request, taken before the request left
        assert len(calls) == len(ovh.requests)
        assert calls == list(range(len(ovh.requests)))
