"""Let this example's tests import its modules (catalog, catalog_contract) by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
