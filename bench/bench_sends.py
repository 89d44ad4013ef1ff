# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the free and batch sends against Odoo's own sms.composer, same run.

For each COUNT (``--counts 5000,20000``), on fresh records deleted afterwards:

  - free send: an .xlsx of COUNT mobile numbers (openpyxl, column TELEPHONE) read by
    the free wizard's preview (file, normalisation, STOP list, refusing participants,
    duplicates, one line per number), then its validation (COUNT SMS queued);
    peer: ``sms.composer`` in numbers mode on the same numbers (it creates COUNT
    ``sms.sms`` and sends them at once through a local server speaking Odoo's IAP
    protocol, as it does: it has no queue step);
  - batch send: the batch wizard's preview for COUNT participants (merge, measure,
    checks), then its validation (COUNT appointments and COUNT SMS);
    peer: ``sms.composer`` in mass mode with a log on each record, on COUNT other
    contacts (it queues COUNT ``sms.sms``, no IAP call: ``mass_force_send`` is off),
    opened as the contacts' list view opens it (``active_ids``); Odoo's guard on the
    size of a ``literal_eval`` input (``ODOO_LIMIT_LITEVAL_BUFFER``, 100 KiB), which
    the composer's ``res_ids`` exceeds past about 14,000 records, is raised for it.

Prints each step and the ratio of the peer's time to ours (>= 1: we are at least as
fast), and the process's peak memory (ru_maxrss) after each COUNT.

    python3 bench/bench_sends.py --db DATABASE [--counts 5000,20000] [--profile 0]

``--profile 1`` prints the 25 costliest functions (cProfile, cumulative) of our four
steps.
"""

import base64
import cProfile
import io
import os
import pstats
import resource
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load_fakes, open_registry, parse_args  # noqa: E402

BATCH_BODY = (
    "Bonjour {{first_name}}, information collective le {{date}} a {{time}} : "
    "{{location}}."
)
FREE_BODY = "Bonjour, information collective jeudi a 14h : Salle polyvalente."
#: Odoo's setting of its guard on the size of ``ast.literal_eval``'s input
#: (odoo/_monkeypatches/literal_eval.py)
LITERAL_EVAL_LIMIT = "ODOO_LIMIT_LITEVAL_BUFFER"


def mobile(prefix, i):
    return (
        f"{prefix} {10 + i // 1000000:02d} {i // 10000 % 100:02d} "
        f"{i // 100 % 100:02d} {i % 100:02d}"
    )


def make_xlsx(numbers):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Feuil1")
    sheet.append(["NOM", "TELEPHONE"])
    for i, number in enumerate(numbers):
        sheet.append([f"Personne {i}", number])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Timer:
    def __init__(self, profile):
        self.results, self.profiler = {}, cProfile.Profile() if profile else None

    def run(self, name, function, ours=True):
        started = time.perf_counter()
        if self.profiler and ours:
            self.profiler.enable()
        try:
            return function()
        finally:
            if self.profiler and ours:
                self.profiler.disable()
            self.results[name] = time.perf_counter() - started


def setup(registry, n):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        groups = env.ref("participant_sms.group_sms_send_batch") | env.ref(
            "participant_sms.group_sms_send_free"
        )
        missing = groups - admin.groups_id
        admin.groups_id |= missing
        package = env["participant.sms.package"].create(
            {"name": "Benchmark", "quantity": n * 4, "purchase_date": "2000-01-01"}
        )
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Bench PARTICIPANT{i:05d}",
                    "is_participant": True,
                    "mobile": mobile("+33 6", i),
                }
                for i in range(n)
            ]
        )
        contacts = env["res.partner"].create(
            [
                # valid mobiles (06 11 ...), so that the composer queues them all
                {"name": f"Bench CONTACT{i:05d}", "mobile": mobile("+33 6", i + 10**6)}
                for i in range(n)
            ]
        )
        cr.commit()
        return {
            "admin": admin.id,
            "missing_groups": missing.ids,
            "ids": partners.ids,
            "contact_ids": contacts.ids,
            "package_id": package.id,
            "numbers": [f"078{i:07d}" for i in range(n)],  # mobiles, none known
        }


def run_ours(registry, data, timer):
    from odoo import api, fields

    xlsx = base64.b64encode(make_xlsx(data["numbers"]))
    with registry.cursor() as cr:
        env = api.Environment(cr, data["admin"], {"lang": "en_US"})
        free = env["participant.sms.free"].create(
            {"body": FREE_BODY, "file": xlsx, "filename": "numbers.xlsx"}
        )
        env.flush_all()

        def free_preview():
            free.action_preview()
            env.flush_all()

        def free_validate():
            free.action_validate()
            env.flush_all()

        timer.run("free preview", free_preview)
        timer.run("free validate", free_validate)
        cr.commit()
    with registry.cursor() as cr:
        env = api.Environment(cr, data["admin"], {"lang": "en_US"})
        admin = env.user
        batch = env["participant.sms.batch"].create(
            {
                "partner_ids": [(6, 0, data["ids"])],
                "start": fields.Datetime.now() + timedelta(days=10),
                "collaborator_id": admin.id,
                "appointment_type_id": env.ref(
                    "participant_sms.appointment_type_collective"
                ).id,
                "theme_id": env.ref("participant_sms.theme_employment").id,
                "location": "Salle polyvalente",
                "send_mode": "now",
                "body": BATCH_BODY,
            }
        )
        env.flush_all()

        def batch_preview():
            batch.action_preview()
            env.flush_all()

        def batch_validate():
            batch.action_validate()
            env.flush_all()

        timer.run("batch preview", batch_preview)
        timer.run("batch validate", batch_validate)
        cr.commit()


def run_odoo(registry, data, timer):
    from psms_fakes.fake_providers import FakeOdooIap

    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, data["admin"], {"lang": "en_US"})
        token = env["iap.account"].sudo().get("sms").account_token
        cr.commit()
        with FakeOdooIap(token) as server:
            params = env["ir.config_parameter"].sudo()
            previous = params.get_param("sms.endpoint")
            params.set_param("sms.endpoint", server.url)
            cr.commit()

            def numbers_mode():
                composer = env["sms.composer"].create(
                    {
                        "composition_mode": "numbers",
                        # E.164: the composer formats with the user's country,
                        # which may be unset
                        "numbers": ",".join("+33" + n[1:] for n in data["numbers"]),
                        "body": FREE_BODY,
                    }
                )
                composer.action_send_sms()
                env.flush_all()

            try:
                timer.run("composer numbers", numbers_mode, ours=False)
                cr.commit()
            finally:
                params.set_param("sms.endpoint", previous or False)
                cr.commit()
            assert len(server.sent) == len(data["numbers"]), len(server.sent)
    with registry.cursor() as cr:
        env = api.Environment(cr, data["admin"], {"lang": "en_US"})

        def mass_mode():
            # the composer receives its records as Odoo's list view gives them
            # (``active_ids``, which its ``default_get`` turns into the literal
            # ``res_ids``); past ~14,000 ids that literal exceeds Odoo's guard on
            # ``ast.literal_eval`` (100 KiB), whose own setting is raised for this
            # call only, so that the composer does its whole real work
            composer = (
                env["sms.composer"]
                .with_context(
                    active_model="res.partner", active_ids=data["contact_ids"]
                )
                .create(
                    {
                        "composition_mode": "mass",
                        "res_model": "res.partner",
                        "mass_keep_log": True,
                        "body": FREE_BODY,
                    }
                )
            )
            assert composer.res_ids_count == len(data["contact_ids"])
            composer.action_send_sms()
            env.flush_all()

        previous = os.environ.get(LITERAL_EVAL_LIMIT)
        os.environ[LITERAL_EVAL_LIMIT] = str(16 * len(data["contact_ids"]) + 102400)
        try:
            timer.run("composer mass", mass_mode, ours=False)
        finally:
            if previous is None:
                del os.environ[LITERAL_EVAL_LIMIT]
            else:
                os.environ[LITERAL_EVAL_LIMIT] = previous
        queued = (
            env["sms.sms"]
            .sudo()
            .search_count(
                [("partner_id", "in", data["contact_ids"]), ("state", "=", "outgoing")]
            )
        )
        assert queued == len(data["contact_ids"]), queued
        cr.commit()


def cleanup(registry, data):
    from odoo import api

    ids, contact_ids = tuple(data["ids"]), tuple(data["contact_ids"])
    numbers = tuple("+33" + number[1:] for number in data["numbers"])
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        cr.execute("DELETE FROM participant_sms WHERE partner_id IN %s", [ids])
        cr.execute(
            "DELETE FROM participant_sms WHERE origin = 'free' AND number IN %s",
            [numbers],
        )
        cr.execute(
            """DELETE FROM calendar_event WHERE participant_id IN %s
                   OR id IN (SELECT participant_session_id FROM calendar_event
                              WHERE participant_id IN %s)""",
            [ids, ids],
        )
        cr.execute("DELETE FROM sms_sms WHERE partner_id IN %s", [contact_ids])
        cr.execute("DELETE FROM sms_sms WHERE number IN %s", [numbers])
        cr.execute(
            "DELETE FROM mail_message WHERE model = 'res.partner' AND res_id IN %s",
            [ids + contact_ids],
        )
        cr.execute(
            "DELETE FROM participant_sms_package WHERE id = %s", [data["package_id"]]
        )
        env["res.partner"].browse(ids + contact_ids).unlink()
        if data["missing_groups"]:
            env["res.users"].browse(data["admin"]).groups_id -= env[
                "res.groups"
            ].browse(data["missing_groups"])
        cr.commit()


def report(n, results):
    """Prints the figures of COUNT ``n`` (flushed: the cleanup follows)."""
    ours_free = results["free preview"] + results["free validate"]
    ours_batch = results["batch preview"] + results["batch validate"]
    print(f"\n{n} recipients                       ours       Odoo's sms.composer")
    print(
        f"  free send (preview + validate)  {results['free preview']:5.2f} + "
        f"{results['free validate']:5.2f} = {ours_free:5.2f} s   numbers mode "
        f"{results['composer numbers']:5.2f} s   "
        f"x{results['composer numbers'] / ours_free:.2f}"
    )
    print(
        f"  batch send (preview + validate) {results['batch preview']:5.2f} + "
        f"{results['batch validate']:5.2f} = {ours_batch:5.2f} s   mass mode    "
        f"{results['composer mass']:5.2f} s   "
        f"x{results['composer mass'] / ours_batch:.2f}"
    )
    print(
        "  (x = Odoo's time / ours: >= 1 means at least as fast; peak memory of the "
        "process so far "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)",
        flush=True,
    )


def main():
    args = parse_args(__doc__, counts=(str, "5000,20000"), profile=(int, 0))
    load_fakes()
    registry = open_registry(args)
    for n in [int(count) for count in args.counts.split(",")]:
        timer = Timer(args.profile)
        data = setup(registry, n)
        try:
            run_ours(registry, data, timer)
            run_odoo(registry, data, timer)
            report(n, timer.results)  # before the cleanup, which may take minutes
        finally:
            cleanup(registry, data)
        if timer.profiler:
            stats = pstats.Stats(timer.profiler).sort_stats("cumulative")
            stats.print_stats(25)
            stats.print_stats("participant_sms", 40)
            stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
