# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Phone search of the SMS lists (issue 19).

Invariant: whatever way a user types a mobile number (spaces, dots, national 0,
``+33``, ``0033``, ``33`` without ``+``), its start, its last digits or a run of six
digits or more, the search finds the SMS sent to that number and never the SMS of a
number that does not match what was typed; the search is a domain on the E.164
``number`` that its indexes answer (equality, a prefix of the number or of the
reversed number, or ``LIKE`` for the trigram index), never an ``ILIKE`` on the
column.
"""

from unittest.mock import patch

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from ..models import participant_sms_indexes
from ..tools.phone import PhoneError, normalize_mobile
from ..tools.phone_search import number_domain
from .common_sms import SmsCommon


def typings(e164):
    """The ways a user types the French mobile ``e164`` (+33612345678) in full."""
    national = "0" + e164[3:]
    pairs = " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return (
        pairs,
        national,
        ".".join(pairs.split()),
        "+33 " + pairs[1:],
        e164,
        e164[1:],
        "0033 " + pairs[1:],
        f" {national} ",
    )


class TestSmsPhoneSearch(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls.queue_numbers(cls, ["+33612345678"])
        cls.other = cls.queue_numbers(cls, ["+33698765432"])

    def search_view_domain(self, term):
        """The domain the list's search view makes of ``term`` in its Phone field."""
        arch = self.Sms.get_views([(False, "search")])["views"]["search"]["arch"]
        (node,) = etree.fromstring(arch).xpath("//field[@name='number']")
        return safe_eval(node.get("filter_domain"), {"self": term})

    def found(self, term):
        both = self.mine | self.other
        return self.Sms.search([("id", "in", both.ids)] + self.search_view_domain(term))

    def test_every_typing_of_the_number_finds_it_and_only_it(self):
        for term in typings("+33612345678"):
            with self.subTest(term=term):
                self.assertEqual(self.found(term), self.mine)
                self.assertEqual(number_domain(term), [("number", "=", "+33612345678")])

    def test_part_of_the_number_finds_it(self):
        for term in ("5678", "34 56 78", "06 12", "0612 3", "+33 6 12", "33612"):
            with self.subTest(term=term):
                self.assertEqual(self.found(term), self.mine)
        # digits both numbers hold: both; digits of neither: none
        self.assertEqual(self.found("+33 6"), self.mine | self.other)
        self.assertFalse(self.found("4444"))
        self.assertFalse(self.found("07 12"))

    def test_the_search_uses_the_indexed_forms(self):
        self.assertEqual(
            number_domain("5678"),
            ["|", ("number", "=like", "+5678%"), ("number", "=like", "%5678")],
        )
        self.assertEqual(number_domain("345678"), [("number", "like", "345678")])
        self.assertEqual(number_domain("+33 6 12"), [("number", "=like", "+33612%")])
        self.assertEqual(
            number_domain("0692 12", "RE"),
            ["|", ("number", "=like", "+26269212%"), ("number", "like", "069212")],
        )
        self.assertEqual(
            number_domain("0692 12 34 56", "RE"), [("number", "=", "+262692123456")]
        )

    def test_the_last_digits_are_read_from_the_reversed_number_index(self):
        """The end of a number is found through the index of the reversed number
        (among 5,000 other numbers, as PostgreSQL plans it on a large history)."""
        leaf = self.Sms._psms_number_leaf(("number", "=like", "%5678"))
        self.assertEqual(
            self.Sms.search([leaf, ("id", "in", self.mine.ids)]), self.mine
        )
        self.env.flush_all()
        self.env.cr.execute(
            """INSERT INTO participant_sms
               SELECT (jsonb_populate_record(s, jsonb_build_object(
                         'id', nextval('participant_sms_id_seq'),
                         'number', '+3361' || lpad(g::text, 7, '0')))).*
                 FROM participant_sms AS s, generate_series(1, 5000) AS g
                WHERE s.id = %s""",
            [self.other.id],
        )
        self.env.cr.execute("ANALYZE participant_sms")
        self.env.cr.execute(SQL("EXPLAIN %s", self.Sms._search([leaf]).select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("participant_sms_number_reverse_index", plan)
        self.assertFalse(self.found("1234"))  # digits in the middle, not at the end

    def test_a_start_shared_by_many_reads_the_number_table_alone(self):
        """A start of number shared by more SMS than the list reads by id is
        answered by the number table alone, at most that many rows by its index
        (no join with the SMS, no order): the list then filters its ordered scan;
        a start shared by few gives their ids; the start and equality are read by
        the pattern index of the number table, whatever the database's collation."""
        Sms = self.Sms.sudo()
        start = ("number", "=like", "+336%")
        self.assertEqual(len(Sms._psms_number_ids([start], 1)), 1)
        self.assertEqual(
            set(Sms._psms_number_ids([start], 10)), set((self.mine | self.other).ids)
        )
        with patch.object(participant_sms_indexes, "SPARSE_NUMBER_LIMIT", 1):
            self.assertEqual(Sms._psms_number_search([start]), [start])
        self.assertEqual(
            Sms._psms_number_search([("number", "=like", "+33612%")]),
            [("id", "in", self.mine.ids)],
        )
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        for condition in (
            Sms._psms_number_condition(start),
            SQL("number = %s", "+33612345678"),
        ):
            self.env.cr.execute(
                SQL(
                    "EXPLAIN SELECT sms_id FROM participant_sms_number WHERE %s",
                    condition,
                )
            )
            plan = "\n".join(row[0] for row in self.env.cr.fetchall())
            self.assertIn("participant_sms_number_number_index", plan)

    def test_not_ilike_is_the_complement(self):
        both = self.mine | self.other
        found = self.Sms.search(
            [("id", "in", both.ids), ("number_display", "not ilike", "06 12 34 56 78")]
        )
        self.assertEqual(found, self.other)

    @settings(max_examples=25, deadline=None)
    @given(
        first=st.sampled_from("67"),
        rest=st.text("0123456789", min_size=8, max_size=8),
        way=st.integers(0, 7),
        cut=st.integers(4, 8),
    )
    def test_any_mobile_any_typing(self, first, rest, way, cut):
        e164 = f"+33{first}{rest}"
        try:
            normalize_mobile(e164)
        except PhoneError:
            assume(False)  # not a French mobile range
        sms = self.queue_numbers([e164])
        scope = [("id", "in", (sms | self.other).ids)]
        whole, part = typings(e164)[way], rest[-cut:]
        found = self.Sms.search(scope + self.search_view_domain(whole))
        self.assertEqual(
            found, sms | (self.other if e164 == self.other.number else sms)
        )
        found = self.Sms.search(scope + self.search_view_domain(part))
        self.assertIn(sms, found)
        if not part.startswith("0") and part not in self.other.number:
            self.assertNotIn(self.other, found)  # a leading 0 may start a number
