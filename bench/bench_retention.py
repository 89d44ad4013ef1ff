#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The retention cron on a first run over years of history, and the reply cron on a
backlog.

    python3 bench/bench_retention.py --db psms_bench [--count 1000000]
                                     [--replies 20000]

Loads by SQL COUNT SMS spread over five years with their final statuses (delivered
mostly; failed, expired, cancelled, not sent, STOP), a fifth of them reminders of an
appointment (``calendar.event``) with the two chatter notes the engine posts on it
(sent, final status; recorded in the note table, as the engine does from 18.0.1.8.0)
and, for one appointment in ten, its reminder text; a reply to one SMS in fifty,
with its chatter note. Vacuums them (as autovacuum has long done on SMS past their
retention), runs the retention cron as its code does
(``auto_commit=True``: a commit per batch) and prints SMS/s and the peak memory
growth; then REPLIES pending replies from unknown numbers and the reply cron on them
(each batch of the reply cron searches the SMS by number, through the number
table's index).
Side by side, Odoo's own retention cleanup on as many rows: ``mail.notification``'s
``_gc_notifications`` (the autovacuum deleting read notifications): a DELETE, with no
copy to search, so a lower bound rather than a peer. Deletes what it loaded.
"""

import time

from _common import open_registry, parse_args
from bench_export import RssSampler

TAG = "BENCH-RETENTION"
#: the tables the load writes (participant_sms_number: from 18.0.1.7.0,
#: participant_sms_note: from 18.0.1.8.0)
VACUUMED = (
    "participant_sms",
    "participant_sms_number",
    "participant_sms_note",
    "participant_sms_reply",
    "mail_message",
    "calendar_event",
)
DAYS = 5 * 365


def load(env, count):
    """COUNT SMS over five years, the reminders' events and notes, and the replies."""
    cr = env.cr
    company = env.ref("base.main_company")
    account = company._psms_account()
    uid, partner = env.uid, env.user.partner_id.id
    reminders = count // 5
    # the appointments: one per reminder SMS
    cr.execute(
        """INSERT INTO calendar_event
                (name, start, stop, allday, duration, privacy, show_as, active,
                 user_id, sms_reminder_body, create_uid, write_uid, create_date,
                 write_date)
           SELECT %(tag)s, now() - (n %% %(days)s) * interval '1 day',
                  now() - (n %% %(days)s) * interval '1 day' + interval '1 hour',
                  FALSE, 1, 'public', 'busy', TRUE, %(uid)s,
                  CASE WHEN n %% 10 = 0 THEN 'Rappel : rendez-vous n°' || n
                       || ' à la Mission locale.' END,
                  %(uid)s, %(uid)s, now(), now()
             FROM generate_series(1, %(reminders)s) AS n
           RETURNING id""",
        {"tag": TAG, "days": DAYS, "uid": uid, "reminders": reminders},
    )
    events = [row[0] for row in cr.fetchall()]
    cr.execute(
        """INSERT INTO participant_sms
                (company_id, account_id, partner_id, number, body, state, origin,
                 context_type, res_model, res_id, batch_ref, provider_id,
                 provider_tag, planned_at, sent_at, status_at, segments, encoding,
                 attempts, credits, create_uid, write_uid, create_date, write_date)
           SELECT %(company)s, %(account)s, %(partner)s,
                  '+3361' || lpad(n::text, 7, '0'),
                  CASE WHEN n <= %(reminders)s
                       THEN 'Rappel : rendez-vous n°' || n || ' à la Mission locale.'
                       ELSE 'Information : salon de l''emploi n°' || n || '.' END,
                  (ARRAY['delivered', 'delivered', 'delivered', 'delivered',
                         'delivered', 'delivered', 'failed', 'expired', 'cancelled',
                         'not_sent', 'stop', 'unknown'])[n %% 12 + 1],
                  CASE WHEN n <= %(reminders)s THEN 'reminder' ELSE 'batch' END,
                  CASE WHEN n <= %(reminders)s THEN 'appointment' ELSE 'batch' END,
                  CASE WHEN n <= %(reminders)s THEN 'calendar.event' END,
                  e.id,
                  %(tag)s, 'bench-' || n, 'bench-tag-' || (n / 500),
                  now() - (n %% %(days)s) * interval '1 day',
                  now() - (n %% %(days)s) * interval '1 day',
                  now() - (n %% %(days)s) * interval '1 day' + interval '1 minute',
                  1, 'GSM-7', 1, 1, %(uid)s, %(uid)s, now(), now()
             FROM generate_series(1, %(count)s) AS n
             LEFT JOIN unnest(%(events)s::int[]) WITH ORDINALITY AS e(id, rank)
                    ON e.rank = n""",
        {
            "company": company.id,
            "account": account.id,
            "partner": partner,
            "reminders": reminders,
            "events": events,
            "tag": TAG,
            "days": DAYS,
            "count": count,
            "uid": uid,
        },
    )
    # the engine's two notes per reminder SMS (sent, final status), as it posts them
    cr.execute(
        """INSERT INTO mail_message
                (model, res_id, message_type, body, date, author_id, record_name,
                 create_uid, write_uid, create_date, write_date)
           SELECT 'calendar.event', s.res_id, 'notification',
                  '<p><strong>SMS ' || k.head || ' (+33 6 1' || right(s.number, 8)
                  || ')</strong></p><p>' || s.body || '</p>',
                  s.planned_at, %(partner)s, %(tag)s, %(uid)s, %(uid)s, now(), now()
             FROM participant_sms s,
                  (VALUES ('sent to Bench'), ('to Bench: Delivered')) AS k(head)
            WHERE s.batch_ref = %(tag)s AND s.res_id IS NOT NULL""",
        {"partner": partner, "tag": TAG, "uid": uid},
    )
    notes = cr.rowcount
    cr.execute("SELECT to_regclass('participant_sms_note')")
    if cr.fetchone()[0]:  # from 18.0.1.8.0 the engine records which note quotes which
        cr.execute(
            """INSERT INTO participant_sms_note (sms_id, message_id)
               SELECT s.id, m.id FROM mail_message m
                 JOIN participant_sms s
                   ON s.res_model = m.model AND s.res_id = m.res_id
                  AND s.batch_ref = %(tag)s
                WHERE m.record_name = %(tag)s""",
            {"tag": TAG},
        )
    return reminders, notes


def load_replies(env, count, pending, answered):
    """Replies: one to each of ANSWERED SMS (recorded, with a note), and PENDING ones
    from unknown numbers, waiting for the reply cron."""
    cr = env.cr
    account = env.ref("base.main_company")._psms_account()
    cr.execute(
        """INSERT INTO participant_sms_reply
                (account_id, inbound_id, number, text, result, received_at, seen,
                 sms_id, partner_id, create_uid, write_uid, create_date, write_date)
           SELECT %(account)s, %(tag)s || s.id, s.number, 'Oui merci ' || s.id,
                  'no_keyword', s.status_at + interval '1 hour', TRUE, s.id,
                  s.partner_id, 1, 1, now(), now()
             FROM participant_sms s
            WHERE s.batch_ref = %(tag)s AND s.id %% %(every)s = 0""",
        {"account": account.id, "tag": TAG, "every": max(count // answered, 1)},
    )
    cr.execute(
        """INSERT INTO participant_sms_reply
                (account_id, inbound_id, number, text, result, received_at, seen,
                 create_uid, write_uid, create_date, write_date)
           SELECT %(account)s, %(tag)s || 'P' || n,
                  '+3375' || lpad(n::text, 7, '0'), 'Bonjour ' || n, 'pending',
                  now(), FALSE, 1, 1, now(), now()
             FROM generate_series(1, %(pending)s) AS n""",
        {"account": account.id, "tag": TAG, "pending": pending},
    )


def load_peer(env, rows):
    """ROWS read notifications older than 180 days, for Odoo's own autovacuum."""
    env.cr.execute(
        """INSERT INTO mail_notification
                (mail_message_id, res_partner_id, notification_type,
                 notification_status, is_read, read_date)
           SELECT m.id, %(partner)s, 'inbox', 'sent', TRUE, now() - interval '1 year'
             FROM mail_message m WHERE m.record_name = %(tag)s LIMIT %(rows)s""",
        {"partner": env.user.partner_id.id, "tag": TAG, "rows": rows},
    )
    return env.cr.rowcount


def measured(registry, run):
    """(seconds, peak RSS growth in MB, result) of ``run(env)``, in a cursor of its
    own."""
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"lang": "en_US"})
        sampler = RssSampler()
        sampler.start()
        started = time.perf_counter()
        result = run(env)
        elapsed = time.perf_counter() - started
        growth = sampler.stop()
    return elapsed, growth, result


def cleanup(registry):
    """Delete what was loaded (the foreign keys' triggers off: nothing else refers to
    these rows, and checking each one's referrers costs minutes), then recount the
    daily counts (their trigger is off too)."""
    from odoo import api

    with registry.cursor() as cr:
        cr.execute("SET LOCAL session_replication_role = replica")
        cr.execute(
            """DELETE FROM mail_notification WHERE mail_message_id IN
                      (SELECT id FROM mail_message WHERE record_name = %s)""",
            [TAG],
        )
        cr.execute(
            "DELETE FROM participant_sms_reply WHERE inbound_id LIKE %s", [TAG + "%"]
        )
        cr.execute("DELETE FROM mail_message WHERE record_name = %s", [TAG])
        for side in ("participant_sms_number", "participant_sms_note"):
            cr.execute("SELECT to_regclass(%s)", [side])
            if cr.fetchone()[0]:  # the cascade is a trigger too, off here
                cr.execute(
                    f"""DELETE FROM {side} WHERE sms_id IN
                           (SELECT id FROM participant_sms WHERE batch_ref = %s)""",
                    [TAG],
                )
        cr.execute("DELETE FROM participant_sms WHERE batch_ref = %s", [TAG])
        cr.execute("DELETE FROM calendar_event WHERE name = %s", [TAG])
        # the daily counts' trigger is off too: recount what is left
        api.Environment(cr, api.SUPERUSER_ID, {})["participant.sms.daily"]._rebuild()


def main():
    args = parse_args(__doc__, count=(int, 1000000), replies=(int, 20000))
    from odoo import api

    registry = open_registry(args)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        months = env.ref("base.main_company").psms_retention_months
        started = time.perf_counter()
        reminders, notes = load(env, args.count)
        load_replies(env, args.count, args.replies, args.count // 50)
        cr.commit()
        loaded = time.perf_counter() - started
    with registry.cursor() as cr:
        # SMS past their retention were written months ago: autovacuum has been
        # through them (without it, the run would set the hint bits of a table just
        # loaded, racing autovacuum)
        cr._cnx.autocommit = True
        for table in VACUUMED:
            cr.execute("SELECT to_regclass(%s)", [table])
            if cr.fetchone()[0]:
                cr.execute(f"VACUUM ANALYZE {table}")
        cr.execute(
            """SELECT count(*) FROM participant_sms WHERE batch_ref = %s
                  AND planned_at < now() - %s * interval '1 month'""",
            [TAG, months],
        )
        past = cr.fetchone()[0]
    print(
        f"Retention benchmark: {args.count:,} SMS over 5 years "
        f"({reminders:,} reminders with {notes:,} notes), retention {months} months"
    )
    print(f"  loaded by SQL        : {loaded:7.2f} s ({past:,} SMS past retention)")
    try:
        ret_time, ret_growth, (sms_done, replies_done) = measured(
            registry,
            lambda env: env["participant.sms"]._cron_anonymize(auto_commit=True),
        )
        print(
            f"  retention cron       : {ret_time:7.2f} s for {sms_done:,} SMS and "
            f"{replies_done:,} replies ({sms_done / ret_time:,.0f} SMS/s), "
            f"peak memory growth {ret_growth:.0f} MB",
            flush=True,
        )
        with registry.cursor() as cr:
            cr.execute(
                """SELECT count(*) FILTER (WHERE anonymized_at IS NOT NULL),
                          count(*) FILTER (WHERE body = '—' AND number = '—')
                     FROM participant_sms WHERE batch_ref = %s""",
                [TAG],
            )
            anonymised, erased = cr.fetchone()
            cr.execute(
                """SELECT count(*) FROM mail_message WHERE record_name = %s
                      AND body LIKE '%%anonymised%%'""",
                [TAG],
            )
            print(
                f"    after: {anonymised:,} SMS anonymised, {erased:,} with no text "
                f"and number, {cr.fetchone()[0]:,} notes erased",
                flush=True,
            )
        rep_time, rep_growth, applied = measured(
            registry,
            lambda env: env["participant.sms.reply"]._cron_process_replies(
                auto_commit=True
            ),
        )
        print(
            f"  reply cron           : {rep_time:7.2f} s for {applied:,} pending "
            f"replies ({applied / rep_time:,.0f} replies/s), peak memory growth "
            f"{rep_growth:.0f} MB",
            flush=True,
        )
        with registry.cursor() as cr:
            peer_rows = load_peer(api.Environment(cr, api.SUPERUSER_ID, {}), args.count)
            cr.commit()
        peer_time, peer_growth, _peer = measured(
            registry, lambda env: env["mail.notification"]._gc_notifications()
        )
        print(
            f"  Odoo's mail.notification._gc_notifications (a DELETE, no copies to "
            f"search: not a fair peer, a lower bound): {peer_time:7.2f} s for "
            f"{peer_rows:,} rows ({peer_rows / peer_time:,.0f} rows/s), peak memory "
            f"growth {peer_growth:.0f} MB"
        )
    finally:
        cleanup(registry)


if __name__ == "__main__":
    main()
