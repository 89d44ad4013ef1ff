# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.bulk_insert import insert_rows
from .common_sms import SmsCommon, create_sms_user

#: what two creations of the same values may differ by
VOLATILE = {"id", "create_date", "write_date", "display_name"}


def stored_values(records):
    """Each record's stored fields, as read (the volatile ones left out)."""
    names = [
        name
        for name, field in records._fields.items()
        if field.store and name not in VOLATILE and field.type not in ("one2many",)
    ]
    return [{name: record[name] for name in names} for record in records.sorted("id")]


@tagged("post_install", "-at_install")
class TestSmsBulkInsert(SmsCommon):
    """Invariant: ``insert_rows`` (the free and batch sends' set-based creation)
    stores what ``create`` stores, row for row, in the order given, and refuses what
    ``create`` refuses (access, Python constraints, NOT NULL), or what it cannot
    store as a plain column."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_free = create_sms_user(cls.env, "psms_bulk", "group_sms_send_free")

    def _free_values(self, numbers, ref):
        return [
            {
                "origin": "free",
                "context_type": "free",
                "batch_ref": ref,
                "number": number,
                "body": "Réunion jeudi à 14h « salle 2 »",
            }
            for number in numbers
        ]

    def test_queue_many_stores_what_queue_stores(self):
        numbers = ["06 12 34 56 78", "+33781234567", "0699999998"]
        Sms = self.env["participant.sms"].with_user(self.user_free)
        # one instant for both (the planned send and deadline follow the clock)
        with freeze_time(fields.Datetime.now()):
            by_create = Sms._queue(self._free_values(numbers, "A"))
            by_insert = Sms._queue_many(self._free_values(numbers, "A"))
        self.assertEqual(len(by_insert), 3)
        self.assertEqual(stored_values(by_insert), stored_values(by_create))
        self.assertEqual(
            by_insert.mapped("number"),
            ["+33612345678", "+33781234567", "+33699999998"],
            "records in the order of the values, numbers normalised",
        )
        self.assertEqual(by_insert.mapped("author_id"), self.user_free)
        self.assertEqual(by_insert.mapped("create_uid"), self.user_free)
        # the daily counts (PostgreSQL triggers) follow the inserted rows
        self.assertEqual(
            self.env["participant.sms"].search_count([("batch_ref", "=", "A")]), 6
        )

    def test_queue_many_checks_like_queue(self):
        Sms = self.env["participant.sms"].with_user(self.user_participant)
        with self.assertRaises(AccessError):
            Sms._queue_many(self._free_values(["0612345678"], "B"))
        Sms = self.env["participant.sms"].with_user(self.user_free)
        with self.assertRaises(ValidationError):
            Sms._queue_many(self._free_values(["0612345678", "0144556677"], "B"))
        self.assertFalse(self.env["participant.sms"].search([("batch_ref", "=", "B")]))

    def test_preview_lines_as_create(self):
        wizard = (
            self.env["participant.sms.free"]
            .with_user(self.user_free)
            .create({"body": "Bonjour"})
        )
        Line = self.env["participant.sms.free.line"].with_user(self.user_free)
        values = [
            {"wizard_id": wizard.id, "row": 2, "raw": "0612345678", "number": "+1"},
            {"wizard_id": wizard.id, "row": 3, "raw": "x", "error": "Invalid"},
        ]
        self.assertEqual(wizard.recipient_count, 0)
        inserted = insert_rows(Line, values)
        created = Line.create([dict(vals, row=vals["row"] + 10) for vals in values])
        self.assertEqual(inserted.mapped("selected"), [True, True], "defaults")
        self.assertEqual(
            [dict(vals, row=vals["row"] + 10) for vals in stored_values(inserted)],
            stored_values(created),
        )
        # the wizard's lines and totals see the new rows (inverse and dependents)
        self.assertEqual(len(wizard.line_ids), 4)
        self.assertEqual(wizard.recipient_count, 4)

    def test_refuses_what_create_refuses(self):
        template = self.env["participant.sms.template"].search([], limit=1)
        with self.assertRaises(ValidationError):  # a Python constraint
            insert_rows(
                self.env["participant.sms.automation"],
                [{"name": "A", "days": 9, "template_id": template.id}],
            )
        Package = self.env["participant.sms.package"]
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():  # an SQL constraint
                insert_rows(Package, [{"name": "P", "quantity": -1}])
        package = insert_rows(Package, [{"name": "P", "quantity": 7}])
        self.assertEqual(package.remaining, 7, "stored computed field computed")
        with self.assertRaises(AccessError):
            insert_rows(
                Package.with_user(self.user_free), [{"name": "P", "quantity": 1}]
            )
        with self.assertRaises(ValueError):
            insert_rows(self.env["participant.sms"], [{"number_display": "x"}])
        with self.assertRaises(ValueError):
            insert_rows(
                self.env["participant.sms"],
                [{"number": "+33612345678", "reply_ids": []}],
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                insert_rows(self.env["participant.sms.free.line"], [{"row": 1}])
