# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS provider clients (framework-free). ``get_provider(name, **settings)`` builds
one."""

from .base import (
    FINAL_STATUSES,
    InboundReply,
    OutgoingSms,
    Provider,
    ProviderError,
    SendResult,
    StatusQuery,
    StatusUpdate,
    check_token,
    require,
)
from .octopush import OctopushProvider
from .odoo_iap import OdooIapProvider
from .ovh import OvhProvider
from .simulator import SimulatorProvider

PROVIDERS = {
    SimulatorProvider.name: SimulatorProvider,
    OvhProvider.name: OvhProvider,
    OctopushProvider.name: OctopushProvider,
    OdooIapProvider.name: OdooIapProvider,
}


def get_provider(name, **settings):
    try:
        return PROVIDERS[name](**settings)
    except KeyError:
        raise ProviderError("config", f"Unknown SMS provider: {name!r}") from None
