# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.4.0, before the models load: the abstract model of the records that have SMS
is now ``participant.sms.source`` (the reminder and follow-up mixins became one
contract). Its fields live on the appointments, steps and orientations and do not
change; only Odoo's description of the model is renamed, as OpenUpgrade's
``rename_models`` does, so that the update does not delete the fields (and their
selection values) of a model it no longer knows."""

import logging

_logger = logging.getLogger(__name__)

RENAMED = {"participant.sms.reminder.mixin": "participant.sms.source"}


def _forget_model(cr, model, xmlid_part):
    """Delete Odoo's description of ``model`` (an abstract model: no table)."""
    cr.execute(
        """DELETE FROM ir_model_data
            WHERE module = 'participant_sms'
              AND model IN ('ir.model', 'ir.model.fields', 'ir.model.fields.selection')
              AND name LIKE %s""",
        [f"%{xmlid_part}%"],
    )
    cr.execute(
        """DELETE FROM ir_model_fields_selection
            WHERE field_id IN (SELECT id FROM ir_model_fields WHERE model = %s)""",
        [model],
    )
    cr.execute("DELETE FROM ir_model_fields WHERE model = %s", [model])
    cr.execute("DELETE FROM ir_model WHERE model = %s", [model])


def migrate(cr, version):
    if not version:
        return
    for old, new in RENAMED.items():
        old_xmlid, new_xmlid = old.replace(".", "_"), new.replace(".", "_")
        cr.execute("SELECT 1 FROM ir_model WHERE model = %s", [new])
        if cr.fetchone():  # an earlier attempt that failed made the new one: drop
            _forget_model(cr, old, old_xmlid)
            continue
        cr.execute("UPDATE ir_model SET model = %s WHERE model = %s", [new, old])
        cr.execute("UPDATE ir_model_fields SET model = %s WHERE model = %s", [new, old])
        cr.execute(
            """UPDATE ir_model_data
                  SET name = replace(name, %s, %s)
                WHERE module = 'participant_sms'
                  AND model IN ('ir.model', 'ir.model.fields',
                                'ir.model.fields.selection')
                  AND name LIKE %s""",
            [old_xmlid, new_xmlid, f"%{old_xmlid}%"],
        )
        _logger.info("participant_sms 18.0.1.4.0: model %s renamed %s", old, new)
