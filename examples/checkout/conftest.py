"""Let this example's tests import its modules (checkout_app, ...) by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
