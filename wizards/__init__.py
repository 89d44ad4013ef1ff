from . import participant_sms_test
