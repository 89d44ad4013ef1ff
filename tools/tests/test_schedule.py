# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfoNotFoundError

import pytest
from psms_tools.schedule import ScheduleError, SendWindow, hours_to_time, retry_deadline

PARIS = SendWindow(time(8), time(18), "Europe/Paris")
NOW = datetime(2026, 3, 2, 7, 0)  # a Monday, 08:00 in Paris (UTC+1)


def utc(*args):
    return datetime(*args)


def test_hours_to_time():
    assert hours_to_time(8) == time(8)
    assert hours_to_time(17.5) == time(17, 30)
    assert hours_to_time(24) == time(23, 59)
    with pytest.raises(ValueError):
        hours_to_time(25)


def test_invalid_window():
    with pytest.raises(ValueError):
        SendWindow(time(18), time(8))
    with pytest.raises(ZoneInfoNotFoundError):
        SendWindow(time(8), time(18), "Mars/Olympus")


def test_contains_in_local_time():
    assert PARIS.contains(utc(2026, 3, 2, 7, 0))  # 08:00 winter
    assert not PARIS.contains(utc(2026, 3, 2, 6, 59))  # 07:59
    assert PARIS.contains(utc(2026, 3, 2, 17, 0))  # 18:00 inclusive
    assert not PARIS.contains(utc(2026, 3, 2, 17, 1))
    assert PARIS.contains(utc(2026, 7, 1, 6, 0))  # 08:00 summer (UTC+2)


def test_seed_example_event_before_window_opens():
    """Event at 08:00, window from 09:00, reminder 1 day before: the day before at
    09:00."""
    window = SendWindow(time(9), time(18), "Europe/Paris")
    event = utc(2026, 3, 10, 7, 0)  # 08:00 Paris
    assert window.reminder_send_at(event, 1, now=NOW) == utc(
        2026, 3, 9, 8, 0
    )  # 09:00 Paris


def test_reminder_inside_window_keeps_time():
    event = utc(2026, 3, 10, 13, 30)  # 14:30 Paris
    assert PARIS.reminder_send_at(event, 2, now=NOW) == utc(2026, 3, 8, 13, 30)


def test_reminder_after_window_is_clamped_to_window_end_same_day():
    event = utc(2026, 3, 10, 19, 0)  # 20:00 Paris
    assert PARIS.reminder_send_at(event, 1, now=NOW) == utc(2026, 3, 9, 17, 0)  # 18:00


def test_reminder_never_after_event():
    # event today at 19:00 local, "0 days before": clamped to 18:00, before the event
    event = utc(2026, 3, 2, 18, 0)
    assert PARIS.reminder_send_at(event, 0, now=NOW) == utc(2026, 3, 2, 17, 0)
    # "0 days before" an event inside the window would be the event itself: refused
    with pytest.raises(ScheduleError):
        PARIS.reminder_send_at(utc(2026, 3, 2, 9, 30), 0, now=NOW)
    # event today at 07:00 local -> window start (08:00) is after the event
    with pytest.raises(ScheduleError) as err:
        PARIS.reminder_send_at(utc(2026, 3, 2, 6, 0), 0, now=utc(2026, 3, 2, 5, 0))
    assert err.value.code == "after_event"


def test_reminder_for_past_event_refused():
    with pytest.raises(ScheduleError) as err:
        PARIS.reminder_send_at(utc(2026, 3, 1, 10, 0), 1, now=NOW)
    assert err.value.code == "past_event"


def test_reminder_whose_moment_passed_goes_at_next_opening():
    # event tomorrow 10:00, "3 days before" is already past: next opening (now, in
    # window)
    event = utc(2026, 3, 3, 9, 0)
    assert PARIS.reminder_send_at(event, 3, now=NOW) == NOW
    # now is 20:00 -> next opening tomorrow 08:00, still before the 10:00 event
    evening = utc(2026, 3, 2, 19, 0)
    assert PARIS.reminder_send_at(event, 3, now=evening) == utc(2026, 3, 3, 7, 0)


def test_reminder_across_spring_forward():
    """Paris goes to summer time on Sunday 2026-03-29: 14:00 stays 14:00 local."""
    event = utc(2026, 3, 30, 12, 0)  # Monday 14:00 CEST (UTC+2)
    planned = PARIS.reminder_send_at(event, 2, now=NOW)
    assert planned == utc(2026, 3, 28, 13, 0)  # Saturday 14:00 CET (UTC+1)
    assert PARIS.to_local(planned).hour == 14


def test_reminder_across_fall_back():
    """Back to winter time on Sunday 2026-10-25."""
    event = utc(2026, 10, 26, 13, 0)  # Monday 14:00 CET
    planned = PARIS.reminder_send_at(event, 1, now=NOW)
    assert planned == utc(2026, 10, 25, 13, 0)  # Sunday 14:00 CET
    planned = PARIS.reminder_send_at(event, 3, now=NOW)
    assert planned == utc(2026, 10, 23, 12, 0)  # Friday 14:00 CEST


def test_window_opening_on_dst_day():
    # Sunday 2026-03-29 at 01:30 UTC = 03:30 CEST: next opening is 08:00 CEST = 06:00
    # UTC
    assert PARIS.next_opening(utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 29, 6, 0)
    # Saturday 2026-03-28 at 20:00 UTC (21:00 CET): next opening Sunday 08:00 CEST
    assert PARIS.next_opening(utc(2026, 3, 28, 20, 0)) == utc(2026, 3, 29, 6, 0)


def test_immediate_send_waits_for_window():
    assert PARIS.immediate_send_at(utc(2026, 3, 2, 10, 0)) == utc(2026, 3, 2, 10, 0)
    assert PARIS.immediate_send_at(utc(2026, 3, 2, 22, 0)) == utc(2026, 3, 3, 7, 0)
    assert PARIS.immediate_send_at(utc(2026, 3, 2, 3, 0)) == utc(2026, 3, 2, 7, 0)


def test_overseas_zone():
    reunion = SendWindow(time(8), time(18), "Indian/Reunion")  # UTC+4, no DST
    assert reunion.immediate_send_at(utc(2026, 3, 2, 3, 0)) == utc(2026, 3, 2, 4, 0)
    guadeloupe = SendWindow(time(8), time(18), "America/Guadeloupe")  # UTC-4
    assert guadeloupe.immediate_send_at(utc(2026, 3, 2, 23, 0)) == utc(
        2026, 3, 3, 12, 0
    )


def test_follow_up_after_event():
    event = utc(2026, 3, 10, 13, 0)
    assert PARIS.follow_up_send_at(event, 7) == utc(2026, 3, 17, 7, 0)


def test_retry_deadline():
    created = utc(2026, 3, 2, 10, 0)
    assert retry_deadline(created) == created + timedelta(hours=24)
    event = utc(2026, 3, 5, 9, 0)
    assert retry_deadline(created, event) == event
