# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Send-window and retry-deadline arithmetic, in the structure's time zone.

All datetimes given to and returned by this module are **naive UTC** (as Odoo stores
them); the window is expressed in local wall-clock time of ``tz`` (e.g. 08:00-18:00
Europe/Paris). Local arithmetic is done on wall-clock dates, so "1 day before" stays at
the same local time across a daylight-saving change.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc

IMMEDIATE_RETRY = timedelta(hours=24)


#: a send time a little in the past (the form was filled a few minutes ago) counts as
#: "now"
PAST_TOLERANCE = timedelta(minutes=5)


class ScheduleError(ValueError):
    """No send time is possible. ``code``: ``after_event`` (the reminder would go out
    after the event starts) or ``past_event`` (the event is already over)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def hours_to_time(hours):
    """8.5 -> time(8, 30) (Odoo's float_time widget)."""
    minutes = round(float(hours) * 60)
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"{hours} is not an hour of the day")
    if minutes == 24 * 60:
        return time(23, 59)
    return time(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class SendWindow:
    """Hours of the day when SMS may go out, ``start`` <= local time <= ``end``."""

    start: time
    end: time
    tz: str = "Europe/Paris"
    #: a :class:`~.quiet_days.QuietDays` when campaigns must skip Sundays and public
    #: holidays
    quiet_days: object = None
    #: the ``ZoneInfo`` of ``tz`` (made once; an unknown zone raises)
    zone: object = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.start >= self.end:
            raise ValueError("The send window must start before it ends.")
        object.__setattr__(self, "zone", ZoneInfo(self.tz))

    @classmethod
    def from_hours(cls, start, end, tz="Europe/Paris", quiet_days=None):
        return cls(hours_to_time(start), hours_to_time(end), tz, quiet_days)

    # -- conversions -------------------------------------------------------------------
    def to_local(self, utc_naive):
        return utc_naive.replace(tzinfo=UTC).astimezone(self.zone)

    def to_utc(self, local_aware):
        return local_aware.astimezone(UTC).replace(tzinfo=None)

    def _local_at(self, day, at):
        """Aware local datetime of ``day`` at wall-clock ``at`` (a time inside a DST gap
        is moved forward by the gap, as a clock would be)."""
        naive = datetime.combine(day, at)
        aware = naive.replace(tzinfo=self.zone)
        # round trip through UTC normalises times that do not exist (spring-forward gap)
        return aware.astimezone(UTC).astimezone(self.zone)

    # -- questions ---------------------------------------------------------------------
    def contains(self, utc_naive):
        local = self.to_local(utc_naive).time().replace(second=0, microsecond=0)
        return self.start <= local <= self.end

    def next_opening(self, utc_naive):
        """The earliest moment at or after ``utc_naive`` inside the window."""
        local = self.to_local(utc_naive)
        if local.time() < self.start:
            return self.to_utc(self._local_at(local.date(), self.start))
        if local.time() > self.end:
            return self.to_utc(
                self._local_at(local.date() + timedelta(days=1), self.start)
            )
        return utc_naive

    def clamp_same_day(self, utc_naive):
        """Move ``utc_naive`` into the window of the same local day (to its start when
        before, to its end when after)."""
        local = self.to_local(utc_naive)
        if local.time() < self.start:
            return self.to_utc(self._local_at(local.date(), self.start))
        if local.time() > self.end:
            return self.to_utc(self._local_at(local.date(), self.end))
        return utc_naive

    # -- the seed's rules --------------------------------------------------------------
    def reminder_send_at(self, event_start, days_before, now=None):
        """When a reminder ``days_before`` days before ``event_start`` goes out.

        The same local time ``days_before`` days earlier, moved into the window of that
        day (event at 08:00, window from 09:00, 1 day before -> the day before at
        09:00). Never at or after the event: raises :class:`ScheduleError`. If that
        moment is already past, the next opening from ``now`` is used, as long as it is
        still before the event.
        """
        if days_before < 0:
            raise ValueError("days_before must be positive")
        now = now or datetime.utcnow()
        if event_start <= now:
            raise ScheduleError("past_event", "The event has already started.")
        local_event = self.to_local(event_start)
        target_day = local_event.date() - timedelta(days=days_before)
        target = self._local_at(target_day, local_event.time().replace(tzinfo=None))
        planned = self.clamp_same_day(self.to_utc(target))
        if planned < now:
            planned = self.next_opening(now)
        if planned >= event_start:
            raise ScheduleError(
                "after_event",
                "The reminder cannot be sent inside the send window before "
                "the event starts.",
            )
        return planned

    def follow_up_send_at(self, event_start, days_after):
        """A message ``days_after`` days after the event (J+n): that day, when the
        window opens; on a quiet day, the next allowed day's opening."""
        local_event = self.to_local(event_start)
        day = self._allowed_day(local_event.date() + timedelta(days=days_after))
        return self.to_utc(self._local_at(day, self.start))

    def campaign_send_at(self, utc_naive):
        """When a campaign SMS (batch, free) planned at ``utc_naive`` goes out: the next
        opening of the window, moved to the next allowed day's opening if that day is
        quiet."""
        planned = self.next_opening(utc_naive)
        day = self.to_local(planned).date()
        allowed = self._allowed_day(day)
        if allowed == day:
            return planned
        return self.to_utc(self._local_at(allowed, self.start))

    def campaign_deadline(self, planned):
        """Until when a campaign SMS planned at ``planned`` may be retried: 24 hours,
        moved past the quiet days it would end on (a retry held on a Sunday still has
        Monday)."""
        deadline = planned + IMMEDIATE_RETRY
        if self.quiet_days:
            day = self.to_local(deadline).date()
            deadline += timedelta(days=(self.quiet_days.next_allowed(day) - day).days)
        return deadline

    def is_quiet(self, utc_naive):
        """Whether campaigns are held at ``utc_naive`` (a quiet day in the local
        calendar)."""
        return bool(
            self.quiet_days
            and self.quiet_days.is_quiet(self.to_local(utc_naive).date())
        )

    def _allowed_day(self, day):
        return self.quiet_days.next_allowed(day) if self.quiet_days else day

    def immediate_send_at(self, now=None):
        """An immediate send outside the window waits for the next opening."""
        return self.next_opening(now or datetime.utcnow())


def retry_deadline(created_at, event_start=None):
    """Until when a message may still be (re)tried: reminders until the event starts,
    other messages 24 hours after their creation."""
    if event_start:
        return event_start
    return created_at + IMMEDIATE_RETRY
