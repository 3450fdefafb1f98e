"""Let this example's tests import its modules (pet_client, ...) by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
