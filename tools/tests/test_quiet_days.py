# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quiet days: Sundays and the public holidays of each zone, from the ``holidays``
package, and the send-time arithmetic that skips them."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psms_tools.quiet_days import SUBDIVISIONS, QuietDays
from psms_tools.schedule import SendWindow
from psms_tools.zones import ZONES


@pytest.mark.parametrize(
    "zone, day",
    [
        ("reunion", date(2025, 12, 20)),
        ("guadeloupe", date(2026, 5, 27)),
        ("martinique", date(2026, 5, 22)),
        ("guyane", date(2026, 6, 10)),
        ("mayotte", date(2026, 4, 27)),
    ],
)
def test_overseas_holidays_are_quiet_there_only(zone, day):
    assert QuietDays(zone).is_quiet(day)
    assert not QuietDays("metropole").is_quiet(day)


def test_national_holidays_and_sundays_everywhere():
    for zone in SUBDIVISIONS:
        quiet = QuietDays(zone)
        assert quiet.is_quiet(date(2026, 12, 25)) and quiet.is_quiet(date(2026, 7, 14))
        assert quiet.is_quiet(date(2026, 11, 29))  # a Sunday
        assert not quiet.is_quiet(date(2026, 11, 30))  # a Monday


def test_alsace_moselle_option():
    good_friday, saint_stephen = date(2026, 4, 3), date(2026, 12, 26)
    assert not QuietDays("metropole").is_quiet(good_friday)
    assert QuietDays("metropole", alsace_moselle=True).is_quiet(good_friday)
    assert QuietDays("metropole", alsace_moselle=True).is_quiet(saint_stephen)
    # the option belongs to the metropolitan zone only
    assert not QuietDays("reunion", alsace_moselle=True).is_quiet(good_friday)


def test_every_zone_has_a_subdivision_and_names_in_french():
    assert set(SUBDIVISIONS) == set(ZONES)
    assert QuietDays("metropole", language="fr").holiday(date(2026, 12, 25)) == "Noël"
    assert QuietDays("metropole").reason(date(2026, 11, 29)) == "Sunday"
    with pytest.raises(ValueError):
        QuietDays("atlantis")


def window(quiet=None, tz="Europe/Paris"):
    return SendWindow.from_hours(8, 18, tz, quiet)


def test_campaign_on_christmas_moves_to_the_next_working_day_opening():
    # Friday 25 December 2026, 10:00 Paris = 09:00 UTC; Saturday 26 is a working day
    paris = window(QuietDays("metropole"))
    assert paris.campaign_send_at(datetime(2026, 12, 25, 9)) == datetime(
        2026, 12, 26, 7
    )
    alsace = window(QuietDays("metropole", alsace_moselle=True))
    # 26 December is a holiday in Alsace-Moselle, 27 is a Sunday: Monday 28 at 08:00
    assert alsace.campaign_send_at(datetime(2026, 12, 25, 9)) == datetime(
        2026, 12, 28, 7
    )
    # without quiet days nothing moves
    assert window().campaign_send_at(datetime(2026, 12, 25, 9)) == datetime(
        2026, 12, 25, 9
    )


def test_saturday_evening_goes_to_monday_and_follow_ups_skip_holidays():
    paris = window(QuietDays("metropole"))
    # Saturday 28 November 2026 at 19:00 Paris: after the window, Sunday is quiet ->
    # Monday
    assert paris.campaign_send_at(datetime(2026, 11, 28, 18)) == datetime(
        2026, 11, 30, 7
    )
    # an appointment on Thursday 24 December, J+1 = Christmas -> Saturday 26 at 08:00
    assert paris.follow_up_send_at(datetime(2026, 12, 24, 9), 1) == datetime(
        2026, 12, 26, 7
    )


def test_a_campaign_retried_past_a_quiet_day_keeps_a_working_day():
    paris = window(QuietDays("metropole"))
    # planned Saturday 28 November 17:50 Paris: 24 h end on Sunday -> Monday 30 17:50
    assert paris.campaign_deadline(datetime(2026, 11, 28, 16, 50)) == datetime(
        2026, 11, 30, 16, 50
    )
    # a Tuesday: 24 hours
    assert paris.campaign_deadline(datetime(2026, 12, 1, 9)) == datetime(2026, 12, 2, 9)
    assert window().campaign_deadline(datetime(2026, 11, 28, 16, 50)) == datetime(
        2026, 11, 29, 16, 50
    )


def test_reminders_keep_their_time_on_quiet_days():
    paris = window(QuietDays("metropole"))
    # appointment Monday 30 November at 10:00, reminder 1 day before = Sunday 10:00:
    # unchanged
    planned = paris.reminder_send_at(
        datetime(2026, 11, 30, 9), 1, now=datetime(2026, 11, 20)
    )
    assert planned == datetime(2026, 11, 29, 9)


def test_overseas_time_zone_and_holiday():
    reunion = window(QuietDays("reunion"), "Indian/Reunion")
    # Sunday 20 December 2026 is both; Monday 21 at 08:00 Réunion (UTC+4) = 04:00 UTC
    assert reunion.campaign_send_at(datetime(2026, 12, 19, 15)) == datetime(
        2026, 12, 21, 4
    )


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
    st.sampled_from(sorted(SUBDIVISIONS)),
    st.booleans(),
)
def test_a_campaign_never_goes_on_a_quiet_day_and_never_earlier(when, zone, alsace):
    quiet = QuietDays(zone, alsace_moselle=alsace)
    win = window(quiet, ZONES[zone].tz)
    send_at = win.campaign_send_at(when)
    assert send_at >= when
    assert win.contains(send_at)
    assert not quiet.is_quiet(win.to_local(send_at).date())
    # it is the first allowed moment: one minute earlier was not allowed (or was before
    # `when`)
    earlier = send_at - timedelta(minutes=1)
    assert (
        earlier < when
        or not win.contains(earlier)
        or quiet.is_quiet(win.to_local(earlier).date())
    )
