# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The table of tests/test_access_matrix.py: for each (model, method) anyone may call by
RPC, who may call it (a set of profiles) and how the test calls it (``run(test, env)``).
"""

import base64

PROFILES = {
    "internal": [],
    "user": ["group_participant_user"],
    "instant": ["group_sms_send_instant"],
    "scheduled": ["group_sms_send_scheduled"],
    "batch": ["group_sms_send_batch"],
    "free": ["group_sms_send_free"],
    "manager": ["group_participant_manager"],
    "sms_admin": ["group_sms_admin"],
    "system": ["base.group_system"],
}
ALL = frozenset(PROFILES)
PARTICIPANT_USERS = ALL - {"internal", "system"}
MANAGER = frozenset({"manager"})
ADMIN = frozenset({"sms_admin"})
NOBODY = frozenset()
#: public methods that are not RPC entry points of ours, with the reason
EXEMPT = {
    (
        "ir.attachment",
        "check",
    ): "Odoo's access check of attachments, not an entry point: "
    "extended to refuse the files of a participant's appointment "
    "to other employees; tested in test_who_sees_what",
    (
        "calendar.event",
        "get_formview_id",
    ): "Odoo's hook choosing the form a link opens: a "
    "participant's appointment opens in the "
    "appointment form for the Participants groups; "
    "reads nothing the caller cannot; tested in "
    "test_dedicated_forms",
    ("res.partner", "get_formview_id"): "Odoo's hook choosing the form a link opens: a "
    "participant opens in the participant's file for the "
    "Participants groups; tested in test_dedicated_forms",
    (
        "ir.http",
        "session_info",
    ): "Odoo's hook that builds the calling user's own web session "
    "(adds the company's SMS characters setting); tested over HTTP "
    "for every profile, portal and public users and a user of "
    "another company in test_who_sees_what",
}
CONFIG_MODELS = (
    "participant.appointment.type",
    "participant.appointment.theme",
    "participant.appointment.outcome",
    "participant.channel",
    "participant.programme",
    "participant.step.type",
    "participant.step.end.reason",
    "participant.orientation.type",
    "participant.reply.keyword",
    "participant.document.type",
)


def crud(model, create, write, unlink):
    """Create / write / unlink lines of a model whose fixture is
    ``t.fixtures[model]``."""
    return {
        (model, "create"): (
            create,
            lambda t, env: env[model].create(t.new_values(model, 2)),
        ),
        (model, "write"): (
            write,
            lambda t, env: t.fixture(model, env).write(
                t.write_values.get(model, {"name": "changed"})
            ),
        ),
        (model, "unlink"): (unlink, lambda t, env: t.fixture(model, env).unlink()),
    }


def call(model, method, *args):
    return lambda t, env: getattr(t.fixture(model, env), method)(*args)


def wizard(model, method, values):
    """Create the wizard as the user (transient records are their creator's), then
    call."""
    return lambda t, env: getattr(env[model].create(values(t)), method)()


def event_send_sms(t, env):
    event = t.fixture("calendar.event", env)
    event.sudo().partner_ids = t.collaborator.partner_id
    return event.action_send_sms()


def batch_values(t):
    return {
        "partner_ids": [(6, 0, t.participant.ids)],
        "start": t.start,
        "appointment_type_id": t.type.id,
        "theme_id": t.theme.id,
        "body": "Information",
        "collaborator_id": t.collaborator.id,
    }


def free_values(t):
    return {
        "body": "Information",
        "filename": "n.csv",
        "file": base64.b64encode(b"TELEPHONE\n0612345678\n"),
    }


def previewed_line(model, line_field, values):
    def run(t, env):
        record = env[model].create(values(t))
        record.action_preview()
        return record[line_field][:1].write({"selected": False})

    return run


def open_reply_event(t, env):
    """The fixture reply, given an appointment, opened by the user."""
    t.fixtures["participant.sms.reply"].write({"event_id": t.theme_event.id})
    return t.fixture("participant.sms.reply", env).action_open_event()


def document_with(what):
    """The fixture document after ``what`` done by the referent (as superuser): a code
    sent ("code"), or an agreement on paper ("agreed")."""

    def prepare(t):
        document = t.fixtures["participant.document"]
        referent = document.with_user(t.collaborator)
        if what == "code":
            referent.action_agreement_send_code()
        else:
            referent.sudo()._agreement_record_paper("accepted")
        return document

    return prepare


def document_call(what, method):
    def run(t, env):
        return getattr(document_with(what)(t).with_env(env), method)()

    return run


def collect_code(t, env):
    """The referent sent a code; the user types a wrong one in the code window."""
    document = document_with("code")(t)
    attempt = document.attempt_ids.filtered(lambda a: a.state == "open")
    return (
        env["participant.agreement.collect"]
        .create(
            {
                "document_id": document.id,
                "attempt_id": attempt.id,
                "mode": "sms",
                "code": "000000",
            }
        )
        .action_confirm_code()
    )


def collect_values(t):
    return {
        "document_id": t.fixtures["participant.document"].id,
        "mode": "paper",
        "answer": "accepted",
        "paper_confirmed": True,
    }


def documents(table):
    """A participant's documents: the participant users; codes: *SMS: individual
    instant*; agreements and codes sent: nobody writes them."""
    instant = frozenset({"instant"})
    model = "participant.document"
    table.update(crud(model, PARTICIPANT_USERS, PARTICIPANT_USERS, MANAGER))
    table[model, "action_agreement_send_code"] = (
        instant,
        call(model, "action_agreement_send_code"),
    )
    table[model, "action_agreement_enter_code"] = (
        PARTICIPANT_USERS,
        document_call("code", "action_agreement_enter_code"),
    )
    table[model, "action_agreement_paper"] = (
        PARTICIPANT_USERS,
        call(model, "action_agreement_paper"),
    )
    for method in ("action_check_file", "action_open_certificate"):
        table[model, method] = (PARTICIPANT_USERS, document_call("agreed", method))
    table[model, "action_open_document"] = (
        PARTICIPANT_USERS,
        call(model, "action_open_document"),
    )
    table.update(crud("participant.agreement", NOBODY, NOBODY, NOBODY))
    table.update(crud("participant.agreement.attempt", NOBODY, NOBODY, NOBODY))
    collect = "participant.agreement.collect"
    table.update(crud(collect, PARTICIPANT_USERS, PARTICIPANT_USERS, NOBODY))
    table[collect, "action_confirm_code"] = (PARTICIPANT_USERS, collect_code)
    table[collect, "action_record_paper"] = (
        PARTICIPANT_USERS,
        wizard(collect, "action_record_paper", collect_values),
    )
    table[collect, "action_send_new_code"] = (
        instant,
        wizard(collect, "action_send_new_code", collect_values),
    )


def matrix():
    table = {}
    for model in CONFIG_MODELS:
        table.update(crud(model, MANAGER, MANAGER, MANAGER))
    table.update(
        crud("participant.list", PARTICIPANT_USERS, PARTICIPANT_USERS, MANAGER)
    )
    table.update(
        {
            ("participant.list", "action_open_participants"): (
                PARTICIPANT_USERS,
                call("participant.list", "action_open_participants"),
            ),
            ("participant.list", "action_create_from_partners"): (
                PARTICIPANT_USERS,
                lambda t, env: env["participant.list"].action_create_from_partners(
                    t.participant.with_env(env)
                ),
            ),
        }
    )
    # a participant's appointment, step or orientation: the participant users (other
    # employees see the appointment as busy time only, README "Who sees what")
    for model in ("calendar.event", "participant.step", "participant.orientation"):
        table.update(
            crud(
                model,
                PARTICIPANT_USERS,
                PARTICIPANT_USERS,
                PARTICIPANT_USERS if model == "calendar.event" else MANAGER,
            )
        )
        table[model, "action_open_sms"] = (
            PARTICIPANT_USERS,
            call(model, "action_open_sms"),
        )
        table[model, "action_sms_send_now"] = (
            frozenset({"instant"}),
            call(model, "action_sms_send_now"),
        )
    # calendar_sms's "SMS" button, on an appointment whose attendee is not a participant
    # (a participant attendee is refused: tests/test_sms_native_paths.py)
    table["calendar.event", "action_send_sms"] = (ALL, event_send_sms)
    table.update(
        {
            ("res.partner", "write"): (
                PARTICIPANT_USERS,
                lambda t, env: t.fixture("res.partner", env).write(
                    {"comment": "Vu en entretien"}
                ),
            ),
            ("res.partner", "unlink"): (
                PARTICIPANT_USERS,
                lambda t, env: t.fixture("res.partner", env).unlink(),
            ),
        }
    )
    # Odoo's company form and settings: a zone change counts the company's daily SMS
    # again (models/participant_sms_daily.py)
    table["res.company", "write"] = (
        frozenset({"system"}),
        lambda t, env: env.company.write({"psms_zone": "reunion"}),
    )
    # Odoo's cron form: an edit of the dispatch cron reaches its parallel copies
    # (models/ir_cron.py)
    table["ir.cron", "write"] = (
        frozenset({"system"}),
        lambda t, env: env.ref("participant_sms.ir_cron_sms_dispatch").write(
            {"interval_number": 2}
        ),
    )
    table["res.partner", "create"] = (
        PARTICIPANT_USERS,
        lambda t, env: env["res.partner"].create(
            {"name": "Matrix NEW", "is_participant": True, "accepts_sms": False}
        ),
    )
    # the right of access: the participant's SMS history (.xlsx)
    table["res.partner", "action_export_sms_history"] = (
        MANAGER | ADMIN,
        call("res.partner", "action_export_sms_history"),
    )
    # themes addressed in an appointment: the participant users; consent changes: the
    # system
    table.update(
        crud(
            "participant.appointment.theme.line",
            PARTICIPANT_USERS,
            PARTICIPANT_USERS,
            PARTICIPANT_USERS,
        )
    )
    table.update(crud("participant.sms.consent", NOBODY, NOBODY, NOBODY))
    # the collaborator's desk: users who may send SMS; marking a reply seen: the
    # appointment's collaborator (not a profile here) and SMS administrators
    senders = frozenset({"instant", "scheduled", "batch", "free", "sms_admin"})
    table.update(crud("participant.sms.desk", senders, senders, NOBODY))
    table["participant.sms.desk", "action_new_appointment"] = (
        senders,
        wizard("participant.sms.desk", "action_new_appointment", lambda t: {}),
    )
    table["participant.sms.reply", "action_mark_seen"] = (
        ADMIN,
        call("participant.sms.reply", "action_mark_seen"),
    )
    table["participant.sms.reply", "action_open_event"] = (
        PARTICIPANT_USERS,
        open_reply_event,
    )
    # appointments are calendar events, which every internal user may read
    table["res.partner", "action_open_participant_appointments"] = (
        ALL,
        call("res.partner", "action_open_participant_appointments"),
    )
    for method in (
        "action_open_participant_steps",
        "action_open_participant_orientations",
        "action_open_participant_sms",
    ):
        table["res.partner", method] = (PARTICIPANT_USERS, call("res.partner", method))
    # the SMS: nobody writes them; cancelling is for its author, the participant's
    # referent and SMS administrators (the fixture's author and referent are not among
    # the profiles)
    table.update(crud("participant.sms", NOBODY, NOBODY, NOBODY))
    table.update(
        {
            ("participant.sms", "action_cancel"): (
                ADMIN,
                call("participant.sms", "action_cancel"),
            ),
            ("participant.sms", "action_dispatch_now"): (
                ADMIN,
                call("participant.sms", "action_dispatch_now"),
            ),
            ("participant.sms", "action_update_statuses"): (
                ADMIN,
                call("participant.sms", "action_update_statuses"),
            ),
            ("participant.sms", "action_export_xlsx"): (
                PARTICIPANT_USERS,
                call("participant.sms", "action_export_xlsx"),
            ),
            ("participant.sms", "action_open_context"): (
                PARTICIPANT_USERS,
                call("participant.sms", "action_open_context"),
            ),
            ("participant.sms", "action_simulate_reply"): (
                ADMIN,
                call("participant.sms", "action_simulate_reply"),
            ),
            ("participant.sms.dispatcher", "action_dispatch_now"): (
                ADMIN,
                lambda t, env: env["participant.sms.dispatcher"].action_dispatch_now(),
            ),
            ("participant.sms.dispatcher", "action_update_statuses"): (
                ADMIN,
                lambda t, env: env[
                    "participant.sms.dispatcher"
                ].action_update_statuses(),
            ),
        }
    )
    table.update(crud("participant.sms.account", ADMIN, ADMIN, ADMIN))
    table.update(
        {
            ("participant.sms.account", "action_renew_callback_token"): (
                ADMIN,
                call("participant.sms.account", "action_renew_callback_token"),
            ),
            ("participant.sms.account", "action_test_connection"): (
                ADMIN,
                call("participant.sms.account", "action_test_connection"),
            ),
            ("participant.sms.account", "action_refresh_balance"): (
                ADMIN,
                call("participant.sms.account", "action_refresh_balance"),
            ),
        }
    )
    for model in (
        "participant.sms.automation",
        "participant.sms.template",
        "participant.sms.package",
    ):
        table.update(crud(model, ADMIN, ADMIN, ADMIN))
    table.update(
        {
            ("participant.sms.automation", "action_send_test"): (
                ADMIN,
                call("participant.sms.automation", "action_send_test"),
            ),
            ("participant.sms.template", "action_send_test"): (
                ADMIN,
                call("participant.sms.template", "action_send_test"),
            ),
            ("participant.sms.template", "action_insert_merge_field"): (
                ADMIN,
                lambda t, env: t.fixture("participant.sms.template", env)
                .with_context(merge_code="first_name")
                .action_insert_merge_field(),
            ),
        }
    )
    table.update(crud("participant.sms.reply", NOBODY, NOBODY, NOBODY))
    table.update(crud("participant.sms.simulator.message", NOBODY, NOBODY, NOBODY))
    # the daily counts: kept by the database's triggers, read by SMS administrators
    table.update(crud("participant.sms.daily", NOBODY, NOBODY, NOBODY))
    table.update(
        crud("participant.sms.export", PARTICIPANT_USERS, PARTICIPANT_USERS, NOBODY)
    )
    table.update(crud("participant.sms.account.addresses", ADMIN, ADMIN, NOBODY))
    table.update(crud("participant.sms.dashboard", ADMIN, ADMIN, NOBODY))
    for method in ("action_open_failures", "action_open_month", "action_open_upcoming"):
        table["participant.sms.dashboard", method] = (
            ADMIN,
            wizard("participant.sms.dashboard", method, lambda t: {}),
        )
    batch, free = frozenset({"batch"}), frozenset({"free"})
    # the SMS administrators prepare and preview batch and free sends; sending needs the
    # permission (action_validate)
    prep_batch, prep_free = batch | ADMIN, free | ADMIN
    for model, allowed, values in (
        ("participant.sms.batch", prep_batch, batch_values),
        ("participant.sms.free", prep_free, free_values),
    ):
        table[model, "create"] = (
            allowed,
            lambda t, env, m=model, v=values: env[m].create(v(t)),
        )
        table[model, "write"] = (
            allowed,
            lambda t, env, m=model, v=values: env[m]
            .create(v(t))
            .write({"body": "Autre information"}),
        )
        table[model, "unlink"] = (
            allowed,
            lambda t, env, m=model, v=values: env[m].create(v(t)).unlink(),
        )
    table.update(
        {
            ("participant.sms.batch", "action_preview"): (
                prep_batch,
                wizard("participant.sms.batch", "action_preview", batch_values),
            ),
            ("participant.sms.batch", "action_validate"): (
                batch,
                lambda t, env: t.previewed(
                    env["participant.sms.batch"].create(batch_values(t))
                ).action_validate(),
            ),
            ("participant.sms.batch", "action_back"): (
                prep_batch,
                wizard("participant.sms.batch", "action_back", batch_values),
            ),
            ("participant.sms.batch", "default_get"): (
                ALL,
                lambda t, env: env["participant.sms.batch"].default_get(
                    ["partner_ids", "start"]
                ),
            ),
            ("participant.sms.free", "action_preview"): (
                prep_free,
                wizard("participant.sms.free", "action_preview", free_values),
            ),
            ("participant.sms.free", "action_validate"): (
                free,
                lambda t, env: t.previewed(
                    env["participant.sms.free"].create(free_values(t))
                ).action_validate(),
            ),
            ("participant.sms.free", "action_back"): (
                prep_free,
                wizard("participant.sms.free", "action_back", free_values),
            ),
            ("participant.sms.batch.line", "write"): (
                prep_batch,
                previewed_line("participant.sms.batch", "line_ids", batch_values),
            ),
            ("participant.sms.free.line", "write"): (
                prep_free,
                previewed_line("participant.sms.free", "line_ids", free_values),
            ),
            ("participant.sms.batch.line", "create"): (
                prep_batch,
                lambda t, env: env["participant.sms.batch.line"].create(
                    {
                        "batch_id": env["participant.sms.batch"]
                        .create(batch_values(t))
                        .id,
                        "partner_id": t.participant.id,
                    }
                ),
            ),
            ("participant.sms.free.line", "create"): (
                prep_free,
                lambda t, env: env["participant.sms.free.line"].create(
                    {
                        "wizard_id": env["participant.sms.free"]
                        .create(free_values(t))
                        .id,
                        "raw": "0612345678",
                    }
                ),
            ),
            ("participant.sms.batch.line", "unlink"): (
                prep_batch,
                lambda t, env: t.previewed(
                    env["participant.sms.batch"].create(batch_values(t))
                ).line_ids.unlink(),
            ),
            ("participant.sms.free.line", "unlink"): (
                prep_free,
                lambda t, env: t.previewed(
                    env["participant.sms.free"].create(free_values(t))
                ).line_ids.unlink(),
            ),
            ("participant.sms.simulate.reply", "action_send"): (
                ADMIN,
                wizard(
                    "participant.sms.simulate.reply",
                    "action_send",
                    lambda t: {"sms_id": t.sent.id},
                ),
            ),
            ("participant.sms.test", "action_send"): (
                ADMIN,
                wizard(
                    "participant.sms.test",
                    "action_send",
                    lambda t: {"template_id": t.template.id, "number": "0612345678"},
                ),
            ),
            ("res.config.settings", "action_psms_send_test"): (
                frozenset({"system"}),
                wizard(
                    "res.config.settings",
                    "action_psms_send_test",
                    lambda t: {"psms_test_number": "0612345678"},
                ),
            ),
            # Odoo's settings save: its parallel dispatchers part runs for SMS
            # admins only (the field itself is theirs only)
            ("res.config.settings", "set_values"): (
                frozenset({"system"}),
                wizard("res.config.settings", "set_values", lambda t: {}),
            ),
        }
    )
    for model in ("participant.sms.simulate.reply", "participant.sms.test"):
        table.update(crud(model, ADMIN, ADMIN, NOBODY))
    documents(table)
    return table
