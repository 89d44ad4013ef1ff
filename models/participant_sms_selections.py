# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The vocabulary of ``participant.sms``: statuses, origins, contexts, purposes."""

STATES = [
    ("queued", "Not yet sent"),
    ("processing", "Processing"),
    ("sent", "Delivered to operator"),
    ("delivered", "Delivered"),
    ("not_received", "Sent, not received"),
    ("failed", "Failed"),
    ("expired", "Expired"),
    ("stop", "STOP"),
    ("cancelled", "Cancelled"),
    ("not_sent", "Not sent"),
    ("unknown", "Sent, status unknown"),
]
FINAL_STATES = frozenset(
    ("delivered", "failed", "expired", "stop", "cancelled", "not_sent", "unknown")
)
ORIGINS = [
    ("instant", "Individual instant"),
    ("scheduled", "Individual scheduled"),
    ("batch", "Batch"),
    ("free", "Free"),
    ("automation", "Automation"),
    ("test", "Test"),
]
#: the group a user needs to create an SMS of each origin (automation: the system only)
ORIGIN_GROUPS = {
    "instant": "participant_sms.group_sms_send_instant",
    "scheduled": "participant_sms.group_sms_send_scheduled",
    "batch": "participant_sms.group_sms_send_batch",
    "free": "participant_sms.group_sms_send_free",
    "test": "participant_sms.group_sms_admin",
    "automation": None,
}
CONTEXT_TYPES = [
    ("appointment", "Appointment"),
    ("step", "Step"),
    ("orientation", "Orientation"),
    ("document", "Document"),
    ("batch", "Batch"),
    ("free", "Free"),
    ("test", "Test"),
]
PURPOSES = [
    ("reminder", "Reminder"),
    ("follow_up", "Follow-up"),
    ("agreement_code", "Agreement code"),
]
