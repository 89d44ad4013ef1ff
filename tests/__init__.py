from . import test_participant
from . import test_participant_list
from . import test_appointment
from . import test_step_orientation
from . import test_access
from . import test_i18n
from . import test_ui
