"""Hostile bytes through ``fix`` (the in-memory pipeline the guard and ``sora-guard fix`` share):
never an exception, and whatever comes out passes ``check``; a file that cannot be repaired yields
no output at all. Default 150 examples; ``SORA_GUARD_FUZZ=heavy`` 3000."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from support.fuzz.corpus import mutated_images

from sora_guard.config import Settings
from sora_guard.engine.check import check_bytes
from sora_guard.run.fix import Status, fix_bytes

EXAMPLES = 3000 if os.environ.get("SORA_GUARD_FUZZ") == "heavy" else 150
SETTINGS = Settings(root=Path.cwd(), max_pixels=2**22)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_images())
def test_fix_of_mutated_bytes_outputs_only_passing_images(item):
    name, data = item
    result = fix_bytes(data, name, SETTINGS)
    if result.status is Status.FAILED:
        assert result.output is None and result.problems
    else:
        assert result.output is not None
        report = check_bytes(result.output, SETTINGS.target(), SETTINGS.rules(), result.dest or name)
        assert report.ok, report.diagnostics
