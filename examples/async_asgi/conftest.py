"""Let this example's tests import its modules (shop_frontend, ...) by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
