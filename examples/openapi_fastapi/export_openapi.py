"""Write the pets app's OpenAPI document: python export_openapi.py [PATH] (default openapi.json)."""

import json
import sys
from pathlib import Path

from pets_api import app

if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi.json")
    path.write_text(json.dumps(app.openapi(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
