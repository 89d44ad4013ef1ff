# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A provider's rate limit (requests per second), shared by every process that sends
through the same account: the generic cell rate algorithm (GCRA).

Each request reserves a slot: with ``interval = 1 / rate`` and ``tat`` the theoretical
arrival time of the next request (a number of seconds, one per account, kept where
every process sees it: a PostgreSQL row in the addon),

    start   = max(now, tat - tolerance)
    new tat = max(tat, now) + interval

and the request waits until ``start``. With ``tolerance = (burst - 1) * interval``,
the slots of any window of ``w`` seconds number at most ``burst + rate * w``, minus
one when ``rate * w`` is a whole number: with ``burst = 1`` (the addon's choice) two
slots are always ``interval`` apart, so a window of one second holds at most
``ceil(rate)`` of them. Reservations are first come, first served, never revoked; a
slot reserved and then unused is lost (the rate only errs on the safe side).

This module knows no database: ``reserve`` (any callable returning the seconds to wait)
is given by the caller; :class:`LocalSchedule` is the same arithmetic in memory."""

import math
import threading
import time


def gcra(tat, now, interval, tolerance=0.0):
    """One reservation: ``(new_tat, start)`` for a request arriving at ``now`` when the
    schedule's theoretical arrival time is ``tat`` (``None``: never used)."""
    base = now if tat is None else max(tat, now)
    return base + interval, max(now, base - tolerance)


def max_in_window(times, window=1.0):
    """The most ``times`` (seconds, any order) that fall in one half-open window
    ``[t, t + window)``."""
    ordered, best, first = sorted(times), 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def allowed_in_window(rate, window=1.0, burst=1):
    """The bound the schedule keeps: at most this many slots in any half-open window of
    ``window`` seconds."""
    return burst - 1 + math.ceil(rate * window - 1e-9)


class LocalSchedule:
    """The schedule of one process (threads share it), for tests and a single server:
    ``reserve()`` returns the seconds to wait before the request may leave."""

    def __init__(self, rate, burst=1, clock=time.monotonic):
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self.clock = clock
        self.tat = None
        self._lock = threading.Lock()

    def reserve(self):
        with self._lock:
            now = self.clock()
            self.tat, start = gcra(self.tat, now, self.interval, self.tolerance)
        return start - now


def throttle(reserve, sleep=time.sleep):
    """The ``throttle`` callable a provider client calls before each HTTP request:
    reserve a slot, then wait for it."""

    def wait_for_slot():
        delay = reserve()
        if delay > 0:
            sleep(delay)

    return wait_for_slot
