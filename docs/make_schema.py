"""Write the configuration's JSON schema, ``sora-guard.schema.json``, from the settings' own tables.

Run from the repository root: ``python docs/make_schema.py``; ``tests/config/test_schema.py`` fails
while the checked-in file differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's sora_guard, installed or not

from sora_guard.config.schema import config_schema, render  # noqa: E402

SCHEMA = ROOT / "sora-guard.schema.json"

if __name__ == "__main__":
    SCHEMA.write_text(render(config_schema()), encoding="utf-8")
    print(f"wrote {SCHEMA.relative_to(ROOT)}")
