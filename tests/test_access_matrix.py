# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may call what: every public method of the addon x nine profiles, from one table.

``MATRIX`` lists, for each (model, method) that the addon defines and anyone may call by
RPC (methods not starting with ``_``, plus create/write/unlink of the addon's own
models), who may call it and how the test calls it. The test finds those methods by
introspection: a public method with no line in the table, or a line for a method that is
gone, fails the test; so does every cell whose outcome differs (allowed: no AccessError;
refused: AccessError), each called as that user, through the ORM, with their rights, in
a savepoint rolled back after it.
"""

import base64
import logging
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.models import regex_private
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .access_matrix_table import (
    CONFIG_MODELS,
    EXEMPT,
    PROFILES,
    batch_values,
    free_values,
    matrix,
)

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_mail_to_attendees=True))
        company = cls.env.company
        company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_account_id": False,
            }
        )
        cls.env["participant.sms.package"].create({"name": "Matrix", "quantity": 1000})
        cls.users = {}
        for name, groups in PROFILES.items():
            cls.users[name] = cls.env["res.users"].create(
                {
                    "name": f"Matrix {name}",
                    "login": f"psms_matrix_{name}",
                    "groups_id": [
                        (
                            6,
                            0,
                            [cls.env.ref("base.group_user").id]
                            + [
                                cls.env.ref(
                                    g if "." in g else f"participant_sms.{g}"
                                ).id
                                for g in groups
                            ],
                        )
                    ],
                }
            )
        cls.collaborator = cls.env["res.users"].create(
            {
                "name": "Matrix author",
                "login": "psms_matrix_author",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            cls.env.ref("participant_sms.group_sms_send_scheduled").id,
                            cls.env.ref("participant_sms.group_sms_send_instant").id,
                        ],
                    )
                ],
            }
        )
        cls.participant = cls.env["res.partner"].create(
            {
                "name": "Matrix PARTICIPANT",
                "is_participant": True,
                "mobile": "+33 6 12 34 56 78",
                "participant_referent_id": cls.collaborator.id,
            }
        )
        cls.type = cls.env.ref("participant_sms.appointment_type_individual")
        cls.theme = cls.env["participant.appointment.theme"].search([], limit=1)
        cls.template = cls.env.ref("participant_sms.sms_template_appointment")
        cls.start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=4)
        cls.simulator = cls.env.ref("participant_sms.sms_account_simulator")
        Sms = cls.env["participant.sms"]
        cls.sent = Sms.with_user(cls.collaborator)._queue(
            [
                {
                    "origin": "instant",
                    "partner_id": cls.participant.id,
                    "body": "Bonjour",
                    "reply_enabled": True,
                    "planned_at": fields.Datetime.now() - timedelta(minutes=1),
                }
            ]
        )
        cls.env["participant.sms.dispatcher"]._cron_dispatch()
        cls.write_values = {
            "participant.sms.account": {"timeout": 12},
            "participant.sms.package": {"quantity": 500},
            "participant.sms.template": {"body": "Bonjour {{first_name}}"},
            "participant.sms.automation": {"days": 3},
            "participant.sms.reply": {"text": "NON"},
            "participant.sms.simulator.message": {"tag": "x"},
            "participant.sms.export": {"domain_json": "[]"},
            "participant.sms.account.addresses": {"inbound_url": "x"},
            "participant.sms.dashboard": {"company_id": company.id},
            "participant.sms.test": {"number": "0612345679"},
            "participant.sms.simulate.reply": {"text": "NON"},
            "participant.sms": {"body": "Autre"},
            "participant.appointment.theme.line": {"synthesis": "Revu"},
            "participant.sms.consent": {"source": "import"},
            "participant.sms.desk": {},
            "calendar.event": {"location": "Mairie"},
            "participant.step": {"notes": "Vu"},
            "participant.orientation": {"decision_notes": "Vu"},
            "participant.agreement": {"number": "+33600000000"},
            "participant.agreement.attempt": {"wrong_codes": 1},
            "participant.agreement.collect": {"answer": "refused"},
            "participant.sms.daily": {"count": 5},
        }
        cls.theme_event = cls.env["calendar.event"].create(
            {
                "name": "Matrix themes",
                "participant_id": cls.participant.id,
                "start": cls.start,
                "stop": cls.start + timedelta(hours=1),
            }
        )
        cls.fixtures = {
            model: cls.env[model].create(cls.new_values(cls, model))
            for model in cls.creatable()
        }
        cls.fixtures["participant.sms.daily"] = cls.env["participant.sms.daily"].search(
            [], limit=1
        )
        document = cls.fixtures["participant.document"]
        cls.fixtures["participant.agreement.collect"] = cls.env[
            "participant.agreement.collect"
        ].create(cls.new_values(cls, "participant.agreement.collect"))
        cls.fixtures["participant.agreement.attempt"] = (
            cls.env["participant.agreement.attempt"]
            .sudo()
            ._open(document, "+33612345678")
        )
        agreed = cls.env["participant.document"].create(
            cls.new_values(cls, "participant.document", 3)
        )
        cls.fixtures["participant.agreement"] = cls.env[
            "participant.agreement"
        ]._record({"document_id": agreed.id, "mode": "paper", "answer": "accepted"})
        cls.fixtures["res.partner"] = cls.env["res.partner"].create(
            {"name": "Matrix DELETABLE", "is_participant": True}
        )
        cls.fixtures["participant.sms"] = Sms.with_user(cls.collaborator)._queue(
            [
                {
                    "origin": "scheduled",
                    "partner_id": cls.participant.id,
                    "body": "Rappel",
                    "planned_at": fields.Datetime.now() + timedelta(days=1),
                }
            ]
        )

    @staticmethod
    def creatable():
        return (
            *CONFIG_MODELS,
            "participant.list",
            "calendar.event",
            "participant.step",
            "participant.orientation",
            "participant.sms.account",
            "participant.sms.automation",
            "participant.sms.template",
            "participant.sms.package",
            "participant.sms.reply",
            "participant.sms.simulator.message",
            "participant.sms.export",
            "participant.sms.account.addresses",
            "participant.sms.dashboard",
            "participant.sms.test",
            "participant.sms.simulate.reply",
            "participant.appointment.theme.line",
            "participant.sms.consent",
            "participant.sms.desk",
            "participant.document",
        )

    def new_values(self, model, number=1):
        name = f"Matrix {model} {number}"
        if model == "participant.agreement.collect":
            return {
                "document_id": self.fixtures["participant.document"].id,
                "mode": "paper",
            }
        return {
            "participant.reply.keyword": {"name": f"matrixkw{number}"},
            "participant.list": {
                "name": name,
                "partner_ids": [(6, 0, self.participant.ids)],
            },
            "calendar.event": {
                "name": name,
                "participant_id": self.participant.id,
                "sms_reminder_body": "Rappel",
                "start": self.start,
                "stop": self.start + timedelta(hours=1),
            },
            "participant.step": {
                "participant_id": self.participant.id,
                "planned_start": self.start,
                "sms_reminder_body": "Rappel",
                "step_type_id": self.env.ref("participant_sms.step_type_training").id,
            },
            "participant.orientation": {
                "participant_id": self.participant.id,
                "sms_reminder_body": "Rappel",
                "planned_date": self.start,
                "orientation_type_id": self.env.ref(
                    "participant_sms.orientation_type_france_travail"
                ).id,
            },
            "participant.sms.account": {"name": name, "provider": "simulator"},
            "participant.sms.automation": {
                "name": name,
                "template_id": self.template.id,
                "user_ids": [(6, 0, self.collaborator.ids)],
                "appointment_type_ids": [(6, 0, self.type.ids)],
            },
            "participant.sms.template": {
                "name": name,
                "template_type": "appointment",
                "body": "Bonjour",
            },
            "participant.sms.package": {"name": name, "quantity": 10},
            "participant.sms.reply": {
                "account_id": self.simulator.id,
                "inbound_id": name,
                "number": "+33612345678",
                "text": "OUI",
                "sms_id": self.sent.id,
            },
            "participant.sms.simulator.message": {
                "tag": "t",
                "number": "+33612345678",
                "provider_id": "sim-x",
            },
            "participant.sms.export": {"sms_ids_json": "[]"},
            "participant.sms.account.addresses": {"account_id": self.simulator.id},
            "participant.sms.dashboard": {},
            "participant.sms.test": {
                "template_id": self.template.id,
                "number": "0612345678",
            },
            "participant.sms.simulate.reply": {"sms_id": self.sent.id},
            "participant.sms": {
                "origin": "free",
                "number": "0612345678",
                "body": "Direct",
            },
            "participant.appointment.theme.line": {
                "event_id": self.theme_event.id,
                "theme_id": self.theme.id,
                "synthesis": "Vu",
            },
            "participant.sms.consent": {
                "partner_id": self.participant.id,
                "source": "form",
            },
            "participant.sms.desk": {},
            "participant.document": {
                "name": name,
                "participant_id": self.participant.id,
                "document_type_id": self.env.ref(
                    "participant_sms.document_type_cer"
                ).id,
                "file": base64.b64encode(b"%PDF-1.4 matrix"),
                "file_name": "cer.pdf",
            },
            "participant.sms.batch": batch_values(self),
            "participant.sms.free": free_values(self),
        }.get(model, {"name": name})

    def fixture(self, model, env):
        return self.fixtures[model].with_env(env)

    @staticmethod
    def previewed(record):
        record.action_preview()
        return record

    def public_methods(self):
        """(model, method) the addon defines that RPC can call."""
        found = set()
        for name in self.env.registry:
            model = self.env[name]
            heirs = set(self.env.registry.descendants([name], "_inherit")) - {name}
            if name.endswith(".mixin") or (model._abstract and heirs):
                continue  # covered on the models that use them
            own = type(model)._original_module == "participant_sms"
            for klass in type(model).__mro__:
                if not klass.__module__.startswith("odoo.addons.participant_sms"):
                    continue
                found.update(
                    (name, attr)
                    for attr, value in vars(klass).items()
                    if callable(value) and not regex_private.match(attr)
                )
            if own and not model._abstract:
                found.update((name, method) for method in ("create", "write", "unlink"))
        return found

    @mute_logger(
        "odoo.addons.base.models.ir_model",
        "odoo.addons.base.models.ir_rule",
        "odoo.addons.participant_sms.models.participant_sms_dispatcher",
        "odoo.addons.participant_sms.models.participant_sms_statuses",
        "odoo.addons.participant_sms.models.participant_sms_reconciliation",
        "odoo.models.unlink",
    )
    def test_every_public_method_for_every_profile(self):
        table = matrix()
        methods = self.public_methods()
        self.assertFalse(
            sorted(methods - set(table) - set(EXEMPT)), "public methods with no line"
        )
        self.assertFalse(
            sorted(set(table) - methods), "lines for methods that do not exist"
        )
        self.assertFalse(
            sorted(set(EXEMPT) - methods), "exemptions for methods that do not exist"
        )
        wrong = []
        for (model, method), (allowed, run) in sorted(table.items()):
            for profile, user in self.users.items():
                env = self.env(user=user, su=False)
                outcome = "allowed"
                savepoint = self.env.cr.savepoint()
                try:
                    run(self, env)
                    env.flush_all()
                except AccessError:
                    outcome = "refused"
                except Exception as error:  # noqa: BLE001 - reported below
                    outcome = f"{type(error).__name__}: {error}"[:160]
                finally:
                    savepoint.close(
                        rollback=True
                    )  # every call is undone, allowed or not
                    self.env.invalidate_all()
                expected = "allowed" if profile in allowed else "refused"
                if outcome != expected:
                    wrong.append(
                        f"{model}.{method} as {profile}: {outcome} (expected "
                        f"{expected})"
                    )
        _logger.info(
            "access matrix: %s methods x %s profiles = %s cells, %s wrong",
            len(table),
            len(self.users),
            len(table) * len(self.users),
            len(wrong),
        )
        self.assertFalse(wrong, "\n".join(wrong))
