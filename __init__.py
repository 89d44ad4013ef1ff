# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import controllers
from . import models
from . import wizards


def uninstall_hook(env):
    """The number table of the SMS is no model's: dropped with its trigger function
    (and so its triggers), so that no number is left behind."""
    env.cr.execute(
        """DROP TABLE IF EXISTS participant_sms_number;
           DROP FUNCTION IF EXISTS participant_sms_number_change() CASCADE"""
    )
