"""The fuzz target: check any byte string and assert the engine's promises about it.

Promises: no exception escapes; a file whose header cannot be read always gets an integrity
diagnostic (SG5xx/SG302), never a pass; a file with no integrity diagnostic decodes in full with
Pillow (not only at the 1/8 scale the probe uses), so "pass means accepted" holds for hostile
bytes too; every reporter renders the result.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from sora_guard.engine.check import check_bytes
from sora_guard.plugins.host import load_registry
from sora_guard.vocabulary.model import FileReport, Limits, Target

#: small limits keep each example fast; the limits themselves are part of what is exercised
LIMITS = Limits(max_pixels=2**22, max_file_bytes=2**20)
INTEGRITY = ("SG5", "SG302")


def _target() -> Target:
    registry = load_registry(False)
    return Target.for_profile(registry.profile("openai-image-edit"), limits=LIMITS)


def full_decode_error(data: bytes) -> str | None:
    """Why Pillow cannot decode the first frame at full resolution, or None when it can."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                im.load()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def check_one(data: bytes, name: str = "fuzz.jpg") -> FileReport:
    """Check ``data`` and assert the promises; return the report."""
    registry = load_registry(False)
    report = check_bytes(data, _target(), list(registry.rules.values()), name=name)
    assert isinstance(report, FileReport)
    codes = {d.code for d in report.diagnostics}
    assert codes <= set(registry.rules), codes
    integrity = [d for d in report.errors if d.code.startswith(INTEGRITY)]
    info = report.info
    if not info.readable:
        assert integrity, f"unreadable header but no integrity error: {info}"
    if not integrity:
        error = full_decode_error(data)
        assert error is None, f"passed the probe but a full decode fails: {error}; {info}"
    for reporter in registry.reporters.values():
        assert reporter.render(_report(report), registry.rules)
    return report


def _report(file_report: FileReport):
    from sora_guard.vocabulary.model import Report

    return Report(files=[file_report])
