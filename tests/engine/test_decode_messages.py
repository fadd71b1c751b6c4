"""Integrity messages in the user's terms, and the C libraries' stderr kept out of check and fix output.

Damaged TIFFs make libtiff print (``Using code not yet in table``, ``ZIPDecode: Decoding error``,
``WEBP compression support is not configured``); a run prints diagnostics only, and the library's
reason is inside the SG503 message.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import threading

import pytest
from PIL import Image
from support.images import encode, marker, truncated, write

from sora_guard.engine.cstderr import captured_stderr

TRUNCATED = "the file ends before the image data does"


def _tiff(compression: str) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(buffer, "TIFF", compression=compression)
    return buffer.getvalue()


def _damaged(data: bytes) -> bytes:
    return data[:200] + bytes(b ^ 0x5A for b in data[200:2000]) + data[2000:]


def _compression_tag(data: bytes, value: int) -> bytes:
    """An uncompressed TIFF that claims another compression (50001: WebP)."""
    data = bytearray(data)
    offset = struct.unpack("<I", data[4:8])[0]
    for i in range(struct.unpack("<H", data[offset : offset + 2])[0]):
        entry = offset + 2 + 12 * i
        if struct.unpack("<H", data[entry : entry + 2])[0] == 259:
            data[entry + 8 : entry + 10] = struct.pack("<H", value)
    return bytes(data)


@pytest.fixture
def noisy(tmp_path):
    """A folder of TIFFs whose decode makes libtiff write to stderr, 30 files so a pool is worth it."""
    folder = tmp_path / "scans"
    kinds = {
        "lzw": (_damaged(_tiff("tiff_lzw")), "Using code not yet in table"),
        "zip": (_damaged(_tiff("tiff_adobe_deflate")), "ZIPDecode: Decoding error"),
        "webp": (_compression_tag(_tiff("raw"), 50001), "WEBP compression support is not configured"),
    }
    for i in range(10):
        for kind, (data, _) in kinds.items():
            write(folder / f"{kind}{i:02d}.tif", data)
    return folder, {kind: reason for kind, (_, reason) in kinds.items()}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_keeps_libtiff_noise_out_and_its_reason_in(noisy, run_process, jobs):
    """A process of its own: libtiff writes to descriptor 2, which an in-process run never sees."""
    folder, reasons = noisy
    proc = run_process(
        "check", "--no-cache", "--select", "SG5", "-j", jobs, "--profile", "kling", str(folder)
    )
    assert proc.returncode == 1
    assert proc.stderr == "", proc.stderr
    lines = proc.stdout.splitlines()
    for kind, reason in reasons.items():
        mine = [line for line in lines if f"/{kind}" in line]
        assert len(mine) == 10 and all("SG503" in line and reason in line for line in mine), mine
    assert "compression this decoder does not support" in proc.stdout
    assert "decoder error -2" not in proc.stdout


def test_fix_keeps_libtiff_noise_out(noisy, run_process, tmp_path):
    folder, reasons = noisy
    for args in (["--out", str(tmp_path / "fixed")], []):
        proc = run_process("fix", "--no-cache", "--profile", "kling", str(folder), *args)
        assert proc.returncode == 1 and proc.stderr == "", proc.stderr
        assert all(reason in proc.stdout for reason in reasons.values()), proc.stdout


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP", "WEBP"])
def test_a_truncated_file_says_the_file_ends_early(tmp_path, run_cli, fmt):
    data = truncated(encode(marker((1280, 720)), fmt))
    write(tmp_path / f"cut.{fmt.lower()}", data)
    proc = run_cli("check", "--isolated", "--select", "SG5", f"cut.{fmt.lower()}")
    assert proc.returncode == 1
    assert TRUNCATED in proc.stdout or "ends inside the image header" in proc.stdout, proc.stdout
    assert "bytes not processed" not in proc.stdout and "truncated (" not in proc.stdout


def test_a_truncated_file_says_so_in_fix_too(tmp_path, run_cli):
    write(tmp_path / "cut.jpg", truncated(encode(marker((1000, 700)), "JPEG")))
    proc = run_cli("fix", "--isolated", "cut.jpg")
    assert proc.returncode == 1 and f"SG503 [corrupt-data] {TRUNCATED}" in proc.stdout, proc.stdout


def test_captures_nest_across_threads_and_restore_stderr():
    """Many threads capturing at once: each gets what it wrote, and fd 2 is the real stderr after."""
    before = os.fstat(2)
    errors: list[str] = []

    def work(i: int) -> None:
        for _ in range(50):
            with captured_stderr() as outer:
                os.write(2, f"thread {i}\n".encode())
            if f"thread {i}\n" not in outer.text:
                errors.append(outer.text)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


def test_a_child_forked_inside_a_capture_writes_to_the_real_stderr():
    code = (
        "import os, sys\n"
        "from sora_guard.engine.cstderr import captured_stderr\n"
        "with captured_stderr() as c:\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os.write(2, b'child\\n'); os._exit(0)\n"
        "    os.waitpid(pid, 0)\n"
        "    os.write(2, b'parent\\n')\n"
        "print(repr(c.text))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stderr == "child\n" and proc.stdout.strip() == repr("parent\n"), proc
