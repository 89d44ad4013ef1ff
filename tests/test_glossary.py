# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One word per concept in the French UI: the glossary of the French guides the product
is modelled on (Viesion's SMS guide first) checked on every translation of
``i18n/fr.po``.

Invariants, for every entry of fr.po:

* **G1** it has a French translation (no empty msgstr);
* **G2** a concept of the glossary found in the English text is said with the guide's
  word in the French one, and the words the glossary forbids never appear (*rappel* is
  the reminder only, the provider's callbacks are *adresses de retour*; *forfait*, never
  *package*; *taux de remise*, never *taux de réception*; *entretien*, *rendez-vous*
  only in the texts the participant receives; *fournisseur* for the SMS provider);
* **G3** no English is left: the French text holds no English word, and a French text
  equal to its English one is made of words French spells the same, of merge codes or of
  proper names.

The dashboard's figures, the settings and the code are changed by several people: only
the translations are read here (the text the French user sees), not the code.
"""

import os
import re

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged

#: (concept, English words that name it, French word that must say it, French words
#: forbidden)
GLOSSARY = [
    ("reminder", r"\bremind", r"\brappel", None),
    ("callback", r"\bcallbacks?\b", r"\bretour\b", None),  # «rappel»: see below
    ("package", r"\bpackages?\b", r"\bforfaits?\b", r"\bpackages?\b|\bpacks?\b"),
    (
        "delivery rate",
        r"\bdelivery rate\b",
        r"\btaux de remise\b",
        r"taux de r[ée]ception",
    ),
    ("provider", r"\bproviders?\b", r"\bfournisseurs?\b", r"\bprestataires?\b"),
    ("simulated", r"\bsimulat", r"\bsimul", r"\bsimulated\b"),
    ("appointment", r"\bappointments?\b", r"\bentretiens?\b", None),
]
#: *rappel* (to remind) is the reminder only: the English text of every French *rappel*
#: says so
RAPPEL_RE = re.compile(r"(?i)\brappel")
RAPPEL_EN_RE = re.compile(r"(?i)\bremind|\brecall")
#: *rendez-vous* and *RDV*: the participant's word, in the SMS texts only
#: (``{{codes}}``) or beside the *entretien* it explains
RDV_RE = re.compile(r"(?i)\brendez-vous\b|\bRDV\b")

#: words that are not French (the usual English of a UI); a French word spelled the same
#: (« message », « note », « date », « type », « total », « contact », « mobile ») is
#: not here
ENGLISH_WORDS = {
    "the",
    "and",
    "of",
    "with",
    "your",
    "you",
    "to",
    "is",
    "are",
    "be",
    "been",
    "this",
    "that",
    "these",
    "from",
    "for",
    "not",
    "yet",
    "will",
    "must",
    "can",
    "cannot",
    "which",
    "when",
    "where",
    "who",
    "only",
    "each",
    "every",
    "or",
    "by",
    "at",
    "it",
    "its",
    "has",
    "have",
    "new",
    "none",
    "all",
    "any",
    "after",
    "before",
    "until",
    "day",
    "days",
    "hour",
    "hours",
    "sent",
    "send",
    "sending",
    "reminder",
    "reminders",
    "appointment",
    "appointments",
    "package",
    "packages",
    "simulated",
    "account",
    "created",
    "provider",
    "please",
    "delivered",
    "failed",
    "pending",
    "queued",
    "cancelled",
    "canceled",
    "error",
    "warning",
    "settings",
    "template",
    "templates",
    "list",
    "step",
    "steps",
    "callback",
    "callbacks",
    "credit",
    "credits",
    "rate",
    "reply",
    "replies",
    "yes",
    "status",
    "number",
    "phone",
    "batch",
    "free",
    "upcoming",
    "scheduled",
    "record",
    "records",
    "user",
    "users",
}
#: what French writes as English does: proper names, codes, encodings
SAME_IN_FRENCH = {
    "sms",
    "ok",
    "id",
    "iap",
    "api",
    "url",
    "gsm",
    "ucs",
    "unicode",
    "octopush",
    "ovhcloud",
    "ovh",
    "odoo",
    "brevo",
    "plie",
    "rsa",
    "france",
    "travail",
    "guadeloupe",
    "martinique",
    "mayotte",
    "guyane",
    "la",
    "réunion",
    "stop",
    "configuration",
    "contact",
    "date",
    "description",
    "type",
    "total",
    "note",
    "notes",
    "message",
    "messages",
    "participant",
    "participants",
    "orientation",
    "orientations",
    "import",
    "test",
    "nom",
    "zone",
    "zones",
    "statistiques",
    "mobile",
    "options",
    "action",
    "actions",
    "position",
    "service",
    "services",
    "document",
    "documents",
    "code",
    "codes",
    "minutes",
    "minute",
    "support",
    "instance",
    "application",
    "information",
    "informations",
    "simulation",
    "validation",
    "source",
    "destination",
    "question",
    "questions",
    "caractères",
    "format",
    "formats",
}
#: ``{{code}}``, ``%(name)s``, ``%s``, HTML tags and entities, and quoted technical
#: values
TECHNICAL_RE = re.compile(
    r"\{\{.*?\}\}|%\(\w+\)[sdf]|%[sdf]|<[^>]+>|&\w+;|https?://\S+"
    r"|\b[\w.-]+@[\w.-]+\b|\b\w+_\w+\b|\b[A-Z]{2,}\b"
)
WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _french(entry):
    return " ".join([entry.msgstr, *entry.msgstr_plural.values()])


def _english(entry):
    """The English text without its placeholders (``%(provider)s`` names no
    provider)."""
    return TECHNICAL_RE.sub(" ", " ".join([entry.msgid, entry.msgid_plural or ""]))


def _words(text):
    return WORD_RE.findall(TECHNICAL_RE.sub(" ", text))


def _participant_text(entry):
    """The text of an SMS the participant receives (a template's text, its example): the
    participant's own words are welcome there."""
    return "{{" in entry.msgid or any(
        "participant.sms.template,body" in occurrence
        for occurrence, _line in entry.occurrences
    )


@tagged("post_install", "-at_install")
class TestFrenchGlossary(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        path = os.path.join(get_module_path("participant_sms"), "i18n", "fr.po")
        cls.entries = [entry for entry in polib.pofile(path) if not entry.obsolete]

    def _offending(self, predicate):
        return [
            (entry.msgid, _french(entry)) for entry in self.entries if predicate(entry)
        ]

    def test_g1_every_string_has_a_translation(self):
        self.assertTrue(self.entries)
        self.assertFalse(
            self._offending(lambda entry: not _french(entry).strip()),
            "strings without a French translation",
        )

    def test_g2_one_word_per_concept(self):
        for concept, english, word, forbidden in GLOSSARY:
            with self.subTest(concept=concept):
                said_otherwise = self._offending(
                    lambda entry,
                    english=english,
                    word=word,
                    concept=concept: re.search(english, _english(entry), re.I)
                    and not re.search(word, _french(entry), re.I)
                    and not (concept == "appointment" and _participant_text(entry))
                )
                self.assertFalse(said_otherwise, f"«{concept}» not said with {word}")
                if forbidden:
                    self.assertFalse(
                        self._offending(
                            lambda entry, forbidden=forbidden: re.search(
                                forbidden, _french(entry), re.I
                            )
                        ),
                        f"«{concept}» said with a word the glossary forbids "
                        f"({forbidden})",
                    )

    def test_g2_rappel_is_the_reminder_only(self):
        self.assertFalse(
            self._offending(
                lambda entry: RAPPEL_RE.search(_french(entry))
                and not RAPPEL_EN_RE.search(_english(entry))
            ),
            "«rappel» for something else than a reminder",
        )

    def test_g2_rendez_vous_in_participant_texts_only(self):
        self.assertFalse(
            self._offending(
                lambda entry: RDV_RE.search(_french(entry))
                and not _participant_text(entry)
                and not re.search(r"(?i)\bentretien", _french(entry))
            ),
            "«rendez-vous» in the UI: the guide's word is «entretien»",
        )

    def test_g3_no_english_left(self):
        english = self._offending(
            lambda entry: ENGLISH_WORDS
            & {word.lower() for word in _words(_french(entry))}
        )
        self.assertFalse(english, "English words in the French translation")
        untranslated = self._offending(
            lambda entry: entry.msgstr.strip() == entry.msgid.strip()
            and {word.lower() for word in _words(entry.msgstr)} - SAME_IN_FRENCH
        )
        self.assertFalse(untranslated, "French text left equal to an English one")

    def test_glossary_catches_the_defects_of_issue_17(self):
        """The checks above fail on the phrasings the issue found (each forbidden
        once)."""
        found = {
            "Rappels du fournisseur": RAPPEL_RE.search("Rappels du fournisseur")
            and not RAPPEL_EN_RE.search("Callbacks"),
            "Packages de SMS": re.search(GLOSSARY[2][3], "Packages de SMS", re.I),
            "Taux de réception": re.search(
                GLOSSARY[3][3], "Taux de réception (%)", re.I
            ),
            "simulated SMS": ENGLISH_WORDS
            & {w.lower() for w in _words("10000 simulated SMS")},
            "SMS provider account created": ENGLISH_WORDS
            & {w.lower() for w in _words("SMS provider account created")},
        }
        self.assertEqual([text for text, caught in found.items() if not caught], [])
