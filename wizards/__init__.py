# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import participant_sms_test
from . import participant_sms_send_mixin
from . import participant_sms_batch
from . import participant_sms_free
from . import participant_sms_simulate_reply
from . import participant_sms_account_addresses
from . import participant_sms_export
from . import participant_agreement_collect
