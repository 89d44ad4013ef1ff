#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS saved on French texts by the "SMS characters" setting (no Odoo needed).

    python3 bench/bench_french_gsm.py

Twenty reminder and information texts as French services write them (typographic
apostrophes, « », …, –, non-breaking spaces before : ; ! ?, and accents), counted as
typed, with typography replaced (the default), and with typography and accents replaced.
"""

import importlib.util
import os

_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "sms_text.py"
)
_SPEC = importlib.util.spec_from_file_location("sms_text", _PATH)
sms_text = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(sms_text)
convert, measure = sms_text.convert, sms_text.measure

NBSP = "\u202f"
CORPUS = [
    "Bonjour Mme BENALI, rappel de votre rendez-vous demain à 9h30 à l’Espace "
    f"Insertion{NBSP}!",
    f"M. MOREAU, n’oubliez pas votre entretien jeudi 14h avec Sandrine{NBSP}: « bilan "
    "de parcours ».",
    "Rappel : atelier CV lundi 10h – salle 2, Maison de l’Emploi. Apportez votre "
    "pièce d’identité.",
    "Votre rendez-vous du 12/03 est déplacé au 14/03 à 11h. Merci de confirmer par "
    f"OUI ou NON{NBSP}!",
    "Bonjour, l’information collective RSA aura lieu mardi à 14h… Présence "
    "obligatoire.",
    f"Rappel{NBSP}: formation « Savoirs de base » – début le 3 avril à 9h, AFPA de "
    "Créteil.",
    "Nadia, votre référente vous attend vendredi à 10h. En cas d’empêchement, appelez "
    "le 01 23 45 67 89.",
    "Entretien d’orientation France Travail le 5/04 à 15h. Munissez-vous de votre CV "
    "à jour.",
    f"Bonjour Kévin, votre dossier est complet{NBSP}! Rendez-vous lundi pour la "
    "signature du contrat.",
    "Job dating « métiers du soin » jeudi 9h–12h, salle des fêtes. Entrée libre.",
    "Rappel : votre étape « Immersion en entreprise » commence lundi. Bon courage !",
    "M. DUPONT, merci de rapporter l’attestation de la CAF lors de notre prochain "
    "rendez-vous.",
    "Votre accompagnement reprend le 2 septembre. Votre conseillère : Mme LEFÈVRE.",
    f"Atelier numérique : créer son espace France Travail – mercredi 14h{NBSP}; 8 "
    "places.",
    "Bonjour, pensez à actualiser votre situation avant le 15. L’équipe d’insertion.",
    "Rendez-vous médical (visite d’embauche) confirmé : mardi 8h45, centre de santé.",
    "Le forum de l’alternance a lieu samedi de 9h à 13h – gymnase Jean-Moulin.",
    "Votre entretien de suivi est annulé. Nous vous recontacterons très vite.",
    "Mme GARÇON, votre rendez-vous est fixé au jeudi 18 à 10h. Répondez OUI pour "
    "confirmer.",
    "Bonjour, le permis B financé démarre le 6 mai. Code : 12 séances, conduite : 20 "
    "heures.",
]


def main():
    totals = {}
    for mode in ("keep", "typography", "letters"):
        measures = [measure(convert(text, mode)) for text in CORPUS]
        totals[mode] = (
            sum(m.segments for m in measures),
            sum(1 for m in measures if m.encoding == "UCS-2"),
        )
    print(f"{len(CORPUS)} French texts")
    labels = {
        "keep": "as typed",
        "typography": "typography replaced (default)",
        "letters": "typography and accents replaced",
    }
    for mode, (sms, ucs2) in totals.items():
        print(f"  {labels[mode]:34} {sms:3} SMS, {ucs2:2} texts in Unicode")
    saved = totals["keep"][0] - totals["typography"][0]
    print(
        f"  saved by the default: {saved} SMS ({100 * saved / totals['keep'][0]:.0f} "
        "%); "
        f"with accents too: {totals['keep'][0] - totals['letters'][0]} SMS"
    )


if __name__ == "__main__":
    main()
