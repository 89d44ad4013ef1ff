# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Callback tokens were stored in clear: keep only their SHA-256 (the addresses given to
the providers keep working) and drop the clear column."""

import hashlib


def migrate(cr, version):
    cr.execute("""SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'participant_sms_account' AND column_name =
                       'callback_token'""")
    if not cr.fetchone():
        return
    cr.execute(
        "SELECT id, callback_token FROM participant_sms_account WHERE callback_token "
        "IS NOT NULL"
    )
    for account_id, token in cr.fetchall():
        cr.execute(
            """UPDATE participant_sms_account
                         SET callback_token_hash = %s, callback_token_hint = %s WHERE
                             id = %s""",
            [hashlib.sha256(token.encode()).hexdigest(), token[-4:], account_id],
        )
    cr.execute("ALTER TABLE participant_sms_account DROP COLUMN callback_token")
