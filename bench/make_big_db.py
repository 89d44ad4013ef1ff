# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Build a big SMS history by SQL and time the web client's queries on it (issue 19).

Into a database where participant_sms is installed without demo data::

    python3 -m odoo -d psms_big -i participant_sms --without-demo=all --stop-after-init
    python3 bench/make_big_db.py --db psms_big --count 10000000
    python3 bench/make_big_db.py --db psms_big --skip-load   # time again only
    python3 bench/make_big_db.py --db psms_big --skip-load --only pivot,dashboard

The load adds structures (companies), referents (users of the Participants group who
each follow a few participants), participants and ``--count`` SMS spread over five
years with realistic statuses, origins, contexts and send dates, numbers in E.164, the
records they are sent for (an appointment, a step and an orientation of each
participant), their account (the simulator), the package of credit of those claimed,
the provider's ids of those it took and a reference per batch or free send, so that
every index of the SMS holds what a real history puts in it. It is plain SQL
(``generate_series``), indexes dropped during the load and rebuilt after it, then
``VACUUM ANALYZE``.

The timings call the ORM the way the web client does (``web_search_read`` with the
action's domain and the list's fields and a count capped at 10,001, the pivot's
``read_group`` calls, the dashboard's computes), as an SMS administrator and as a
referent (record rules apply), and print each figure (median of ``--runs``) beside the
figure of issue 19 (10,000,000 SMS, before this work) and the target.
"""

import logging
import statistics
import sys
import time

from _common import open_registry, parse_args

_logger = logging.getLogger("make_big_db")

#: issue 19's figures on 10,000,000 SMS (ms) and the targets it sets
PEER = {
    "sent_list": ("35-51", 100),
    "upcoming_list": ("-", 100),
    "phone_search": ("3500-5200", 200),
    "pivot": ("5100-6500", 1000),
    "dashboard_month": ("6600", 1000),
    "dashboard_year": ("6400", 1000),
    "dashboard_12months": ("5700", 1000),
}
LIST_SPEC = {
    "planned_at": {},
    "sent_at": {},
    "partner_id": {"fields": {"display_name": {}}},
    "number_display": {},
    "context_type": {},
    "context_name": {},
    "author_id": {"fields": {"display_name": {}}},
    "batch_ref": {},
    "body": {},
    "segments": {},
    "simulated": {},
    "state": {},
}
#: how users type the number of one participant (filled with a real one), or its start
PHONE_FORMS = (
    lambda n: f"0{n[3]} {n[4:6]} {n[6:8]} {n[8:10]} {n[10:12]}",
    lambda n: f"0{n[3:]}",
    lambda n: f"+33 {n[3]} {n[4:6]} {n[6:8]} {n[8:10]} {n[10:12]}",
    lambda n: n[1:],
    lambda n: n[8:],
    # the start shared by millions of numbers (the worst case of a partial search)
    lambda n: f"+{n[1:3]} {n[3]}",
)


def context_records(cr):
    """An appointment, a step and an orientation of each participant, by SQL: the
    records their SMS are sent for (``res_model``, ``res_id``), whose names the
    lists show (bench_participant gets their ids)."""
    cr.execute(
        """ALTER TABLE bench_participant ADD COLUMN event_id int,
               ADD COLUMN step_id int, ADD COLUMN orientation_id int"""
    )
    cr.execute(
        """
        WITH made AS (
            INSERT INTO calendar_event (name, start, stop, show_as, active, allday,
                   privacy, user_id, participant_id, participant_company_id,
                   create_date, write_date, create_uid, write_uid)
            SELECT 'Entretien de suivi', now() - interval '20 days',
                   now() - interval '20 days' + interval '1 hour', 'busy', TRUE,
                   FALSE, 'public', p.uid, p.partner_id, p.company_id, now(), now(),
                   1, 1
              FROM bench_participant p
            RETURNING id, participant_id)
        UPDATE bench_participant p SET event_id = made.id
          FROM made WHERE made.participant_id = p.partner_id
        """
    )
    for table, column, type_column, date_column in (
        ("participant_step", "step_id", "step_type_id", "planned_start"),
        (
            "participant_orientation",
            "orientation_id",
            "orientation_type_id",
            "planned_date",
        ),
    ):
        type_table = f"{table}_type"
        cr.execute(
            f"""
            WITH made AS (
                INSERT INTO {table} (participant_id, company_id,
                       {type_column}, {date_column}, create_date, write_date,
                       create_uid, write_uid)
                SELECT p.partner_id, p.company_id,
                       (SELECT min(id) FROM {type_table}), now() - interval '20 days',
                       now(), now(), 1, 1
                  FROM bench_participant p
                RETURNING id, participant_id)
            UPDATE bench_participant p SET {column} = made.id
              FROM made WHERE made.participant_id = p.partner_id
            """
        )


def load(env, count, companies, participants):
    """The SQL load: structures, referents, participants, then ``count`` SMS."""
    cr = env.cr
    Company = env["res.company"]
    bench_companies = Company.search([("name", "=like", "Bench structure %")])
    for index in range(len(bench_companies), companies - 1):
        bench_companies |= Company.create({"name": f"Bench structure {index + 1}"})
    all_companies = env.ref("base.main_company") | bench_companies
    env.ref("base.user_admin").write(
        {"company_ids": [(4, company.id) for company in all_companies]}
    )
    group = env.ref("participant_sms.group_participant_user")
    Users = env["res.users"].with_context(no_reset_password=True)
    referents = Users.search([("login", "=like", "bench.referent.%")])
    for index in range(len(referents), 4 * len(all_companies)):
        company = all_companies[index % len(all_companies)]
        referents |= Users.create(
            {
                "name": f"Bench referent {index}",
                "login": f"bench.referent.{index}",
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
                "groups_id": [(4, group.id), (4, env.ref("base.group_user").id)],
            }
        )
    env.flush_all()
    cr.execute(
        "SELECT id, company_id FROM res_users WHERE id IN %s ORDER BY id",
        [tuple(referents.ids)],
    )
    referent_rows = cr.fetchall()
    cr.execute("DROP TABLE IF EXISTS bench_referent")
    cr.execute("CREATE TABLE bench_referent (idx int, uid int, company_id int)")
    for idx, (uid, company_id) in enumerate(referent_rows):
        cr.execute(
            "INSERT INTO bench_referent VALUES (%s, %s, %s)", [idx, uid, company_id]
        )
    nref = len(referent_rows)
    _logger.info("participants: %s", participants)
    cr.execute("TRUNCATE participant_sms CASCADE")  # before the participants it names
    # their appointments (kept by a restrictive foreign key), steps and orientations
    cr.execute(
        """DELETE FROM calendar_event WHERE participant_id IN
               (SELECT id FROM res_partner WHERE name LIKE 'Bench participant %%')"""
    )
    cr.execute("DELETE FROM res_partner WHERE name LIKE 'Bench participant %%'")
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, is_participant, company_id,
               mobile, participant_referent_id, accepts_sms, active, type,
               participant_file_number, create_date, write_date, create_uid, write_uid)
        SELECT 'Bench participant ' || g, 'Bench participant ' || g, TRUE,
               r.company_id,
               CASE WHEN g %% 2 = 0
                    THEN '+336'
                         || lpad(((g::bigint * 7919) %% 100000000)::text, 8, '0')
                    ELSE '+337' || (3 + g %% 7)
                         || lpad(((g::bigint * 7919) %% 10000000)::text, 7, '0')
               END,
               r.uid, TRUE, TRUE, 'contact', 'B' || g, now(), now(), 1, 1
          FROM generate_series(0, %s - 1) g
          JOIN bench_referent r ON r.idx = g %% %s
        """,
        [participants, nref],
    )
    cr.execute("DROP TABLE IF EXISTS bench_participant")
    cr.execute(
        """
        CREATE TABLE bench_participant AS
        SELECT (row_number() OVER (ORDER BY id)) - 1 AS idx, id AS partner_id,
               company_id, mobile AS number, participant_referent_id AS uid
          FROM res_partner WHERE name LIKE 'Bench participant %%'
        """
    )
    cr.execute("CREATE UNIQUE INDEX ON bench_participant (idx)")
    # a package of credit per company, which the SMS sent were charged on
    cr.execute("DELETE FROM participant_sms_package WHERE name = 'Bench'")
    cr.execute("DROP TABLE IF EXISTS bench_package")
    cr.execute("CREATE TABLE bench_package (company_id int, package_id int)")
    for company in all_companies:
        package = env["participant.sms.package"].create(
            {
                "name": "Bench",
                "company_id": company.id,
                "quantity": 2 * count,
                "purchase_date": "2020-01-01",
            }
        )
        cr.execute(
            "INSERT INTO bench_package VALUES (%s, %s)", [company.id, package.id]
        )
    env.flush_all()
    context_records(cr)
    cr.execute("ANALYZE bench_participant")
    # the SMS: indexes dropped during the load, rebuilt after it
    cr.execute(
        """SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename = 'participant_sms' AND indexname NOT LIKE '%%_pkey'"""
    )
    indexes = cr.fetchall()
    for name, _definition in indexes:
        cr.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    # no foreign-key triggers during the load (the rows point to existing records)
    cr.execute("SET LOCAL session_replication_role = replica")
    # in the order of their planned send, as a real history is written (the lists'
    # ordered scans read neighbouring pages); u: uniform draws; the SMS planned over
    # the last five years (more each year),
    # half a percent still to come (Not yet sent)
    cr.execute(
        """
        INSERT INTO participant_sms (company_id, partner_id, number, body, encoding,
               segments, state, planned_at, sent_at, status_at, origin, purpose,
               context_type, author_id, create_uid, write_uid, create_date, write_date,
               credits, attempts, reply_enabled, res_model, res_id, provider_id,
               batch_ref, account_id, package_id)
        SELECT COALESCE(p.company_id, r.company_id),
               CASE WHEN o.origin IN ('free', 'test') THEN NULL ELSE p.partner_id END,
               CASE WHEN o.origin IN ('free', 'test')
                    THEN '+3378'
                        || lpad(((d.g::bigint * 104729) %% 10000000)::text, 7, '0')
                    ELSE p.number END,
               'Bonjour, rappel : rendez-vous le ' || to_char(t.planned, 'DD/MM')
                   || ' a ' || to_char(t.planned, 'HH24:MI')
                   || '. Repondez OUI pour confirmer.',
               'GSM-7', 1, s.state, t.planned,
               CASE WHEN s.state IN ('queued', 'cancelled', 'not_sent') THEN NULL
                    ELSE t.planned + interval '20 seconds' END,
               CASE WHEN s.state IN ('queued', 'cancelled') THEN NULL
                    ELSE t.planned + interval '3 minutes' END,
               o.origin,
               CASE WHEN o.origin IN ('scheduled', 'automation')
                    THEN (CASE WHEN d.g %% 3 = 0 THEN 'follow_up' ELSE 'reminder' END)
               END,
               c.context_type,
               COALESCE(p.uid, r.uid), 1, 1, t.planned, t.planned,
               -- a credit charged on its company's package, once claimed
               CASE WHEN s.state IN ('queued', 'cancelled', 'not_sent') THEN 0
                    ELSE 1 END,
               1, o.origin = 'scheduled',
               CASE c.context_type WHEN 'appointment' THEN 'calendar.event'
                    WHEN 'step' THEN 'participant.step'
                    WHEN 'orientation' THEN 'participant.orientation' END,
               CASE c.context_type WHEN 'appointment' THEN p.event_id
                    WHEN 'step' THEN p.step_id
                    WHEN 'orientation' THEN p.orientation_id END,
               -- the provider's id of the SMS it took
               CASE WHEN s.state IN ('sent', 'delivered', 'not_received', 'expired')
                    THEN 'bench-' || d.g END,
               -- a reference per 2,000 SMS of a batch or free send
               CASE o.origin WHEN 'batch'
                    THEN 'LOT/' || (d.g / 2000)
                    WHEN 'free' THEN 'LIBRE/' || (d.g / 2000) END,
               %(account)s,
               CASE WHEN s.state NOT IN ('queued', 'cancelled', 'not_sent')
                    THEN (SELECT b.package_id FROM bench_package AS b
                           WHERE b.company_id = COALESCE(p.company_id, r.company_id))
               END
          FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3
                  FROM generate_series(1, %(count)s) g) d
          JOIN LATERAL (SELECT CASE
                 WHEN d.u1 < 0.005
                 THEN date_trunc('minute', now()) + (d.u2 * interval '30 days')
                 ELSE date_trunc('minute', now())
                      - (interval '1826 days' * (1 - sqrt(d.u2)))
                 END AS planned) t ON TRUE
          JOIN LATERAL (SELECT CASE
                 WHEN d.u1 < 0.005 THEN 'queued'
                 WHEN d.u3 < 0.80 THEN 'delivered'
                 WHEN d.u3 < 0.83 THEN 'sent'
                 WHEN d.u3 < 0.85 THEN 'not_received'
                 WHEN d.u3 < 0.88 THEN 'failed'
                 WHEN d.u3 < 0.89 THEN 'expired'
                 WHEN d.u3 < 0.895 THEN 'stop'
                 WHEN d.u3 < 0.905 THEN 'unknown'
                 WHEN d.u3 < 0.915 THEN 'not_sent'
                 WHEN d.u3 < 0.9155 THEN 'processing'
                 ELSE 'cancelled' END AS state) s ON TRUE
          JOIN LATERAL (SELECT CASE
                 WHEN d.g %% 100 < 50 THEN 'scheduled'
                 WHEN d.g %% 100 < 70 THEN 'automation'
                 WHEN d.g %% 100 < 85 THEN 'instant'
                 WHEN d.g %% 100 < 95 THEN 'batch'
                 WHEN d.g %% 100 < 99 THEN 'free'
                 ELSE 'test' END AS origin) o ON TRUE
          JOIN LATERAL (SELECT CASE o.origin WHEN 'batch' THEN 'batch'
                 WHEN 'free' THEN 'free' WHEN 'test' THEN 'test'
                 ELSE (CASE WHEN d.g %% 20 < 12 THEN 'appointment'
                            WHEN d.g %% 20 < 17 THEN 'step'
                            ELSE 'orientation' END) END AS context_type) c ON TRUE
          JOIN bench_participant p ON p.idx = (d.g::bigint * 31) %% %(participants)s
          JOIN bench_referent r ON r.idx = d.g %% %(nref)s
         ORDER BY t.planned
        """,
        {
            "count": count,
            "participants": participants,
            "nref": nref,
            "account": env.ref("participant_sms.sms_account_simulator").id,
        },
    )
    _logger.info("%s SMS inserted in %.0f s", count, time.perf_counter() - started)
    cr.execute("SET LOCAL session_replication_role = DEFAULT")
    started = time.perf_counter()
    cr.execute("SET maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        cr.execute(definition)
    _logger.info(
        "%s indexes rebuilt in %.0f s", len(indexes), time.perf_counter() - started
    )
    cr.execute("DROP TABLE bench_participant")
    cr.execute(
        """UPDATE participant_sms_package AS k SET consumed = charged.credits,
                  remaining = k.quantity - charged.credits
             FROM (SELECT package_id, sum(credits) AS credits FROM participant_sms
                    WHERE package_id IS NOT NULL GROUP BY 1) AS charged
            WHERE k.id = charged.package_id"""
    )
    cr.execute("DROP TABLE bench_package")
    cr.execute("DROP TABLE bench_referent")
    # the summary rebuilt from the history, when the addon keeps one
    if "participant.sms.daily" in env:
        env["participant.sms.daily"]._rebuild()
    # the numbers of the SMS, when the addon keeps them in a table of their own
    if hasattr(env["participant.sms"], "_psms_number_rebuild"):
        env["participant.sms"]._psms_number_rebuild()
    # and their provider ids (from 18.0.1.10.0)
    if hasattr(env["participant.sms"], "_psms_provider_ref_rebuild"):
        env["participant.sms"]._psms_provider_ref_rebuild()


def timed(function, runs):
    """Median wall time of ``function`` in ms over ``runs`` runs (and its result)."""
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times), result


def user_env(env, user):
    context = {
        "lang": "en_US",
        "tz": "Europe/Paris",
        "allowed_company_ids": user.company_ids.ids,
        "uid": user.id,
    }
    return env(user=user, context=context)


def search_view_domain(env, term):
    """The domain the search view's Phone field makes of ``term`` (its
    filter_domain when it has one)."""
    from lxml import etree

    from odoo.tools.safe_eval import safe_eval

    arch = env["participant.sms"].get_views([(False, "search")])["views"]["search"][
        "arch"
    ]
    node = etree.fromstring(arch).xpath("//field[@name='number']")[0]
    if node.get("filter_domain"):
        return safe_eval(node.get("filter_domain"), {"self": term})
    return [("number", "ilike", term)]


def measure(env, user, runs, only=()):
    """Each figure of issue 19 as ``user`` (those named in ``only`` when given):
    ``[(name, ms, detail)]``."""
    uenv = user_env(env, user)
    Sms = uenv["participant.sms"]
    sent = [("state", "not in", ("queued", "cancelled"))]
    figures = []

    def wanted(name):
        return not only or name in only

    def list_page(domain):
        uenv.invalidate_all()
        return Sms.with_context(psms_list="sent").web_search_read(
            domain, LIST_SPEC, offset=0, limit=80, count_limit=10001
        )

    for name, domain in (
        ("sent_list", sent),
        ("upcoming_list", [("state", "=", "queued")]),
    ):
        if not wanted(name):
            continue
        ms, result = timed(lambda d=domain: list_page(d), runs)
        figures.append((name, ms, f"{result['length']} counted"))
    env.cr.execute(
        "SELECT number FROM participant_sms WHERE partner_id IS NOT NULL "
        "AND company_id = %s LIMIT 1",
        [user.company_id.id],
    )
    number = env.cr.fetchone()[0]
    for form in PHONE_FORMS if wanted("phone_search") else ():
        term = form(number)
        domain = sent + search_view_domain(uenv, term)
        ms, result = timed(lambda d=domain: list_page(d), runs)
        figures.append(("phone_search", ms, f"{term!r}: {result['length']}"))

    def pivot():
        uenv.invalidate_all()
        for groupby in (
            [],
            ["planned_at:month"],
            ["state"],
            ["planned_at:month", "state"],
        ):
            Sms.read_group(sent, ["__count"], groupby, lazy=False)

    if wanted("pivot"):
        ms, _result = timed(pivot, runs)
        figures.append(("pivot", ms, "4 read_group"))
    Dashboard = uenv["participant.sms.dashboard"]
    if Dashboard.has_access("create") and wanted("dashboard"):
        for period in ("month", "year", "12months"):

            def dashboard(period=period):
                uenv.invalidate_all()
                board = Dashboard.create({"period": period})
                return board.read(
                    [
                        "charts",
                        "sent_this_month",
                        "delivery_rate",
                        "upcoming_count",
                        "failure_count",
                        "credit_remaining",
                    ]
                )[0]

            ms, result = timed(dashboard, runs)
            figures.append(
                (f"dashboard_{period}", ms, f"{result['sent_this_month']} this month")
            )
    return figures


def main():
    args = parse_args(
        __doc__,
        count=(int, 10_000_000),
        companies=(int, 3),
        participants=(int, 30_000),
        runs=(int, 3),
        only=(str, ""),
    )
    skip = SKIP_LOAD
    registry = open_registry(args)
    _logger.setLevel(logging.INFO)
    from odoo import SUPERUSER_ID, api

    if not skip:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            load(env, args.count, args.companies, args.participants)
        with registry.cursor() as cr:
            cr._cnx.autocommit = True
            cr.execute("VACUUM ANALYZE participant_sms")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT count(*) FROM participant_sms")
        total = cr.fetchone()[0]
        users = env.ref("base.user_admin") | env["res.users"].search(
            [("login", "=", "bench.referent.0")]
        )
        _logger.info("%s SMS; timings in ms (median of %s runs)", total, args.runs)
        line = "%-20s %-18s %9s %14s %8s  %s"
        _logger.info(line, "figure", "user", "ours", "issue 19 (10M)", "target", "")
        for user in users:
            for name, ms, detail in measure(
                env, user, args.runs, args.only.split(",") if args.only else ()
            ):
                peer, target = PEER[name]
                _logger.info(line, name, user.login, f"{ms:.0f}", peer, target, detail)
        cr.rollback()


SKIP_LOAD = "--skip-load" in sys.argv

if __name__ == "__main__":
    sys.argv = [arg for arg in sys.argv if arg != "--skip-load"]
    main()
