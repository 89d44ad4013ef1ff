# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS provider clients (framework-free). ``get_provider(name, **settings)`` builds
one; importing this package registers every client."""

from .base import (
    FINAL_STATUSES,
    PROVIDERS,
    InboundReply,
    OutgoingSms,
    Provider,
    ProviderError,
    SendResult,
    StatusQuery,
    StatusUpdate,
    check_token,
    get_provider,
    require,
)
from .octopush import OctopushProvider
from .odoo_iap import OdooIapProvider
from .ovh import OvhProvider
from .simulator import SimulatorProvider


__all__ = [
    "FINAL_STATUSES",
    "PROVIDERS",
    "InboundReply",
    "OctopushProvider",
    "OdooIapProvider",
    "OutgoingSms",
    "OvhProvider",
    "Provider",
    "ProviderError",
    "SendResult",
    "SimulatorProvider",
    "StatusQuery",
    "StatusUpdate",
    "check_token",
    "get_provider",
    "require",
]
