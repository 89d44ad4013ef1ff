# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run by ``scripts/test_upgrade.sh`` in ``odoo shell`` on a database just upgraded from
an earlier commit (not an Odoo test; not imported by tests/__init__.py). Reads the JSON
file $UPGRADE_STATE written by ``make_data.py`` (plus the table counts before the
upgrade), prints one line per check and raises AssertionError with a clear message at
the first broken promise.

The promises: nothing lost (counts); every cron of the addon points at an existing model
and method and runs; SMS made before have their purpose; the records with SMS keep their
reminder fields and delays under the source contract; a pending reminder from before
is sent by the dispatcher, another follows its record (new time, new mobile) and is
cancelled with it; replies from before a version that had no ``seen`` are seen, the
others as they were; the callback addresses given to the providers before still work
(real HTTP on $UPGRADE_HTTP).
"""

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tools import html2plaintext
from odoo.tools.misc import file_open

from odoo.addons.participant_sms.models.participant_sms_selections import FINAL_STATES

state = json.load(open(os.environ["UPGRADE_STATE"]))
base_url = os.environ["UPGRADE_HTTP"]
env = env  # noqa: F821,PLW0127 (odoo shell)
cr = env.cr
Sms = env["participant.sms"].sudo()
passed = []


def check(name, condition, message):
    if not condition:
        raise AssertionError(f"upgrade check failed: {name}: {message}")
    passed.append(name)
    print(f"ok - {name}")


def sms(key):
    return Sms.browse(state["sms"][key])


def refresh():
    env.invalidate_all()


def http(path, expect):
    request = urllib.request.Request(base_url + path, method="POST", data=b"")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status == expect, status


# ---- 1. nothing lost: counts of the addon's tables -----------------------------------
cr.execute("SELECT model, name FROM ir_model_data WHERE module = 'participant_sms'")
new_xmlids = {}
for model, name in cr.fetchall():
    if f"{model},{name}" not in state["xmlids"]:
        table = env[model]._table if model in env else None
        new_xmlids[table] = new_xmlids.get(table, 0) + 1
#: tables derived from the SMS, made again or cleaned by an upgrade (their content is
#: checked further down: the daily counts at the end; the provider ids lose the rows
#: of SMS deleted or final, 18.0.1.11.0)
DERIVED = {"participant_sms_daily", "participant_sms_provider_ref"}
for table, before in sorted(state["counts"].items()):
    if table in DERIVED:
        continue
    cr.execute(f'SELECT count(*) FROM "{table}"')
    after = cr.fetchone()[0]
    # new data records of the module (templates, keywords...) are the only rows it may
    # add
    check(
        f"count of {table}",
        after - before == new_xmlids.get(table, 0) or after == before,
        f"{before} rows before the upgrade, {after} after "
        f"({new_xmlids.get(table, 0)} new data records)",
    )

for provider, token in state["tokens"].items():
    account = env["participant.sms.account"].browse(token["account_id"])
    if not token.get("unit"):  # a version without the provider's balance
        continue
    check(
        f"{provider} account keeps its credit and unit",
        (account.balance, account.balance_unit_code) == (250.0, "SMS credits"),
        f"{account.balance} {account.balance_unit_code!r}",
    )

if state.get("changed_in_flight"):
    check(
        "a text field changed in flight: the text is rewritten after the flight",
        sms("sent_ovh").rewrite_after_flight,
        "flag not set",
    )
    check(
        "no text field changed in flight: nothing to rewrite",
        not sms("delivered").rewrite_after_flight,
        "flag set",
    )
    cr.execute("""SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'participant_sms' AND column_name =
                       'changed_in_flight'""")
    check("the former column is dropped", not cr.fetchone(), "still there")

# ---- 2. what the SMS made before became ----------------------------------------------
for key in ("reminder_send", "reminder_follow", "reminder_step"):
    check(
        f"{key} is a pending reminder",
        sms(key).state == "queued" and sms(key).purpose == "reminder",
        f"state {sms(key).state}, purpose {sms(key).purpose}",
    )
    record = env[sms(key).res_model].browse(sms(key).res_id)
    check(
        f"{key} is named by its record",
        record.sms_reminder_sms_id == sms(key) and record.sms_reminder,
        f"the record names {record.sms_reminder_sms_id}",
    )
if "follow_up" in state["sms"]:
    check(
        "follow-up has its purpose",
        sms("follow_up").purpose == "follow_up",
        f"purpose {sms('follow_up').purpose}",
    )
for key in ("sent_ovh", "delivered", "failed"):
    check(
        f"{key} (instant) has no purpose",
        not sms(key).purpose,
        f"purpose {sms(key).purpose}",
    )

# ---- 3. replies: seen when the version had no such field, as they were otherwise -----
Reply = env["participant.sms.reply"].sudo()
for key, reply_id in state["replies"].items():
    reply = Reply.browse(reply_id)
    wanted = state["seen_before"][key] if state.get("has_seen") else True
    check(f"reply {key} seen={wanted}", reply.seen == wanted, f"seen is {reply.seen}")
    if key == "answered" and not state.get("has_seen"):
        note_text = reply.note_message_id and html2plaintext(reply.note_message_id.body)
        check(
            "reply note found (apostrophe, quotes, ampersand)",
            reply.note_message_id and reply.text in note_text,
            "the note quoting the reply is not linked (retention would miss it)",
        )

# ---- 4. the callback addresses given before still work (real HTTP) -------------------
env.cr.commit()
tokens = state["tokens"]
ok, status = http(f"/participant_sms/dlr/{tokens['ovh']['token']}?id=123456&dlr=1", 200)
check("OVH delivery report on the old address", ok, f"HTTP {status}")
ok, status = http(
    f"/participant_sms/dlr/{tokens['octopush']['token']}?"
    + urllib.parse.urlencode(
        {"sms_ticket": "T123", "number": "+33612345604", "status": "DELIVERED"}
    ),
    200,
)
check("Octopush delivery report on the old address", ok, f"HTTP {status}")
ok, status = http("/participant_sms/dlr/" + "x" * 43 + "?id=123456&dlr=1", 403)
check("unknown token refused", ok, f"HTTP {status}")
ok, status = http(
    f"/participant_sms/inbound/{tokens['ovh']['token']}?"
    + urllib.parse.urlencode(
        {"id": "upgrade-http", "senderid": "+33612345604", "message": "OK merci"}
    ),
    200,
)
check("OVH reply on the old address", ok, f"HTTP {status}")
refresh()
check(
    "OVH report applied",
    sms("sent_ovh").state == "delivered",
    f"state {sms('sent_ovh').state}",
)
check(
    "Octopush report applied",
    sms("sent_octopush").state == "delivered",
    f"state {sms('sent_octopush').state}",
)
http_reply = Reply.search([("inbound_id", "=", "upgrade-http")])
check("reply recorded", len(http_reply) == 1, f"{len(http_reply)} replies")

# 18.0.1.10.0: the claims not answered before the upgrade are batches in flight, found
# by the reconciliation (before any cron runs here)
refresh()
stale_claim = sms("stale_claim")
env.cr.execute(
    "SELECT tag FROM participant_sms_flight WHERE %s = ANY(sms_ids)", [stale_claim.id]
)
check(
    "stale claim in flight",
    [row[0] for row in env.cr.fetchall()] == ["upgrade-stale"],
    "no row of its batch",
)
check(
    "stale claim found",
    stale_claim in env["participant.sms.dispatcher"]._stale_claims(),
    "the reconciliation would not see it",
)

# ---- 5. every cron of the addon points at a real method and runs ---------------------
company = env.company
company.write({"psms_window_start": 0.0, "psms_window_end": 24.0})
if (
    company.psms_enforce_packages
    and env["participant.sms.package"].sudo()._remaining_credit(company) < 10
):
    env["participant.sms.package"].sudo().create(
        {"company_id": company.id, "quantity": 100}
    )
send = sms("reminder_send")
cr.execute(
    "UPDATE participant_sms SET planned_at = %s WHERE id = %s",
    [fields.Datetime.now() - timedelta(minutes=5), send.id],
)
env.cr.commit()
with file_open("participant_sms/data/participant_sms_data.xml", "rb") as handle:
    declared = {
        record.get("id"): record.find("field[@name='code']").text.strip()
        for record in etree.parse(handle).getroot().iter("record")
        if record.get("model") == "ir.cron"
    }
check(
    "obsolete expiry cron removed",
    not env.ref("participant_sms.ir_cron_sms_expire", raise_if_not_found=False),
    "still there",
)
for xmlid, code in declared.items():
    cron = env.ref(f"participant_sms.{xmlid}", raise_if_not_found=False)
    check(f"cron {xmlid} exists", cron, "missing")
    check(
        f"cron {xmlid} runs the declared code (commits decided at its entry)",
        cron.code == code,
        f"{cron.code!r}",
    )
    method = re.fullmatch(r"model\.(\w+)\((?:auto_commit=True)?\)", cron.code or "")
    model = cron.model_id.model
    check(
        f"cron {xmlid} calls an existing method",
        method and model in env and hasattr(env[model], method.group(1)),
        f"{model}: {cron.code!r}",
    )
    cron.method_direct_trigger()
    env.cr.commit()
    refresh()
    check(f"cron {xmlid} ran", cron.lastcall, "no last call")
check(
    "pending reminder from before sent by the dispatcher",
    send.state in ("sent", "delivered") and send.sent_at,
    f"state {send.state}, error {send.last_error!r}",
)
check(
    "reply received on the old address applied",
    http_reply.result != "pending",
    f"result {http_reply.result}",
)

# ---- 6. the records with SMS: one contract, its fields and their values kept --------
cr.execute(
    "SELECT model FROM ir_model WHERE model IN %s ORDER BY model",
    [("participant.sms.reminder.mixin", "participant.sms.source")],
)
check(
    "the reminder mixin is now the source contract",
    [row[0] for row in cr.fetchall()] == ["participant.sms.source"],
    "ir_model does not name participant.sms.source alone",
)
for model in ("calendar.event", "participant.step", "participant.orientation"):
    field = env["ir.model.fields"]._get(model, "sms_reminder_days")
    check(
        f"{model}: the reminder delays are all there",
        field and len(field.selection_ids) == 6,
        f"{len(field.selection_ids)} selection values",
    )

# ---- 6b. documents and agreements (18.0.1.5.0): types, purpose, a whole path ------
types = env["participant.document.type"].search([("code", "in", ("CER", "PPAE"))])
check(
    "document types CER and PPAE created",
    len(types) == 2,
    f"{types.mapped('code')}",
)
purposes = dict(env["participant.sms"]._fields["purpose"].selection)
check(
    "the agreement code is a purpose of the SMS",
    "agreement_code" in purposes and "reminder" in purposes,
    f"{sorted(purposes)}",
)
agreed_partner = env["res.partner"].search(
    [
        ("is_participant", "=", True),
        ("mobile", "!=", False),
        ("accepts_sms", "=", True),
    ],
    limit=1,
)
document = env["participant.document"].create(
    {
        "name": "CER upgrade",
        "document_type_id": types[:1].id,
        "participant_id": agreed_partner.id,
        "file": base64.b64encode(b"%PDF-1.4 upgrade"),
        "file_name": "cer.pdf",
    }
)
document._agreement_record_paper("accepted")
check(
    "an agreement is recorded on a document after the upgrade",
    document.state == "agreed" and document.agreement_id.document_sha256,
    f"state {document.state}",
)

# ---- 7. a pending reminder from before follows its record ----------------------------
follow = sms("reminder_follow")
event = env["calendar.event"].browse(state["records"]["event_follow"])
partner = follow.partner_id
partner.write({"mobile": "+33 6 99 88 77 66"})
refresh()
check(
    "reminder follows the new mobile",
    follow.number == "+33699887766",
    f"number {follow.number}",
)
before = follow.planned_at
new_start = event.start + timedelta(days=1)
event.write({"start": new_start, "stop": new_start + timedelta(hours=1)})
refresh()
if event.sms_reminder_days:
    check(
        "reminder follows the new time",
        follow.state == "queued"
        and follow.planned_at == before + timedelta(days=1)
        and follow.deadline == new_start,
        f"state {follow.state}, planned {before} -> {follow.planned_at}, "
        f"deadline {follow.deadline}",
    )
else:
    # a text typed by hand may no longer be right: cancelled with a note (I1)
    check(
        "typed reminder cancelled with a note on the new time",
        follow.state == "cancelled"
        and event.message_ids[:1].body
        and "SMS" in event.message_ids[:1].body,
        f"state {follow.state}",
    )
event.unlink()
refresh()
check(
    "reminder cancelled when its appointment is deleted",
    follow.state == "cancelled",
    f"state {follow.state}",
)
step_sms = sms("reminder_step")
step = env["participant.step"].browse(state["records"]["step"])
step.unlink()
refresh()
check(
    "reminder cancelled when its record is deleted",
    step_sms.state == "cancelled",
    f"state {step_sms.state}",
)
# 18.0.1.6.0: the daily counts are counted again by the company's days and the
# collaborators' keys, whatever the base had (none, or UTC days), and answer the pivot
env.flush_all()
env.cr.execute(
    """SELECT company_id, day, state, context_type, origin, with_participant,
              free_author_id, sum(count)
         FROM participant_sms_daily GROUP BY 1, 2, 3, 4, 5, 6, 7
       HAVING sum(count) <> 0"""
)
daily = set(env.cr.fetchall())
env.cr.execute(
    """SELECT r.company_id,
              (r.planned_at AT TIME ZONE 'UTC' AT TIME ZONE 'Europe/Paris')::date,
              r.state, r.context_type, r.origin, r.partner_id IS NOT NULL,
              CASE WHEN r.partner_id IS NULL THEN r.author_id END, count(*)
         FROM participant_sms AS r GROUP BY 1, 2, 3, 4, 5, 6, 7"""
)
check("daily counts by local day", daily == set(env.cr.fetchall()), "differ")
Sms = env["participant.sms"].with_context(tz="Europe/Paris")
pivot = ([], ["planned_at:month", "state"], ["__count"])
check(
    "pivot from the daily counts",
    Sms._psms_counts_plan(*pivot, (), None) is not None
    and Sms._read_group(*pivot)
    == Sms.with_context(psms_history=True)._read_group(*pivot),
    "differs from the history",
)
env.cr.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'participant_sms'")
indexes = {row[0] for row in env.cr.fetchall()}
dropped = {
    f"participant_sms__{column}_index"
    for column in (
        "company_id",
        "state",
        "origin",
        "purpose",
        "context_type",
        "res_model",
    )
}
check("unread indexes dropped", not indexes & dropped, f"{indexes & dropped} left")
check(
    "status crons' index",
    "participant_sms_polled_index" in indexes,
    "participant_sms_polled_index missing",
)
# 18.0.1.7.0: the numbers' indexes moved to the number table, filled at upgrade
env.cr.execute(
    """SELECT count(*) FROM participant_sms s
         FULL JOIN participant_sms_number n ON n.sms_id = s.id
        WHERE s.anonymized_at IS NULL AND s.number IS NOT NULL
          AND n.number IS DISTINCT FROM s.number
           OR n.sms_id IS NOT NULL
          AND (s.id IS NULL OR s.anonymized_at IS NOT NULL)"""
)
check("number table of the SMS not anonymised", not env.cr.fetchone()[0], "differs")
old_number = {
    "participant_sms__number_index",
    "participant_sms_number_reverse_index",
    "participant_sms_number_trgm_index",
}
check(
    "numbers' indexes off the SMS", not indexes & old_number, f"{indexes & old_number}"
)
env.cr.execute(
    "SELECT indexname FROM pg_indexes WHERE tablename = 'participant_sms_number'"
)
check(
    "numbers' indexes on the number table",
    {"participant_sms_number_number_index", "participant_sms_number_reverse_index"}
    <= {row[0] for row in env.cr.fetchall()},
    "missing",
)
env.cr.execute(
    """SELECT tablename FROM pg_indexes
        WHERE indexdef LIKE '%(sms_reminder_sms_id)%'"""
)
check(
    "reminder SMS' foreign keys indexed",
    {"calendar_event", "participant_step", "participant_orientation"}
    <= {row[0] for row in env.cr.fetchall()},
    "missing",
)
env.cr.execute(
    """SELECT indexdef FROM pg_indexes
        WHERE indexname = 'participant_sms_number_number_index'"""
)
check(
    "number index with pattern operators",
    "varchar_pattern_ops" in (env.cr.fetchone() or [""])[0],
    "plain",
)
# 18.0.1.8.0: fewer index entries per dispatch update (the tag's index dropped; the
# recipient, context record and batch reference indexed when set)
env.cr.execute(
    """SELECT indexname, indexdef FROM pg_indexes
        WHERE tablename = 'participant_sms'"""
)
indexdefs = dict(env.cr.fetchall())
check(
    "dispatch tag not indexed",
    "participant_sms__provider_tag_index" not in indexdefs,
    "participant_sms__provider_tag_index left",
)
not_null = [
    f"participant_sms__{column}_index"
    for column in ("partner_id", "res_id", "batch_ref")
]
check(
    "indexes without the empty values",
    all("IS NOT NULL" in indexdefs.get(name, "") for name in not_null),
    f"{[name for name in not_null if 'IS NOT NULL' not in indexdefs.get(name, '')]}",
)
# 18.0.1.10.0: no index of the history reads what the dispatch's answer writes (the
# provider id's and the stale claims' indexes of 18.0.1.8.0 dropped): the answer
# updates in place; the provider ids of the SMS waiting for a status are indexed in
# their own table, filled at upgrade
check(
    "answer's columns not indexed",
    not [
        name
        for name, definition in indexdefs.items()
        if re.search(r"\b(provider_id|raw_status|last_error)\b", definition)
    ],
    f"{sorted(indexdefs)}",
)
env.cr.execute(
    """SELECT count(*) FROM participant_sms s
        WHERE COALESCE(s.provider_id, '') <> ''
          AND s.state IN ('processing', 'sent', 'not_received') AND NOT EXISTS (
              SELECT 1 FROM participant_sms_provider_ref r
               WHERE r.sms_id = s.id AND r.provider_id = s.provider_id)"""
)
check("provider ids in their table", env.cr.fetchone()[0] == 0, "ids missing")
# 18.0.1.11.0: no row is left of an SMS deleted or final (P3), the rows left before
# are gone
env.cr.execute(
    """SELECT count(*) FROM participant_sms_provider_ref r
        WHERE NOT EXISTS (SELECT 1 FROM participant_sms s
                           WHERE s.id = r.sms_id AND s.state NOT IN %s)""",
    [tuple(sorted(FINAL_STATES))],
)
check("provider ids of SMS deleted or final removed", env.cr.fetchone()[0] == 0, "rows")
env.cr.execute(
    "SELECT 1 FROM pg_trigger WHERE tgname = 'participant_sms_provider_ref_delete'"
)
check("provider ids follow deletes", env.cr.fetchone(), "no trigger on delete")
# 18.0.1.8.0: deleting a partner anywhere in Odoo reads no table of this addon whole
env.cr.execute(
    """SELECT count(*) FROM pg_indexes
        WHERE indexname IN ('participant_sms_reply__partner_id_index',
                            'participant_step__partner_organisation_id_index',
                            'participant_sms_batch_line__partner_id_index')"""
)
check("partner references indexed", env.cr.fetchone()[0] == 3, "an index missing")
# 18.0.1.8.0: the note table exists, and the SMS from before the upgrade are below the
# id from which the retention trusts it (their notes are found by their text); from a
# base that had the table, all of its SMS' notes are in it (trusted from the first id)
env.cr.execute("SELECT to_regclass('participant_sms_note')")
check("note table", env.cr.fetchone()[0], "missing")
since = int(
    env["ir.config_parameter"].sudo().get_param("participant_sms.note_links_from") or 0
)
if state.get("had_note_links"):
    check(
        "notes of older SMS in the note table", since == 0, f"note_links_from {since}"
    )
else:
    check(
        "notes of older SMS found by their text",
        all(sms_id < since for sms_id in state["sms"].values()),
        f"note_links_from {since}",
    )
# 18.0.1.9.0: the dispatch reads the queued SMS by when they are due (its count of a
# run the same as the ORM's), and the numbers of the participants who refuse SMS by a
# partial index of the contacts
check(
    "due SMS' index",
    "participant_sms_due_index" in indexdefs,
    "participant_sms_due_index missing",
)
moment = fields.Datetime.now()
due_domain = [
    ("state", "=", "queued"),
    "|",
    "&",
    ("next_attempt_at", "=", False),
    ("planned_at", "<=", moment),
    ("next_attempt_at", "<=", moment),
]
dispatcher = env["participant.sms.dispatcher"]
check(
    "due count",
    dispatcher._due_count() >= env["participant.sms"].search_count(due_domain),
    "the run's count misses due SMS",
)
env.cr.execute(
    """SELECT indexdef FROM pg_indexes
        WHERE indexname = 'res_partner_psms_refusing_number_index'"""
)
refusing = env.cr.fetchone()
check(
    "refusing numbers' index",
    refusing and "accepts_sms IS NOT TRUE" in refusing[0],
    f"{refusing}",
)
env.cr.commit()
print(f"CHECKS PASSED: {len(passed)}")
