"""Byte limits follow their source's unit: where "MB" may be 10^6 or 2^20 bytes, a file errs only above
the larger reading and warns between the two; a limit the source spells out is exact."""

from __future__ import annotations

import pytest
from support.images import png_of_bytes

import sora_guard
from sora_guard.vocabulary.model import Severity

MB, MIB = 1_000_000, 1024 * 1024


def too_large(data: bytes, **options) -> Severity | None:
    report = sora_guard.check(data, name="frame.png", **options)
    return next((d.severity for d in report.diagnostics if d.code == "SG301"), None)


@pytest.mark.parametrize(
    "profile, strict, larger",
    [
        ("kling", 10 * MB, 10 * MIB),  # "must not exceed 10MB"
        ("minimax-hailuo", 20 * MB - 1, 20 * MIB),  # "< 20MB" and "<= 20MB"
        ("openai-image-mask", 4 * MB - 1, 4 * MIB - 1),  # "less than 4MB"
        ("runway", 16 * MB, 16 * MIB),  # "16MB" by URL
    ],
)
def test_an_unclear_mb_warns_between_the_readings_and_errs_above_both(profile, strict, larger):
    kw = {"profile": profile, "select": ["SG3"]}
    assert too_large(png_of_bytes(strict), **kw) is None
    assert too_large(png_of_bytes(strict + 1), **kw) is Severity.WARNING
    assert too_large(png_of_bytes(larger), **kw) is Severity.WARNING
    assert too_large(png_of_bytes(larger + 1), **kw) is Severity.ERROR


def test_the_warning_between_the_readings_says_why():
    (warning,) = sora_guard.check(
        png_of_bytes(10 * MB + 1), name="a.png", profile="kling", select=["SG3"]
    ).diagnostics
    assert (
        "the stricter reading of the source's limit" in warning.message and str(10 * MIB) in warning.message
    )
    assert sora_guard.check(png_of_bytes(10 * MB + 1), name="a.png", profile="kling").ok


def test_a_configured_byte_limit_is_exact():
    kw = {"profile": "kling", "select": ["SG3"], "max_bytes": 10 * MB}
    assert too_large(png_of_bytes(10 * MB), **kw) is None
    assert too_large(png_of_bytes(10 * MB + 1), **kw) is Severity.ERROR


def test_a_single_third_partys_limit_only_warns_even_above_both_readings():
    kw = {"profile": "luma", "select": ["SG3"]}  # 20 MB, from one third party
    assert too_large(png_of_bytes(20 * MIB + 1), **kw) is Severity.WARNING
