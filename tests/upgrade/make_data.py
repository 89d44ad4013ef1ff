# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run by ``scripts/test_upgrade.sh`` in ``odoo shell`` on a database installed at an
EARLIER commit of participant_sms (not an Odoo test; not imported by tests/__init__.py).

It makes data in every state that version knows, through that version's own models
(their fields are looked up, never assumed), and writes what ``check_upgrade.py`` will
look at into the JSON file named by $UPGRADE_STATE: pending reminders on an appointment
and a step (one to be sent, one to follow its record), an automation's follow-up when
the version has them, SMS sent (OVH and Octopush), delivered and failed, and a claim
whose worker died (states written in SQL: no API gives them), replies (seen and not,
when the version has the field), provider accounts on 127.0.0.1 with their callback
tokens in clear, and the module's xml ids.
"""

import json
import os
from datetime import timedelta

from odoo import fields

env = env  # noqa: F821,PLW0127 (odoo shell)
state_file = os.environ["UPGRADE_STATE"]
Sms = env["participant.sms"]
company = env.company
now = fields.Datetime.now()
day = (now + timedelta(days=4)).replace(hour=10, minute=0, second=0, microsecond=0)
out = {"sms": {}, "records": {}, "tokens": {}, "replies": {}, "numbers": {}}


def has(model, field):
    return model in env and field in env[model]._fields


def participant(name, mobile):
    values = {"name": name, "mobile": mobile, "is_participant": True}
    if has("res.partner", "accepts_sms"):
        values["accepts_sms"] = True
    partner = env["res.partner"].create(values)
    out["numbers"][name] = mobile
    return partner


p_send = participant("Upgrade SENDER", "+33612345601")
p_follow = participant("Upgrade FOLLOWER", "+33612345602")
p_step = participant("Upgrade STEPPER", "+33612345603")
p_other = participant("Upgrade OTHER", "+33612345604")

# ---- provider accounts with callback addresses ---------------------------------------
Account = env["participant.sms.account"]
accounts = {}
for provider, values in (
    (
        "ovh",
        {
            "ovh_application_key": "ak",
            "ovh_application_secret": "as",
            "ovh_consumer_key": "ck",
            "ovh_service_name": "sms-up12345-1",
        },
    ),
    (
        "octopush",
        {"octopush_api_login": "upgrade@example.org", "octopush_api_key": "key"},
    ),
):
    values = {k: v for k, v in values.items() if k in Account._fields}
    account = Account.create(
        dict(
            values,
            name=f"Upgrade {provider}",
            provider=provider,
            endpoint="http://127.0.0.1:9/" + provider,
        )
    )
    if "callback_token" in Account._fields:
        token = account.sudo().callback_token
    else:
        token = account._issue_token()
    accounts[provider] = account
    out["tokens"][provider] = {"account_id": account.id, "token": token}
    # the credit unit the provider gave at the last balance refresh (a column renamed
    # later)
    unit_field = (
        "balance_unit_code"
        if "balance_unit_code" in Account._fields
        else "balance_unit"
    )
    if unit_field in Account._fields:
        account.write({"balance": 250.0, unit_field: "SMS credits"})
        out["tokens"][provider]["unit"] = "SMS credits"

# ---- a template and an automation's follow-up ----------------------------------------
template = False
if "participant.sms.template" in env:
    template = env["participant.sms.template"].create(
        {
            "name": "Upgrade reminder",
            "template_type": "appointment",
            "body": "Rappel : rendez-vous le {{date}} a {{time}}.",
        }
    )
step_template = False
if template:
    step_template = env["participant.sms.template"].create(
        {
            "name": "Upgrade step",
            "template_type": "step",
            "body": "Rappel : etape le {{date}} a {{time}}.",
        }
    )
appointment_type = env["participant.appointment.type"].search([], limit=1)
collaborator = env.ref("base.user_admin")
if "participant.sms.automation" in env and template:
    env["participant.sms.automation"].create(
        {
            "name": "Upgrade follow-up",
            "timing": "after",
            "days": 1,
            "user_ids": [(6, 0, collaborator.ids)],
            "appointment_type_ids": [(6, 0, appointment_type.ids)],
            "template_id": template.id,
        }
    )
    out["has_automations"] = True


def event(name, partner, start, reminder=True):
    values = {
        "name": name,
        "participant_id": partner.id,
        "start": start,
        "stop": start + timedelta(hours=1),
        "user_id": collaborator.id,
        "partner_ids": [(6, 0, partner.ids)],
    }
    if has("calendar.event", "participant_collaborator_id"):
        values["participant_collaborator_id"] = collaborator.id
    if has("calendar.event", "participant_appointment_type_id"):
        values["participant_appointment_type_id"] = appointment_type.id
    if reminder and has("calendar.event", "sms_reminder"):
        values.update(
            sms_reminder=True,
            sms_reminder_days="1",
            sms_reminder_template_id=template.id,
        )
    return env["calendar.event"].create(values)


def reminder_of(record, partner, start):
    """The record's pending reminder: its own field when the version has one, else an
    SMS scheduled through the engine for the record, before its start."""
    if "sms_reminder_sms_id" in record._fields:
        sms = record.sms_reminder_sms_id
        assert sms and sms.state == "queued", f"{record} has no pending reminder"
        return sms
    return Sms._queue(
        [
            {
                "origin": "scheduled",
                "partner_id": partner.id,
                "body": f"Rappel : {record.display_name}",
                "res_model": record._name,
                "res_id": record.id,
                "planned_at": start - timedelta(days=1),
            }
        ]
    )


ev_send = event("Upgrade appointment to send", p_send, day)
ev_follow = event("Upgrade appointment to follow", p_follow, day + timedelta(hours=2))
out["records"]["event_send"] = ev_send.id
out["records"]["event_follow"] = ev_follow.id
out["sms"]["reminder_send"] = reminder_of(ev_send, p_send, day).id
out["sms"]["reminder_follow"] = reminder_of(
    ev_follow, p_follow, day + timedelta(hours=2)
).id
ev_after = event(
    "Upgrade appointment with a follow-up",
    p_follow,
    day + timedelta(days=1),
    reminder=False,
)  # automations fill only the events made without a reminder
out["records"]["event_after"] = ev_after.id
follow_ups = Sms.search(
    [
        ("res_model", "=", "calendar.event"),
        ("res_id", "=", ev_after.id),
        ("origin", "=", "automation"),
        ("planned_at", ">", ev_after.start),
    ]
)
if out.get("has_automations"):
    assert follow_ups, "the automation made no follow-up"
    out["sms"]["follow_up"] = follow_ups[0].id

step_type = env["participant.step.type"].search([], limit=1)
step_values = {
    "participant_id": p_step.id,
    "step_type_id": step_type.id,
    "planned_start": day + timedelta(days=1),
}
if has("participant.step", "sms_reminder"):
    step_values.update(
        sms_reminder=True,
        sms_reminder_days="1",
        sms_reminder_template_id=step_template.id,
    )
step = env["participant.step"].create(step_values)
out["records"]["step"] = step.id
out["sms"]["reminder_step"] = reminder_of(step, p_step, day + timedelta(days=1)).id

# ---- SMS that left: sent (OVH, Octopush), delivered, failed --------------------------
left = {}
for key, partner in (
    ("sent_ovh", p_other),
    ("sent_octopush", p_other),
    ("delivered", p_other),
    ("failed", p_other),
    ("stale_claim", p_other),
):
    left[key] = Sms._queue(
        [
            {
                "origin": "instant",
                "partner_id": partner.id,
                "body": f"Upgrade {key}",
                "res_model": "calendar.event",
                "res_id": ev_send.id,
            }
        ]
    )
    out["sms"][key] = left[key].id
env.flush_all()
cr = env.cr
for key, (state, account, provider_id) in {
    "sent_ovh": ("sent", accounts["ovh"], "123456"),
    "sent_octopush": ("sent", accounts["octopush"], "T123:+33612345604"),
    "delivered": ("delivered", accounts["ovh"], "123457"),
    "failed": ("failed", accounts["ovh"], "123458"),
}.items():
    cr.execute(
        """UPDATE participant_sms SET state = %s, account_id = %s, provider_id = %s,
                         sent_at = %s, status_at = %s WHERE id = %s""",
        [state, account.id, provider_id, now, now, left[key].id],
    )
# a claim whose worker died before the provider answered (an hour ago)
cr.execute(
    """UPDATE participant_sms SET state = 'processing', account_id = %s,
                     provider_tag = 'upgrade-stale', claimed_at = %s WHERE id = %s""",
    [accounts["ovh"].id, now - timedelta(hours=1), left["stale_claim"].id],
)
# the fields changed while an SMS was in flight, as versions before 18.0.1.3.0 kept them
if "changed_in_flight" in env["participant.sms"]._fields:
    cr.execute(
        "UPDATE participant_sms SET changed_in_flight = %s WHERE id = %s",
        ["location,start", left["sent_ovh"].id],
    )
    cr.execute(
        "UPDATE participant_sms SET changed_in_flight = %s WHERE id = %s",
        ["active", left["delivered"].id],
    )
    out["changed_in_flight"] = True

# ---- replies -------------------------------------------------------------------------
if "participant.sms.reply" in env:
    Reply = env["participant.sms.reply"].sudo()
    out["has_seen"] = "seen" in Reply._fields
    for key, values in {
        "answered": {
            "sms_id": left["delivered"].id,
            "partner_id": p_other.id,
            "event_id": ev_send.id,
            "result": "no_keyword",
            "text": 'J\'arrive, "merci" & à demain !',
        },
        "unmatched": {"result": "unmatched", "text": "Qui est-ce ?"},
    }.items():
        reply = Reply.create(
            dict(
                values,
                account_id=accounts["ovh"].id,
                inbound_id=f"upgrade-{key}",
                number="+33612345604",
            )
        )
        if hasattr(reply, "_post_note") and reply.event_id:
            reply._post_note(reply.sms_id, reply.event_id)
        out["replies"][key] = reply.id
    if out["has_seen"]:
        Reply.browse(out["replies"]["answered"]).seen = True
        out["seen_before"] = {"answered": True, "unmatched": False}

# ---- what the module's xml ids were --------------------------------------------------
env.flush_all()
cr.execute("SELECT model, name FROM ir_model_data WHERE module = 'participant_sms'")
out["xmlids"] = sorted(f"{model},{name}" for model, name in cr.fetchall())
cr.execute("SELECT latest_version FROM ir_module_module WHERE name = 'participant_sms'")
out["version"] = cr.fetchone()[0]
# whether this version records which note quotes which SMS (from 18.0.1.8.0)
cr.execute("SELECT to_regclass('participant_sms_note')")
out["had_note_links"] = bool(cr.fetchone()[0])
# the provider ids' table (from 18.0.1.10.0): the rows left there up to 18.0.1.10.0
# by an SMS deleted by SQL (its triggers followed no delete) and by an SMS whose id
# was cleared before it reached a final status
cr.execute("SELECT to_regclass('participant_sms_provider_ref')")
if cr.fetchone()[0]:
    cr.execute("SELECT COALESCE(max(id), 0) + 1000 FROM participant_sms")
    (gone,) = cr.fetchone()
    cr.execute(
        """INSERT INTO participant_sms_provider_ref (provider_id, sms_id)
           VALUES ('upgrade-deleted-sms', %s), ('upgrade-cleared-id', %s)""",
        [gone, out["sms"]["delivered"]],
    )
env.cr.commit()
with open(state_file, "w") as handle:
    json.dump(out, handle, indent=1)
print(
    f"upgrade data made at {out['version']}: {len(out['sms'])} SMS, "
    f"{len(out['replies'])} replies, {len(out['tokens'])} provider accounts"
)
