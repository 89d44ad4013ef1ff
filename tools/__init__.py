# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Framework-free core of participant_sms: nothing here imports odoo.

Each module is usable and tested with plain pytest (see ``tools/tests``).
"""
