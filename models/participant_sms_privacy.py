# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Personal data of the SMS (RGPD): retention (the right of access, the participant's
SMS history, is in ``participant_sms_history.py``).

Invariants (tests/test_sms_privacy.py):

* **R1** an SMS or reply past its company's retention period has no text and no number
  left; its date, status, SMS count, credits, context type, context record, origin and
  author stay, so that every count and statistic is unchanged;
* **R2** an SMS that is not final (queued, being sent, sent and waiting for its status)
  is never anonymised, whatever its age; a company keeping SMS forever (0 months) loses
  nothing;
* **R3** anonymisation is idempotent and only ever removes: running it twice, or on a
  crash and again, gives the same result;
* **R4** (``participant_sms_history.py``) the history export;
* **R5** anonymising an SMS or a reply removes every copy of its text and number,
  wherever the addon wrote one (tests/test_sms_retention_copies.py searches every column
  of every table): the chatter notes quoting it (and their e-mails), the "SMS reply"
  theme line, the collaborator's to-do of an "alert" reply (open, done or archived) and
  the message saying it was done, the simulator's record of the send, and the reminder
  text of the record it was sent for (``sms_reminder_body``), cleared when it is that
  text (whitespace aside) and the record's reminder is over: a record whose reminder SMS
  is not final, or whose reminder is on for a start still to come and has not left yet,
  keeps its text (R2).
"""

import logging
from collections import namedtuple

import lxml.html
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL

from .participant_sms_note import NOTE_LINKS_FROM
from .participant_sms_selections import FINAL_STATES
from .statement_triggers import keys_kept

_logger = logging.getLogger(__name__)

#: what an anonymised text or number reads
ANONYMISED = "—"
#: SMS or replies anonymised per batch (and per commit, as a cron): 10,000 make a
#: fifth of the statements of 2,000 for about 20 MB of memory (bench/bench_retention.py)
BATCH = 10000
#: the columns of participant.sms and participant.sms.reply the anonymisation writes
ANONYMISED_SMS_FIELDS = [
    "body",
    "number",
    "last_error",
    "anonymized_at",
    "write_date",
    "write_uid",
]
ANONYMISED_REPLY_FIELDS = ["text", "number", "anonymized_at", "write_date", "write_uid"]

#: what the copies of an SMS are found by, read with its batch (its id first)
_SmsRow = namedtuple(
    "_SmsRow", "id res_model res_id body number provider_tag provider_id"
)


def _plain(text):
    """A text with its whitespace collapsed, as a chatter note shows it."""
    return " ".join((text or "").split())


def _paragraphs(html):
    """``(set of its paragraphs, its whole text)`` of an HTML body, as plain text with
    the whitespace collapsed."""
    if not html or not str(html).strip():
        return set(), ""
    root = lxml.html.fragment_fromstring(str(html), create_parent="div")
    return (
        {_plain(p.text_content()) for p in root.iter("p", "div")},
        _plain(root.text_content()),
    )


class _Progress:
    """The progress of a cron run, a batch at a time: with ``auto_commit`` each batch
    is committed, the cache emptied (the memory stays that of one batch) and the count
    told to the cron (``total``: what there was to do when the run started)."""

    def __init__(self, privacy, auto_commit):
        self.env, self.auto_commit = privacy.env, auto_commit
        self.total = self.done = 0

    def step(self, count):
        self.done += count
        self.commit()
        if self.auto_commit:
            self.env["ir.cron"]._notify_progress(
                done=self.done, remaining=max(self.total - self.done, 0)
            )

    def commit(self):
        self.env["participant.sms.dispatcher"]._commit(self.auto_commit)
        if self.auto_commit:
            self.env.invalidate_all()


class ParticipantSmsPrivacy(models.AbstractModel):
    _name = "participant.sms.privacy"
    _description = "SMS personal data"

    # ----------------------------------------------------------------------------------
    # retention
    # ----------------------------------------------------------------------------------
    @api.model
    def _anonymize(self, auto_commit=False, batch_size=BATCH):
        """Anonymise what is past each company's retention; return (SMS count, reply
        count).

        Set-based and bounded whatever the history: the SMS (then the replies) are
        taken ``batch_size`` at a time by id from the last batch on (the primary key's
        index), each batch's copies are erased (R5) and the batch anonymised by a few
        statements; with ``auto_commit`` (the cron) each batch is committed, forgotten
        by the cache and its progress told to the cron, so that a first run over years
        of history needs the memory of one batch, and a crash leaves whole batches done
        (R3: the next run takes the rest)."""
        self.env.flush_all()
        now = fields.Datetime.now()
        companies = (
            self.env["res.company"].sudo().search([("psms_retention_months", ">", 0)])
        )
        cutoffs = [
            (company.id, now - relativedelta(months=company.psms_retention_months))
            for company in companies
        ]
        shortest = max((cutoff for _id, cutoff in cutoffs), default=None)
        sms_where = [
            self._sms_past(company_id, cutoff) for company_id, cutoff in cutoffs
        ]
        reply_where = [
            self._replies_past(company_id, cutoff) for company_id, cutoff in cutoffs
        ]
        if shortest:
            # replies that answered no SMS of ours: the shortest retention of all
            reply_where.append(self._replies_past(None, shortest))
        progress = _Progress(self, auto_commit)
        if auto_commit:
            progress.total = sum(
                self._count("participant_sms", where) for where in sms_where
            ) + sum(
                self._count("participant_sms_reply", where) for where in reply_where
            )
        sms_count = sum(
            self._anonymize_batches(
                "participant_sms",
                where,
                self._anonymize_sms_rows,
                progress,
                batch_size,
                columns=_SmsRow._fields,
            )
            for where in sms_where
        )
        reply_count = sum(
            self._anonymize_batches(
                "participant_sms_reply",
                where,
                self._anonymize_reply_batch,
                progress,
                batch_size,
            )
            for where in reply_where
        )
        if shortest:
            # the simulator's outbox, as a provider purges its history (one statement)
            self.env.cr.execute(
                "DELETE FROM participant_sms_simulator_message WHERE accepted_at < %s",
                [shortest],
            )
            self.env["participant.sms.simulator.message"].invalidate_model()
            progress.commit()
        _logger.info(
            "SMS retention: %s SMS and %s replies anonymised", sms_count, reply_count
        )
        return sms_count, reply_count

    @api.model
    def _sms_past(self, company_id, cutoff):
        """The SMS of a company past its retention, final and not yet anonymised (R1,
        R2): an SQL condition on ``t``, the SMS table."""
        return SQL(
            """t.company_id = %(company)s AND t.state IN %(states)s
               AND t.anonymized_at IS NULL AND t.planned_at < %(cutoff)s
               AND (t.sent_at IS NULL OR t.sent_at < %(cutoff)s)
               AND (t.status_at IS NULL OR t.status_at < %(cutoff)s)""",
            company=company_id,
            states=tuple(sorted(FINAL_STATES)),
            cutoff=cutoff,
        )

    @api.model
    def _replies_past(self, company_id, cutoff):
        """The replies to a company's SMS (``company_id`` None: those answering no SMS)
        received before ``cutoff`` and not yet anonymised: an SQL condition on ``t``,
        the reply table."""
        if company_id is None:
            answered = SQL("t.sms_id IS NULL")
        else:
            answered = SQL(
                """EXISTS (SELECT 1 FROM participant_sms s
                            WHERE s.id = t.sms_id AND s.company_id = %s)""",
                company_id,
            )
        return SQL(
            "%s AND t.anonymized_at IS NULL AND t.received_at < %s", answered, cutoff
        )

    @api.model
    def _count(self, table, where):
        self.env.cr.execute(
            SQL("SELECT count(*) FROM %s t WHERE %s", SQL.identifier(table), where)
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _anonymize_batches(
        self, table, where, anonymize, progress, batch_size, columns=None
    ):
        """``anonymize(rows)`` on the rows of ``table`` matching ``where``,
        ``batch_size`` at a time by id from the last batch on (``columns``: what is
        read of each row, in one query with the batch, the id first; a row is its id
        when None); return how many."""
        select = SQL(", ").join(
            SQL.identifier("t", column) for column in (columns or ["id"])
        )
        done = last_id = 0
        while True:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """SELECT %s FROM %s t WHERE %s AND t.id > %s
                        ORDER BY t.id LIMIT %s""",
                    select,
                    SQL.identifier(table),
                    where,
                    last_id,
                    batch_size,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                return done
            last_id = rows[-1][0]
            anonymize(rows if columns else [row[0] for row in rows])
            done += len(rows)
            progress.step(len(rows))

    @api.model
    def _anonymize_sms_rows(self, rows):
        """Anonymise these SMS (tuples of the ``_SmsRow`` columns, read with their
        batch): every copy first (R5), then their text, number and error, in one
        statement (nothing computes from them)."""
        Sms = self.env["participant.sms"].sudo()
        rows = [_SmsRow(*row) for row in rows]
        ids = [row.id for row in rows]
        self._anonymize_sms_copies(rows)
        self.env.flush_all()
        with keys_kept(self.env.cr):  # no count changes (R1): the daily counts rest
            self._anonymize_sms_update(ids)
        Sms.invalidate_model(ANONYMISED_SMS_FIELDS)

    @api.model
    def _anonymize_sms_update(self, ids):
        self.env.cr.execute(
            """UPDATE participant_sms
                  SET body = %(gone)s, number = %(gone)s, last_error = NULL,
                      anonymized_at = %(now)s, write_date = %(stamp)s,
                      write_uid = %(uid)s
                WHERE id = ANY(%(ids)s)""",
            {
                "gone": ANONYMISED,
                "now": fields.Datetime.now(),
                "stamp": self.env.cr.now(),
                "uid": self.env.uid,
                "ids": ids,
            },
        )

    @api.model
    def _anonymize_reply_batch(self, ids):
        """Anonymise these replies: every copy first (R5), then their text and number,
        in one statement."""
        Reply = self.env["participant.sms.reply"].sudo()
        self._anonymize_reply_records(Reply.browse(ids))
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE participant_sms_reply
                  SET text = %(gone)s, number = %(gone)s, anonymized_at = %(now)s,
                      write_date = %(stamp)s, write_uid = %(uid)s
                WHERE id = ANY(%(ids)s)""",
            {
                "gone": ANONYMISED,
                "now": fields.Datetime.now(),
                "stamp": self.env.cr.now(),
                "uid": self.env.uid,
                "ids": ids,
            },
        )
        Reply.invalidate_model(ANONYMISED_REPLY_FIELDS)

    @api.model
    def _anonymize_sms_copies(self, rows):
        """Before these SMS (``_SmsRow``) are anonymised: every copy of their text and
        number (R5)."""
        self._anonymize_sms_notes(rows)
        self._anonymize_reminder_texts(rows)
        self._forget_simulated(rows)

    @api.model
    def _anonymized_note(self):
        return Markup("<p><em>%s</em></p>") % _(
            "SMS note anonymised at the end of the retention period."
        )

    @api.model
    def _anonymize_sms_notes(self, rows):
        """The chatter notes quoting these SMS (sent, final status): those the engine
        recorded in the note table, in one statement
        (``_anonymize_linked_notes``); then, found by their text, those of the SMS
        the table may not know all of: sent before the table existed
        (``NOTE_LINKS_FROM``) or with a record and no note in it."""
        linked = self._anonymize_linked_notes([row.id for row in rows])
        since = self._note_links_from()
        self._anonymize_quoted_notes(
            [row for row in rows if row.id < since or row.id not in linked]
        )

    @api.model
    def _note_links_from(self):
        """The first SMS id whose notes are all in the note table (0: all of them,
        a database installed with it); read by SQL, not from the parameters' cache,
        so that each batch costs the same statements."""
        self.env.cr.execute(
            "SELECT value FROM ir_config_parameter WHERE key = %s", [NOTE_LINKS_FROM]
        )
        row = self.env.cr.fetchone()
        return int(row[0]) if row and row[0] else 0

    @api.model
    def _anonymize_linked_notes(self, sms_ids):
        """Replace the body of the notes the note table gives for these SMS, and of
        the e-mails made of them, and drop their rows (one statement: the rows by
        their primary key, the notes by theirs); return the ids of the SMS that had
        rows."""
        Message = self.env["mail.message"].sudo()
        note = str(self._anonymized_note())
        self.env.flush_all()
        self.env.cr.execute(
            """WITH links AS (
                    DELETE FROM participant_sms_note WHERE sms_id = ANY(%(ids)s)
                    RETURNING sms_id, message_id),
                notes AS (
                    UPDATE mail_message m
                       SET body = %(note)s, write_date = %(stamp)s,
                           write_uid = %(uid)s
                      FROM links WHERE m.id = links.message_id
                    RETURNING m.id),
                mails AS (
                    UPDATE mail_mail
                       SET body_html = %(note)s, write_date = %(stamp)s,
                           write_uid = %(uid)s
                     WHERE mail_message_id IN (SELECT id FROM notes))
               SELECT DISTINCT sms_id FROM links""",
            {
                "ids": sms_ids,
                "note": note,
                "stamp": self.env.cr.now(),
                "uid": self.env.uid,
            },
        )
        linked = {sms_id for (sms_id,) in self.env.cr.fetchall()}
        if linked:
            Message.invalidate_model(["body", "write_date", "write_uid"])
            self.env["mail.mail"].invalidate_model(
                ["body_html", "write_date", "write_uid"]
            )
        return linked

    @api.model
    def _anonymize_quoted_notes(self, rows):
        """The chatter notes of the context records that quote these SMS, found by
        record (the index of mail.message on model and res_id, one query per model),
        then by their text among that record's notes; their body replaced."""
        quoting = [
            row
            for row in rows
            if row.res_model and row.res_id and row.body != ANONYMISED
        ]
        by_model = {}
        for row in quoting:
            # texts compared as plain text, whitespace collapsed (as striptags)
            by_model.setdefault(row.res_model, {}).setdefault(row.res_id, []).append(
                _plain(row.body)
            )
        notes = []
        for model, quoted in by_model.items():
            self.env.cr.execute(
                """SELECT id, res_id, body FROM mail_message
                    WHERE model = %s AND res_id = ANY(%s)
                      AND message_type = 'notification'""",
                [model, list(quoted)],
            )
            for note_id, res_id, body in self.env.cr.fetchall():
                text = Markup(body or "").striptags()
                if any(quote in text for quote in quoted[res_id]):
                    notes.append(note_id)
        self._anonymize_messages(self.env["mail.message"].browse(notes))

    @api.model
    def _anonymize_messages(self, messages):
        """Replace the body of these chatter messages, and of the e-mails made of
        them (two statements; nothing computes from a body)."""
        if not messages:
            return
        Message = self.env["mail.message"].sudo()
        note = self._anonymized_note()
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE mail_message SET body = %s, write_date = %s, write_uid = %s
                WHERE id = ANY(%s)""",
            [
                Message._fields["body"].convert_to_column(note, Message),
                self.env.cr.now(),
                self.env.uid,
                messages.ids,
            ],
        )
        self.env.cr.execute(
            """UPDATE mail_mail SET body_html = %s, write_date = %s, write_uid = %s
                WHERE mail_message_id = ANY(%s)""",
            [str(note), self.env.cr.now(), self.env.uid, messages.ids],
        )
        Message.invalidate_model(["body", "write_date", "write_uid"])
        self.env["mail.mail"].invalidate_model(["body_html", "write_date", "write_uid"])

    @api.model
    def _anonymize_reminder_texts(self, rows):
        """The reminder text of the records these SMS were sent for, when it is the text
        of one of them (whitespace aside) and the record's reminder is over; written
        by SQL, without syncing the reminder (nothing is queued, revised or
        cancelled). The
        records holding a reminder text are found by id in one query per model; only
        those whose text is one of these SMS are read by the ORM."""
        reminder_models = self.env["participant.sms"]._reminder_models()
        by_model = {}
        for row in rows:
            if (
                row.res_model in reminder_models
                and row.res_id
                and row.body != ANONYMISED
            ):
                by_model.setdefault(row.res_model, {}).setdefault(
                    row.res_id, set()
                ).add(_plain(row.body))
        for model, texts in by_model.items():
            Model = self.env[model].sudo().with_context(active_test=False)
            self.env.cr.execute(
                SQL(
                    """SELECT id, sms_reminder_body FROM %s
                        WHERE id = ANY(%s) AND sms_reminder_body IS NOT NULL""",
                    SQL.identifier(Model._table),
                    list(texts),
                )
            )
            candidates = Model.browse(
                record_id
                for record_id, body in self.env.cr.fetchall()
                if body and _plain(body) in texts[record_id]
            )
            over = candidates.filtered(
                lambda record, texts=texts: record.sms_reminder_body
                and _plain(record.sms_reminder_body) in texts[record.id]
                and not self._reminder_to_come(record)
            )
            if over:
                self._clear_reminder_texts(over)

    @api.model
    def _clear_reminder_texts(self, records):
        """Empty the reminder text of ``records`` in one statement: nothing computes
        from it, and the ORM's write would reconcile each record's reminder (a
        quarter of the retention's time on reminders, bench/bench_retention.py)."""
        records.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE %s SET sms_reminder_body = NULL, write_date = %s,
                          write_uid = %s
                    WHERE id = ANY(%s)""",
                SQL.identifier(records._table),
                self.env.cr.now(),
                self.env.uid,
                records.ids,
            )
        )
        records.invalidate_recordset(["sms_reminder_body", "write_date", "write_uid"])

    @api.model
    def _reminder_to_come(self, record):
        """Whether ``record``'s reminder may still send its text: its reminder SMS is
        not final, or the reminder is on for a later start and its SMS has not left
        (none, or cancelled). A reminder SMS that left is never sent again: the text is
        only a copy."""
        current = record.sms_reminder_sms_id
        if current and current.state not in FINAL_STATES:
            return True
        start = record[record._psms_event_start_field]
        return bool(
            record.sms_reminder
            and start
            and start > fields.Datetime.now()
            and (not current or current.state == "cancelled")
        )

    @api.model
    def _forget_simulated(self, rows):
        """The simulator's record of these sends (their number), as a provider purges
        it: the rows of their dispatch tags (its index) with their number or the
        provider id of one of them, in one statement; with a real provider the
        simulator holds none of their tags, which one query on the tags tells."""
        tags = list({row.provider_tag for row in rows if row.provider_tag})
        if not tags:
            return
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT DISTINCT tag FROM participant_sms_simulator_message
                WHERE tag = ANY(%s::varchar[])""",
            [tags],
        )
        simulated = {tag for (tag,) in self.env.cr.fetchall()}
        sent = [row for row in rows if row.provider_tag in simulated]
        if not sent:
            return
        self.env.cr.execute(
            """DELETE FROM participant_sms_simulator_message
                WHERE tag = ANY(%(distinct_tags)s::varchar[])
                  AND ((tag, number) IN (SELECT * FROM unnest(%(tags)s::varchar[],
                                                             %(numbers)s::varchar[]))
                       OR provider_id = ANY(%(provider_ids)s::varchar[]))""",
            {
                "distinct_tags": list(simulated),
                "tags": [row.provider_tag for row in sent],
                "numbers": [row.number for row in sent],
                "provider_ids": list(
                    {row.provider_id for row in sent if row.provider_id}
                ),
            },
        )
        self.env["participant.sms.simulator.message"].invalidate_model()

    @api.model
    def _anonymize_reply_records(self, replies):
        """The chatter note quoting each reply and the "SMS reply" theme line of its
        appointment keep their date, not the text."""
        self._anonymize_messages(replies.note_message_id)
        lines = (
            self.env["participant.appointment.theme.line"]
            .sudo()
            .search([("reply_id", "in", replies.ids)])
        )
        for line in lines:
            reply = line.reply_id.with_context(
                lang=line.event_id.participant_collaborator_id.lang or self.env.lang
            )
            line.synthesis = reply._synthesis(ANONYMISED)
        self._anonymize_reply_alerts(replies)

    @api.model
    def _anonymize_reply_alerts(self, replies):
        """The collaborator's to-do of an "alert" reply (open, done or archived) and the
        message saying it was done, on the participant: those holding the reply's text
        as a paragraph of their own and its date and time of reception (in any installed
        language), so that another reply with the same text keeps its to-do."""
        applied = replies.filtered(
            lambda r: r.result == "applied" and r.text and r.text != ANONYMISED
        )
        partners = applied.event_id.participant_id | applied.partner_id
        if not partners:
            return
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        quoted = {}  # partner id -> [(text, {(day, time), ...})]
        for reply in applied.filtered("received_at"):
            stamps = {reply.with_context(lang=lang)._when() for lang in langs}
            for partner in reply.event_id.participant_id | reply.partner_id:
                quoted.setdefault(partner.id, []).append((_plain(reply.text), stamps))

        def quotes(html, partner_id):
            paragraphs, text = _paragraphs(html)
            return any(
                body in paragraphs
                and any(day in text and time in text for day, time in when)
                for body, when in quoted.get(partner_id, ())
            )

        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        )
        activities.filtered(lambda a: quotes(a.note, a.res_id)).write(
            {"note": self._anonymized_note()}
        )
        done = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("mail_activity_type_id", "!=", False),
                ]
            )
        )
        self._anonymize_messages(done.filtered(lambda m: quotes(m.body, m.res_id)))
