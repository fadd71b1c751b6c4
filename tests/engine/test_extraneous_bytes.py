"""SG506: a JPEG that libjpeg decodes only with "Corrupt JPEG data: N extraneous bytes before marker"
is a warning, found without decoding, with the count libjpeg itself reports."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from support.images import encode, exif_rotated_jpeg, marker, write

from sora_guard.engine.jpegscan import extraneous_bytes, intact

CLEAN = encode(marker((1280, 720)), "JPEG", quality=90)


def _insert_before(data: bytes, segment: bytes, junk: bytes) -> bytes:
    i = data.index(segment)
    return data[:i] + junk + data[i:]


VARIANTS = {
    "before-dqt": (_insert_before(CLEAN, b"\xff\xdb", b"\x00\x00"), 2, 0xDB),
    "before-dht": (_insert_before(CLEAN, b"\xff\xc4", b"\x12\x34\x56"), 3, 0xC4),
    "before-sos": (_insert_before(CLEAN, b"\xff\xda", b"\x7f"), 1, 0xDA),
    "stuffed-zero": (_insert_before(CLEAN, b"\xff\xc0", b"\xff\x00\x01"), 3, 0xC0),
}


@pytest.mark.parametrize("name", VARIANTS)
def test_extraneous_bytes_are_counted_as_libjpeg_counts_them(name):
    data, count, marker_code = VARIANTS[name]
    assert extraneous_bytes(data) == (count, marker_code)
    assert not intact(data)  # the probe looks for extraneous bytes only where the fast path declines
    djpeg = shutil.which("djpeg")
    if djpeg:  # libjpeg's own warning, where its tools are installed
        proc = subprocess.run([djpeg], input=data, capture_output=True, timeout=30)
        said = re.search(rb"(\d+) extraneous bytes before marker 0x([0-9a-f]{2})", proc.stderr)
        assert said and (int(said.group(1)), int(said.group(2), 16)) == (count, marker_code), proc.stderr


def test_clean_jpegs_have_none():
    for data in (
        CLEAN,
        encode(marker((720, 1280)), "JPEG", progressive=True),
        encode(marker((64, 64), "L"), "JPEG"),
        encode(marker((640, 480), "CMYK"), "JPEG"),
        exif_rotated_jpeg((1280, 720)),
    ):
        assert extraneous_bytes(data) is None


def test_check_warns_and_fix_leaves_the_file_alone(tmp_path, run_cli):
    data = VARIANTS["before-dqt"][0]
    path = write(tmp_path / "hero.jpg", data)
    proc = run_cli("check", "--profile", "sora-2", "--isolated", "hero.jpg")
    assert proc.returncode == 0, proc.stdout
    assert (
        "hero.jpg: SG506 [warning] 2 extraneous bytes before JPEG marker 0xDB: libjpeg skips them with a "
        "warning, strict decoders refuse the file" in proc.stdout
    ), proc.stdout
    fix = run_cli("fix", "--profile", "sora-2", "--isolated", "hero.jpg")
    assert fix.returncode == 0 and path.read_bytes() == data, fix.stdout


def test_a_fix_for_an_error_writes_a_clean_jpeg(tmp_path, run_cli):
    data = _insert_before(encode(marker((1281, 720)), "JPEG"), b"\xff\xdb", b"\x00\x00")
    path = write(tmp_path / "hero.jpg", data)
    fix = run_cli("fix", "--profile", "sora-2", "--isolated", "hero.jpg")
    assert fix.returncode == 0, fix.stdout
    assert extraneous_bytes(path.read_bytes()) is None
    assert (
        run_cli("check", "--profile", "sora-2", "--isolated", "hero.jpg").stdout
        == "All checks passed: 1 file.\n"
    )
