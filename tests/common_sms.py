# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import Command, fields

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import ParticipantCommon


def create_ovh_account(env, server, **values):
    """An OVH provider account pointing at a local ``FakeOvh`` server."""
    settings = server.settings()
    return env["participant.sms.account"].create(
        {
            "name": "OVH test",
            "provider": "ovh",
            "endpoint": settings["endpoint"],
            "ovh_application_key": settings["application_key"],
            "ovh_application_secret": settings["application_secret"],
            "ovh_consumer_key": settings["consumer_key"],
            "ovh_service_name": settings["service_name"],
            **values,
        }
    )


def create_octopush_account(env, server, **values):
    """An Octopush provider account pointing at a local ``FakeOctopush`` server."""
    settings = server.settings()
    return env["participant.sms.account"].create(
        {
            "name": "Octopush test",
            "provider": "octopush",
            "endpoint": settings["endpoint"],
            "octopush_api_login": settings["api_login"],
            "octopush_api_key": settings["api_key"],
            **values,
        }
    )


class CallbackTokens:
    """Callback tokens are stored only as hashes: a test issues one per account and
    keeps it."""

    def token(self, account):
        tokens = self.__dict__.setdefault("_psms_tokens", {})
        if account.id not in tokens:
            tokens[account.id] = account._issue_token()
        return tokens[account.id]


def create_sms_user(env, login, *groups):
    return env["res.users"].create(
        {
            "name": login.replace("_", " ").title(),
            "login": login,
            "groups_id": [
                (
                    6,
                    0,
                    [env.ref("base.group_user").id]
                    + [env.ref(f"participant_sms.{group}").id for group in groups],
                )
            ],
        }
    )


class SmsCommon(ParticipantCommon):
    """A company whose window is always open, 100 credits, and users of each SMS
    profile."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_max_segments": 3,
                "psms_sender": "INSERTION",
                "psms_zone": "metropole",
                "psms_account_id": False,
                "psms_enforce_packages": True,
            }
        )
        cls.Sms = cls.env["participant.sms"]
        cls.Dispatcher = cls.env["participant.sms.dispatcher"]
        cls.env["participant.sms.package"].search([]).unlink()  # demo packages
        cls.package = cls.env["participant.sms.package"].create(
            {"name": "Test package", "quantity": 100}
        )
        cls.simulator = cls.env.ref("participant_sms.sms_account_simulator")
        cls.user_instant = mail_new_test_user(
            cls.env,
            login="psms_instant",
            name="Instant Sender",
            groups="base.group_user,participant_sms.group_sms_send_instant",
        )
        cls.user_admin_sms = mail_new_test_user(
            cls.env,
            login="psms_admin",
            name="Sms Admin",
            groups="base.group_user,participant_sms.group_sms_admin",
        )
        start = fields.Datetime.now() + timedelta(days=2)
        cls.event = cls.env["calendar.event"].create(
            {
                "name": "Diagnosis",
                "participant_id": cls.participant.id,
                "participant_appointment_type_id": cls.type_individual.id,
                "start": start,
                "stop": start + timedelta(hours=1),
            }
        )

    def queue(self, count=1, **values):
        base = {
            "origin": "instant",
            "partner_id": self.participant.id,
            "body": "Rappel : entretien demain à 9h30.",
            "res_model": "calendar.event",
            "res_id": self.event.id,
            "planned_at": fields.Datetime.now() - timedelta(minutes=1),
        }
        base.update(values)
        return self.Sms.sudo()._queue([dict(base) for _i in range(count)])

    def cron_progress(self, cron_xmlid, run):
        """What ``run(dispatcher)`` returns, and the (done, remaining) it tells the
        cron's progress record, in order (the record holds the last)."""
        cron = self.env.ref(cron_xmlid)
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        IrCron = type(self.env["ir.cron"])
        notify, calls = IrCron._notify_progress, []

        def record(cron, *, done, remaining, deactivate=False):
            calls.append((done, remaining))
            return notify(cron, done=done, remaining=remaining, deactivate=deactivate)

        with patch.object(IrCron, "_notify_progress", record):
            result = run(self.Dispatcher.with_context(ir_cron_progress_id=progress.id))
        if calls:
            self.assertEqual((progress.done, progress.remaining), calls[-1])
        return result, calls

    def batch_wizard(self, user, partners, **values):
        """The batch send of ``user`` to ``partners``, as its form is filled: a
        collective information session on employment a week ahead at 13:00, with the
        participants' referent, in the town's hall; ``values`` replace or add to
        these."""
        start = (fields.Datetime.now() + timedelta(days=7)).replace(
            hour=13, minute=0, second=0, microsecond=0
        )
        return (
            self.env["participant.sms.batch"]
            .with_user(user)
            .create(
                {
                    "partner_ids": [Command.set(partners.ids)],
                    "start": start,
                    "collaborator_id": self.user_participant.id,
                    "appointment_type_id": self.env.ref(
                        "participant_sms.appointment_type_collective"
                    ).id,
                    "theme_id": self.env.ref("participant_sms.theme_employment").id,
                    "location": "Salle des fêtes",
                    **values,
                }
            )
        )

    def queue_numbers(self, numbers, **values):
        return self.Sms.sudo()._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "number": number,
                    "body": "Information : salon de l'emploi jeudi.",
                    "planned_at": fields.Datetime.now() - timedelta(minutes=1),
                    **values,
                }
                for number in numbers
            ]
        )


class RetentionCommon(SmsCommon):
    """A company keeping SMS 12 months, and two appointments of 2030 on which the
    retention tests' SMS are sent (``EVENT_NAME``: their names' start, one class
    each, so that a test's events are its own)."""

    EVENT_NAME = "Entretien retention"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.psms_retention_months = 12
        start = datetime(2030, 1, 7, 9, 0)
        cls.events = cls.env["calendar.event"].create(
            [
                {
                    "name": f"{cls.EVENT_NAME} {letter}",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                }
                for letter in "AB"
            ]
        )
        cls.Privacy = cls.env["participant.sms.privacy"]
