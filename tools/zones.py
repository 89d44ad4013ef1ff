# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS zones: where the structure is, which gives the time zone of the send window and
the region used to read national phone numbers (``0692 12 34 56`` is a Réunion mobile
for a structure in La Réunion)."""

from collections import namedtuple

Zone = namedtuple("Zone", "code label tz region")

ZONES = {
    zone.code: zone
    for zone in (
        Zone("metropole", "Metropolitan France", "Europe/Paris", "FR"),
        Zone("reunion", "La Réunion", "Indian/Reunion", "RE"),
        Zone("guadeloupe", "Guadeloupe", "America/Guadeloupe", "GP"),
        Zone("martinique", "Martinique", "America/Martinique", "MQ"),
        Zone("guyane", "French Guiana", "America/Cayenne", "GF"),
        Zone("mayotte", "Mayotte", "Indian/Mayotte", "YT"),
        Zone("saint_pierre", "Saint Pierre and Miquelon", "America/Miquelon", "PM"),
        Zone("saint_barthelemy", "Saint Barthélemy", "America/St_Barthelemy", "BL"),
        Zone("saint_martin", "Saint Martin", "America/Marigot", "MF"),
    )
}
DEFAULT_ZONE = "metropole"


def get_zone(code):
    """The zone of ``code``; the metropolitan zone when ``code`` is empty."""
    try:
        return ZONES[code or DEFAULT_ZONE]
    except KeyError:
        raise ValueError(f"Unknown SMS zone: {code!r}") from None
