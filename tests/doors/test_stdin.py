"""`sora-guard check - --stdin-filename NAME`: one image on standard input, checked as the file NAME."""

from __future__ import annotations

import subprocess
import sys

from support.images import encode, marker, write


def check_stdin(data: bytes, *args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sora_guard", "check", *args],
        input=data,
        cwd=cwd,
        capture_output=True,
        timeout=60,
    )


def test_stdin_is_checked_under_its_name_with_per_path_config_and_extension_rules(tmp_path):
    write(tmp_path / "pyproject.toml", b'[tool.sora-guard.per-path."portrait/**"]\nsize = "720x1280"\n')
    portrait = encode(marker((720, 1280)), "PNG")
    proc = check_stdin(portrait, "-", "--stdin-filename", "portrait/p.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = check_stdin(portrait, "--stdin-filename", "landscape/p.jpg", cwd=tmp_path)  # "-" may be left out
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "landscape/p.jpg: SG202 [error]" in out  # PNG content under a .jpg name
    assert (
        "landscape/p.jpg: SG101 [error] 720x1280 does not match the target 1280x720" not in out
    )  # auto size
    assert "Traceback" not in proc.stderr.decode()


def test_stdin_bad_image_and_force_exclude(tmp_path):
    write(
        tmp_path / "pyproject.toml", b'[tool.sora-guard]\nsize = "1280x720"\nextend-exclude = ["fixtures"]\n'
    )
    bad = encode(marker((1281, 720)), "PNG")
    proc = check_stdin(bad, "-", "--stdin-filename", "fixtures/hero.png", cwd=tmp_path)
    assert proc.returncode == 1 and b"fixtures/hero.png: SG101 [error]" in proc.stdout
    proc = check_stdin(bad, "-", "--stdin-filename", "fixtures/hero.png", "--force-exclude", cwd=tmp_path)
    assert proc.returncode == 0 and b"All checks passed: 0 files." in proc.stdout


def test_stdin_needs_a_name_and_no_other_paths(tmp_path):
    for args in (["-"], ["-", "other.png", "--stdin-filename", "x.png"]):
        proc = check_stdin(b"", *args, cwd=tmp_path)
        assert proc.returncode == 2, args
        assert proc.stderr.decode().startswith("sora-guard: error: check an image on standard input with:")
