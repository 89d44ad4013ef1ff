# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the batch SMS wizard against Odoo's own sms.composer, in one run.

Creates N participants with French mobile numbers, then times:
  - the batch wizard's preview (one line per participant: merge, measure, checks),
  - its validation (N appointments and N SMS created in bulk),
  - Odoo's sms.composer mass send of the same text to N other contacts (Odoo's composer
    refuses participants: one way to text them; it queues sms.sms records; no IAP call
    is made: mass_force_send is off), and deletes everything it created.

    python3 bench/bench_batch.py --db DATABASE [--count 5000]
"""

import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import open_registry, parse_args  # noqa: E402


def main():
    args = parse_args(__doc__, count=(int, 5000))
    from odoo import api, fields

    registry = open_registry(args)
    n = args.count
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        batch_group = env.ref("participant_sms.group_sms_send_batch")
        had_group = batch_group in admin.groups_id
        admin.groups_id |= batch_group
        package = env["participant.sms.package"].create(
            {"name": "Benchmark", "quantity": n * 4, "purchase_date": "2000-01-01"}
        )
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Bench PARTICIPANT{i:05d}",
                    "is_participant": True,
                    "mobile": f"+33 6 {10 + i // 1000000:02d} {i // 10000 % 100:02d} "
                    f"{i // 100 % 100:02d} {i % 100:02d}",
                }
                for i in range(n)
            ]
        )
        contacts = env["res.partner"].create(
            [
                {
                    "name": f"Bench CONTACT{i:05d}",
                    "mobile": f"+33 7 {20 + i // 1000000:02d} {i // 10000 % 100:02d} "
                    f"{i // 100 % 100:02d} {i % 100:02d}",
                }
                for i in range(n)
            ]
        )
        cr.commit()
        ids, contact_ids, package_id = partners.ids, contacts.ids, package.id

    results = {}
    try:
        with registry.cursor() as cr:
            env = api.Environment(
                cr,
                admin.id,
                {
                    "lang": "fr_FR"
                    if "fr_FR" in dict(env["res.lang"].get_installed())
                    else "en_US"
                },
            )
            wizard = env["participant.sms.batch"].create(
                {
                    "partner_ids": [(6, 0, ids)],
                    "start": fields.Datetime.now() + timedelta(days=10),
                    "collaborator_id": admin.id,
                    "appointment_type_id": env.ref(
                        "participant_sms.appointment_type_collective"
                    ).id,
                    "theme_id": env.ref("participant_sms.theme_employment").id,
                    "location": "Salle polyvalente",
                    "send_mode": "now",
                    "body": "Bonjour {{first_name}}, information collective le "
                    "{{date}} a {{time}} : "
                    "{{location}}.",
                }
            )
            env.flush_all()
            started = time.perf_counter()
            wizard.action_preview()
            env.flush_all()
            results["preview"] = time.perf_counter() - started
            started = time.perf_counter()
            wizard.action_validate()
            env.flush_all()
            results["validate"] = time.perf_counter() - started
            cr.commit()

        with registry.cursor() as cr:
            env = api.Environment(cr, admin.id, {})
            started = time.perf_counter()
            composer = (
                env["sms.composer"]
                .with_context(active_model="res.partner", active_ids=contact_ids)
                .create(
                    {
                        "composition_mode": "mass",
                        "res_model": "res.partner",
                        "res_ids": repr(contact_ids),
                        "mass_keep_log": True,
                        "body": "Bonjour, information collective jeudi a 14h : Salle "
                        "polyvalente.",
                    }
                )
            )
            composer.action_send_sms()
            env.flush_all()
            results["composer"] = time.perf_counter() - started
            cr.commit()
    finally:
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            cr.execute(
                "DELETE FROM participant_sms WHERE partner_id IN %s", [tuple(ids)]
            )
            cr.execute(
                "DELETE FROM calendar_event WHERE participant_id IN %s", [tuple(ids)]
            )
            cr.execute(
                "DELETE FROM sms_sms WHERE partner_id IN %s", [tuple(contact_ids)]
            )
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'res.partner' AND res_id IN %s",
                [tuple(ids + contact_ids)],
            )
            cr.execute(
                "DELETE FROM participant_sms_package WHERE id = %s", [package_id]
            )
            env["res.partner"].browse(ids + contact_ids).unlink()
            if not had_group:
                env.ref("base.user_admin").groups_id -= env.ref(
                    "participant_sms.group_sms_send_batch"
                )

    print(f"Batch benchmark: {n} participants")
    print(f"  batch wizard preview  : {results['preview']:7.2f} s")
    print(
        f"  batch wizard validate : {results['validate']:7.2f} s  ({n} appointments + "
        f"{n} SMS)"
    )
    print(
        f"  Odoo sms.composer     : {results['composer']:7.2f} s  ({n} sms.sms to "
        "other contacts, mass mode)"
    )
    total = results["preview"] + results["validate"]
    ratio = total / results["composer"]
    print(f"  ratio (preview + validate) / sms.composer: {ratio:.2f}")


if __name__ == "__main__":
    main()
