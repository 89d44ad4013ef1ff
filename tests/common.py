# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from hypothesis import HealthCheck, settings

from odoo import fields
from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


def orm_examples(max_examples):
    """Hypothesis settings of a property test run against the ORM: ``max_examples``
    examples, the same at every run (``derandomize``: CI and a developer see the same
    ones), no deadline (an example's database round trips vary), and the test case's
    set-up shared by the examples."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
        ],
    )


class ParticipantCommon(TransactionCase):
    """Users of every profile and a few participants, built without demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(
                cls.env.context, tracking_disable=False, no_mail_to_attendees=True
            )
        )
        cls.user_internal = mail_new_test_user(
            cls.env,
            login="psms_internal",
            name="Plain Employee",
            groups="base.group_user",
        )
        cls.user_participant = mail_new_test_user(
            cls.env,
            login="psms_user",
            name="Sandrine Social Worker",
            groups="base.group_user,participant_sms.group_participant_user",
        )
        cls.user_manager = mail_new_test_user(
            cls.env,
            login="psms_manager",
            name="Marc Manager",
            groups="base.group_user,participant_sms.group_participant_manager",
        )
        cls.participant = cls.env["res.partner"].create(
            {
                "name": "Nadia BENALI",
                "is_participant": True,
                "participant_file_number": "T-0001",
                "mobile": "+33 6 12 34 56 78",
                "participant_referent_id": cls.user_participant.id,
            }
        )
        cls.participant_2 = cls.env["res.partner"].create(
            {
                "name": "Kevin MOREAU",
                "is_participant": True,
                "participant_file_number": "T-0002",
            }
        )
        cls.non_participant = cls.env["res.partner"].create(
            {"name": "Some Company Contact"}
        )
        cls.type_individual = cls.env.ref("participant_sms.appointment_type_individual")
        cls.outcome_planned = cls.env.ref("participant_sms.outcome_planned")
        cls.step_type_training = cls.env.ref("participant_sms.step_type_training")
        cls.orientation_type = cls.env.ref(
            "participant_sms.orientation_type_france_travail"
        )

    def flush_tracking(self):
        """Tracking values are written in a pre-commit hook: run it as a commit
        would."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    @classmethod
    def in_days(cls, days, hour=10):
        return (fields.Datetime.now() + timedelta(days=days)).replace(
            hour=hour, minute=0, second=0, microsecond=0
        )
