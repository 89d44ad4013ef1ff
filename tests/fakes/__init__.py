# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test helpers, not shipped code: local servers speaking the providers' documented
protocols (``fake_providers``) and hostile files (``fake_files``), for the Odoo tests,
the tools' plain pytest tests (loaded there as ``psms_fakes``) and the benchmarks."""
