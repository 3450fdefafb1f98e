"""Let this example's tests import its modules (order_client, orders_service, ...) by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
