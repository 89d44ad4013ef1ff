from . import export
from . import main
