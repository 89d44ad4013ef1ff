# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quiet days: Sundays and the public holidays of the structure's zone, on which
information campaigns (batch and free sends, J+n follow-ups) do not go out.

The holidays come from the maintained ``holidays`` package (France and its
subdivisions), never from a list kept here: metropolitan France, each overseas
department and collectivity (La Réunion 20 December, Guadeloupe 27 May, Martinique 22
May, Guyane 10 June, Mayotte 27 April…), and Alsace-Moselle (Good Friday and 26
December) as an option of the metropolitan zone.
"""

from datetime import timedelta
from functools import lru_cache

import holidays

#: our SMS zones (tools/zones.py) -> the ``holidays`` package's subdivision of France
SUBDIVISIONS = {
    "metropole": None,
    "reunion": "974",
    "guadeloupe": "971",
    "martinique": "972",
    "guyane": "973",
    "mayotte": "976",
    "saint_pierre": "PM",
    "saint_barthelemy": "BL",
    "saint_martin": "MF",
}
ALSACE_MOSELLE = "57"
SUNDAY = 6
#: no zone has a run of quiet days this long: a guard against an endless search
MAX_QUIET_RUN = 30


@lru_cache(maxsize=64)
def _holidays(subdiv, year, language):
    return holidays.France(subdiv=subdiv, years=year, language=language)


class QuietDays:
    """Which local dates are quiet in a zone. ``language``: ``fr`` or ``en_US`` for the
    names."""

    def __init__(self, zone_code, alsace_moselle=False, language="en_US"):
        if zone_code not in SUBDIVISIONS:
            raise ValueError(f"Unknown SMS zone: {zone_code!r}")
        self.zone_code = zone_code
        subdiv = SUBDIVISIONS[zone_code]
        self.subdiv = ALSACE_MOSELLE if alsace_moselle and subdiv is None else subdiv
        self.language = (
            language if language in holidays.France.supported_languages else "en_US"
        )

    def holiday(self, day):
        """The name of the public holiday on ``day`` (a date), or None."""
        return _holidays(self.subdiv, day.year, self.language).get(day)

    def is_quiet(self, day):
        return day.weekday() == SUNDAY or self.holiday(day) is not None

    def reason(self, day):
        """Why ``day`` is quiet (the holiday's name, or "Sunday"), or None."""
        return self.holiday(day) or ("Sunday" if day.weekday() == SUNDAY else None)

    def next_allowed(self, day):
        """``day`` if it is not quiet, else the first day after it that is not."""
        for _step in range(MAX_QUIET_RUN):
            if not self.is_quiet(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"No allowed day within {MAX_QUIET_RUN} days of {day}.")
