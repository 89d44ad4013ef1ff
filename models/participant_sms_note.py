# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which chatter note quotes which SMS: the note table.

The engine posts a note on the record of an SMS when it leaves and when its status is
final (``participant.sms._post_context_notes``); both quote the SMS' text and number.
The retention must erase them (R5). Finding them by their text means reading every
note of the SMS' records and comparing texts in Python; so the engine records, when it
posts them, each note's id with its SMS' in ``participant_sms_note`` (one INSERT per
batch of notes), and the retention erases the notes of a batch through it in one
statement, deleting the rows it used (the table holds the notes of the SMS not
anonymised: it stays the size of the retention period).

A raw table, like the number table: two integers and their primary key, no ORM
(nothing reads it but the retention; a model would add its columns, access rules and
cache to every note posted). The SMS' foreign key drops its rows with it; the note's
is left out (an index on the note's id would cost every note posted, and a row left by
a deleted note only points to nothing). ``hooks.py`` drops the table at uninstall.

Notes posted before 18.0.1.8.0 have no row: the retention keeps finding them by their
text for the SMS below ``NOTE_LINKS_FROM`` (the first SMS id of the upgrade, set by
``migrations/18.0.1.8.0/pre-sms-note-links.py``) and for any SMS with a record but no
row (a note posted by other code), see ``participant.sms.privacy``.
"""

from odoo import api, models
from odoo.tools import SQL

NOTE_TABLE = "participant_sms_note"
#: ``ir.config_parameter``: the SMS from this id on have every engine note in the table
NOTE_LINKS_FROM = "participant_sms.note_links_from"


class ParticipantSms(models.Model):
    _inherit = "participant.sms"

    def init(self):
        result = super().init()
        self.env.cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %s (
                       sms_id integer NOT NULL
                              REFERENCES participant_sms (id) ON DELETE CASCADE,
                       message_id integer NOT NULL,
                       PRIMARY KEY (sms_id, message_id))""",
                SQL.identifier(NOTE_TABLE),
            )
        )
        return result

    @api.model
    def _psms_link_notes(self, pairs):
        """Record that each note of ``pairs`` ((SMS id, mail.message id), ...) quotes
        its SMS, in one statement."""
        if not pairs:
            return
        sms_ids, message_ids = zip(*pairs, strict=True)
        self.env.cr.execute(
            """INSERT INTO participant_sms_note (sms_id, message_id)
               SELECT * FROM unnest(%s::int[], %s::int[]) ON CONFLICT DO NOTHING""",
            [list(sms_ids), list(message_ids)],
        )
