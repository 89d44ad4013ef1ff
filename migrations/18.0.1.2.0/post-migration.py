# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""After the 18.0.1.2.0 models and data load: what ``-u`` does not do by itself.

* The crons are ``noupdate`` data: an update never moves them. Each cron of
  ``data/participant_sms_data.xml`` that exists gets the model, code and user declared
  there (18.0.1.0.0 databases called ``participant.sms._cron_dispatch`` and
  ``_cron_poll_statuses``, which moved to ``participant.sms.dispatcher``); its interval,
  next call and active flag are the administrator's and stay. The expiry cron (its work
  is now part of the status updates) is removed. Missing crons are created by the data
  load.
* ``participant_sms.purpose`` (18.0.1.0.0 engine split): an SMS of an appointment, step
  or orientation scheduled or automated before the upgrade is the record's reminder when
  the record names it, or when it is planned before the record's start (then the record
  names it, so that it follows its record as reminders do); an automation's SMS planned
  after the start is its follow-up. Instant and batch SMS have no purpose, as when made
  now.
* ``participant_sms_reply.note_message_id`` (retention anonymises the note quoting a
  reply): the note a reply made before the field existed is found on its record by its
  text.

Every step is SQL guarded by the existence of its tables and columns, only fills what is
empty (idempotent), and logs counts only.
"""

import logging
from datetime import timedelta

import lxml.html
from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.misc import file_open

_logger = logging.getLogger(__name__)

DATA_FILE = "participant_sms/data/participant_sms_data.xml"
OBSOLETE_CRONS = ("ir_cron_sms_expire",)
FINAL_STATES = (
    "delivered",
    "failed",
    "expired",
    "stop",
    "cancelled",
    "not_sent",
    "unknown",
)


def _column_exists(cr, table, column):
    cr.execute(
        """SELECT 1 FROM information_schema.columns
                   WHERE table_name = %s AND column_name = %s""",
        [table, column],
    )
    return bool(cr.fetchone())


# --------------------------------------------------------------------------------------
# crons
# --------------------------------------------------------------------------------------
def _declared_crons():
    """``{xml id: {field: value or ("ref", xml id)}}`` of the crons of the data file."""
    with file_open(DATA_FILE, "rb") as handle:
        root = etree.parse(handle).getroot()
    crons = {}
    for record in root.iter("record"):
        if record.get("model") != "ir.cron":
            continue
        values = {}
        for field in record.iter("field"):
            if field.get("ref"):
                ref = field.get("ref")
                values[field.get("name")] = (
                    "ref",
                    ref if "." in ref else f"participant_sms.{ref}",
                )
            else:
                values[field.get("name")] = (field.text or "").strip()
        crons[record.get("id")] = values
    return crons


def _fix_crons(env):
    fixed = 0
    for xmlid, declared in _declared_crons().items():
        cron = env.ref(f"participant_sms.{xmlid}", raise_if_not_found=False)
        if not cron:
            continue
        wanted = {"state": "code", "code": declared["code"]}
        for name in ("model_id", "user_id"):
            if name in declared:
                wanted[name] = env.ref(declared[name][1]).id
        current = {
            "state": cron.state,
            "code": cron.code,
            "model_id": cron.model_id.id,
            "user_id": cron.user_id.id,
        }
        changes = {
            name: value for name, value in wanted.items() if current[name] != value
        }
        if changes:
            cron.write(changes)
            fixed += 1
    removed = 0
    for xmlid in OBSOLETE_CRONS:
        cron = env.ref(f"participant_sms.{xmlid}", raise_if_not_found=False)
        if cron:
            cron.unlink()
            removed += 1
    _logger.info(
        "participant_sms 18.0.1.2.0: %s crons pointed at their current model and code, "
        "%s obsolete crons removed",
        fixed,
        removed,
    )


# --------------------------------------------------------------------------------------
# purpose of the SMS made before it existed
# --------------------------------------------------------------------------------------
def _context_models(env):
    """``(model, table, start column)`` of the models that have reminders and
    follow-ups."""
    found = []
    for name in ("calendar.event", "participant.step", "participant.orientation"):
        model = env.get(name)
        if model is None or "sms_reminder_sms_id" not in model._fields:
            continue
        found.append(
            (name, model._table, model._fields[model._psms_event_start_field].name)
        )
    return found


def _backfill_purpose(env):
    cr = env.cr
    if not _column_exists(cr, "participant_sms", "purpose"):
        return
    reminders = follow_ups = linked = 0
    for model, table, start in _context_models(env):
        # the SMS a record names as its reminder
        cr.execute(
            f"""UPDATE participant_sms s SET purpose = 'reminder'
                         FROM "{table}" r
                        WHERE s.purpose IS NULL AND s.res_model = %s AND s.res_id = r.id
                          AND r.sms_reminder_sms_id = s.id""",
            [model],
        )
        reminders += cr.rowcount
        # scheduled or automated before the start, made before reminders were fields of
        # the record: a reminder; of the pending ones, only the latest of a record that
        # has no pending reminder (at most one pending per purpose, I1)
        before_start = f"""s.purpose IS NULL AND s.res_model = %s AND s.res_id = r.id
                          AND s.origin IN ('scheduled', 'automation')
                          AND r."{start}" IS NOT NULL AND s.planned_at < r."{start}" """
        cr.execute(
            f"""UPDATE participant_sms s SET purpose = 'reminder' FROM "{table}" r
                        WHERE {before_start} AND s.state != 'queued'""",
            [model],
        )
        reminders += cr.rowcount
        cr.execute(
            f"""UPDATE participant_sms s SET purpose = 'reminder' FROM "{table}" r
                        WHERE {before_start} AND s.state = 'queued'
                          AND NOT EXISTS (
                              SELECT 1 FROM participant_sms o
                               WHERE o.res_model = s.res_model AND o.res_id = s.res_id
                                 AND o.state = 'queued' AND o.purpose = 'reminder')
                          AND s.id = (
                              SELECT max(l.id) FROM participant_sms l
                               WHERE l.res_model = s.res_model AND l.res_id = s.res_id
                                 AND l.state = 'queued' AND l.purpose IS NULL
                                 AND l.origin IN ('scheduled', 'automation')
                                 AND l.planned_at < r."{start}")""",
            [model],
        )
        reminders += cr.rowcount
        # an automation's SMS after the start: the follow-up
        cr.execute(
            f"""UPDATE participant_sms s SET purpose = 'follow_up'
                         FROM "{table}" r
                        WHERE s.purpose IS NULL AND s.res_model = %s AND s.res_id = r.id
                          AND s.origin = 'automation'
                          AND r."{start}" IS NOT NULL AND s.planned_at >= r."{start}"
                              """,
            [model],
        )
        follow_ups += cr.rowcount
        # a pending reminder the record does not name: the record names it now, so that
        # it follows the record (new time, number, cancellation) like the reminders made
        # now
        cr.execute(
            f"""UPDATE "{table}" r
                          SET sms_reminder = TRUE, sms_reminder_sms_id = s.id,
                              sms_reminder_planned_at = s.planned_at,
                              sms_reminder_body = s.body
                         FROM participant_sms s
                        WHERE s.res_model = %s AND s.res_id = r.id AND s.state =
                            'queued'
                          AND s.purpose = 'reminder'
                          AND (r.sms_reminder_sms_id IS NULL OR r.sms_reminder_sms_id
                              != s.id)
                          AND NOT EXISTS (SELECT 1 FROM participant_sms n
                                           WHERE n.id = r.sms_reminder_sms_id
                                             AND n.state = 'queued')""",
            [model],
        )
        linked += cr.rowcount
    _logger.info(
        "participant_sms 18.0.1.2.0: purpose of earlier SMS: %s reminders, "
        "%s follow-ups; %s pending reminders named by their record",
        reminders,
        follow_ups,
        linked,
    )


# --------------------------------------------------------------------------------------
# the note each earlier reply made
# --------------------------------------------------------------------------------------
def _backfill_reply_notes(env):
    cr = env.cr
    if not _column_exists(cr, "participant_sms_reply", "note_message_id"):
        return
    cr.execute("""SELECT r.id, r.text, r.received_at,
                         CASE WHEN r.event_id IS NOT NULL THEN 'calendar.event' ELSE
                             s.res_model END,
                         COALESCE(r.event_id, s.res_id)
                    FROM participant_sms_reply r
                    LEFT JOIN participant_sms s ON s.id = r.sms_id
                   WHERE r.note_message_id IS NULL AND r.anonymized_at IS NULL
                     AND COALESCE(r.text, '') != ''
                     AND (r.event_id IS NOT NULL OR s.res_id IS NOT NULL)
                   ORDER BY r.received_at, r.id""")
    replies = cr.fetchall()
    by_model = {}
    for reply in replies:
        if reply[3]:
            by_model.setdefault(reply[3], []).append(reply)
    cr.execute(
        "SELECT note_message_id FROM participant_sms_reply WHERE note_message_id IS "
        "NOT NULL"
    )
    taken = {row[0] for row in cr.fetchall()}
    found = 0
    for model, group in by_model.items():
        cr.execute(
            """SELECT id, res_id, body, date FROM mail_message
                       WHERE model = %s AND res_id = ANY(%s) AND message_type =
                           'notification'
                       ORDER BY date, id""",
            [model, list({reply[4] for reply in group})],
        )
        notes = {}
        for note_id, res_id, body, date in cr.fetchall():
            notes.setdefault(res_id, []).append((note_id, body or "", date))
        for reply_id, text, received_at, _model, res_id in group:
            quoted = " ".join(text.split())
            earliest = received_at and received_at - CLOCK_TOLERANCE
            for note_id, body, date in notes.get(res_id, ()):
                if note_id in taken or (date and earliest and date < earliest):
                    continue
                if quoted in _paragraphs(body):
                    cr.execute(
                        "UPDATE participant_sms_reply SET note_message_id = %s "
                        "WHERE id = %s",
                        [note_id, reply_id],
                    )
                    taken.add(note_id)
                    found += 1
                    break
    _logger.info(
        "participant_sms 18.0.1.2.0: %s of %s earlier replies linked to their note",
        found,
        len(replies),
    )


#: a note may be dated a little before the reply it quotes (the provider's clock ahead)
CLOCK_TOLERANCE = timedelta(minutes=10)


def _paragraphs(body):
    """The plain text of each paragraph of a note's HTML, spaces collapsed (the
    sanitizer that stored it writes ' and " as they are, & < > as entities: compare
    text, not HTML)."""
    if not body:
        return set()
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    return {" ".join(paragraph.text_content().split()) for paragraph in root.iter("p")}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    _fix_crons(env)
    _backfill_purpose(env)
    _backfill_reply_notes(env)
