# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Participant SMS",
    "version": "18.0.1.4.0",
    "summary": "SMS reminders, batch and free sends for social-insertion participants",
    "category": "Services",
    "author": "Participant SMS contributors",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": [
        "mail",
        "sms",
        "phone_validation",
        "calendar",
        "calendar_sms",
        "contacts",
    ],
    "external_dependencies": {
        "python": ["phonenumbers", "openpyxl", "requests", "holidays"]
    },
    "data": [
        "security/participant_sms_security.xml",
        "security/ir.model.access.csv",
        "data/participant_config_data.xml",
        "data/participant_sms_data.xml",
        "data/participant_sms_template_data.xml",
        "data/participant_sms_sequence_data.xml",
        "views/res_partner_views.xml",
        "views/participant_list_views.xml",
        "views/calendar_event_views.xml",
        "views/participant_appointment_views.xml",
        "views/participant_step_views.xml",
        "views/participant_orientation_views.xml",
        "views/participant_config_views.xml",
        "views/participant_sms_views.xml",
        "views/participant_sms_account_views.xml",
        "views/participant_sms_package_views.xml",
        "views/participant_sms_dashboard_views.xml",
        "views/participant_sms_desk_views.xml",
        "views/participant_sms_template_views.xml",
        "views/res_config_settings_views.xml",
        "views/participant_sms_batch_views.xml",
        "views/participant_menus.xml",
    ],
    "demo": [
        "demo/participant_users_demo.xml",
        "demo/participant_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "participant_sms/static/src/**/*",
        ],
        "web.assets_tests": [
            "participant_sms/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
