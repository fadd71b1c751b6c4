"""``sora-guard fix`` and ``sora-guard preview`` as a user runs them: real subprocesses, real files."""

from __future__ import annotations

import hashlib

import pytest
from PIL import Image
from support.images import encode, exif_rotated_jpeg, marker, truncated, write


def digest(folder) -> dict[str, str]:
    """Content of every asset under ``folder`` (the check cache is not an asset)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".sora-guard-cache" not in p.parts
    }


def assets(folder):
    write(folder / "photos" / "big.jpg", marker((1600, 900)))
    write(folder / "photos" / "rotated.jpg", exif_rotated_jpeg((1600, 900), 6))
    write(folder / "photos" / "good.png", marker((1280, 720)))
    write(folder / "anim.gif", encode(marker((640, 480)).convert("P"), "GIF"))


def test_fix_in_place_then_check_passes_and_a_second_fix_changes_nothing(tmp_path, run_cli):
    assets(tmp_path)
    first = run_cli("fix", "--profile", "sora-2", ".")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Fixed 3 file(s); 1 already fine; 0 failed." in first.stdout
    assert "anim.gif -> anim.png" in first.stdout and "SG914" in first.stdout
    assert run_cli("check", "--profile", "sora-2", ".").returncode == 0
    snapshot = digest(tmp_path)
    second = run_cli("fix", "--profile", "sora-2", ".", "--exit-non-zero-on-fix")
    assert second.returncode == 0 and "Fixed 0 file(s); 4 already fine" in second.stdout
    assert digest(tmp_path) == snapshot


def test_exit_codes(tmp_path, run_cli):
    write(tmp_path / "big.jpg", marker((1600, 900)))
    assert run_cli("fix", "--profile", "sora-2", "--exit-non-zero-on-fix", ".").returncode == 1
    write(tmp_path / "cut.jpg", truncated(encode(marker((2000, 1000)), "JPEG")))
    broken = run_cli("fix", "--profile", "sora-2", ".")
    assert broken.returncode == 1 and "SG503" in broken.stdout
    assert run_cli("fix", "--profile", "sora-2", "--strategy", "nope", ".").returncode == 2
    assert run_cli("fix", "--profile", "sora-2", "--crop-box", "0,0,2", ".").returncode == 2
    assert (
        run_cli("fix", "--profile", "sora-2", "--convert-to", "GIF", "--formats", "JPEG", ".").returncode == 2
    )


def test_dry_run_and_diff_write_nothing(tmp_path, run_cli):
    assets(tmp_path)
    before = digest(tmp_path)
    for flag in ("--dry-run", "--diff"):
        result = run_cli("fix", "--profile", "sora-2", flag, ".")
        assert result.returncode == 1, "changes pending"
        assert "Would fix 3 file(s)" in result.stdout
        assert digest(tmp_path) == before
    diff = run_cli("fix", "--profile", "sora-2", "--diff", "photos/big.jpg")
    assert (
        "--- photos/big.jpg  JPEG 1600x900" in diff.stdout
        and "+++ photos/big.jpg  JPEG 1280x720" in diff.stdout
    )


def test_out_mirrors_the_tree_and_leaves_sources_alone(tmp_path, run_cli):
    assets(tmp_path / "src")
    before = digest(tmp_path / "src")
    result = run_cli("fix", "--profile", "sora-2", "src", "--out", "fixed")
    assert result.returncode == 0, result.stdout + result.stderr
    assert digest(tmp_path / "src") == before
    assert sorted(digest(tmp_path / "fixed")) == [
        "anim.png",
        "photos/big.jpg",
        "photos/good.png",
        "photos/rotated.jpg",
    ]
    assert run_cli("check", "--profile", "sora-2", "fixed").returncode == 0


def test_size_strategy_and_per_path_configuration(tmp_path, run_cli):
    write(
        tmp_path / "pyproject.toml",
        b'[tool.sora-guard]\nprofile = "sora-2"\n[tool.sora-guard.per-path."pads/**"]\nstrategy = "pad"\nbackground = "#00ff00"\n',
    )
    write(tmp_path / "pads" / "a.png", marker((1000, 1000)))
    write(tmp_path / "crops" / "b.png", marker((1000, 1000)))
    assert run_cli("fix", "--profile", "sora-2", "--size", "720x1280", ".").returncode == 0
    with Image.open(tmp_path / "pads" / "a.png") as pad, Image.open(tmp_path / "crops" / "b.png") as cover:
        assert pad.size == cover.size == (720, 1280)
        assert pad.getpixel((360, 5)) == (0, 255, 0), "per-path pad with a green background"
        assert cover.getpixel((360, 5)) != (0, 255, 0)


def test_preview_writes_one_labelled_png_with_every_strategy(tmp_path, run_cli):
    write(tmp_path / "photo.jpg", marker((1600, 900)))
    result = run_cli("preview", "photo.jpg", "--size", "720x1280", "-o", "sheet.png")
    assert result.returncode == 0, result.stderr
    for name in ("cover", "pad", "blur-pad", "smart", "crop", "stretch"):
        assert name in result.stdout
    with Image.open(tmp_path / "sheet.png") as sheet:
        assert sheet.format == "PNG" and sheet.width > 6 * 360 and sheet.height < 500
    assert run_cli("preview", "missing.jpg").returncode == 2


def _screen(stream: bytes, columns: int) -> list[str]:
    """The lines a terminal ``columns`` wide shows for ``stream``: carriage return, erase to the end of
    the line (ESC [ K), newline, and wrapping at the right edge."""
    lines, line, col = [], [], 0
    text = stream.decode(errors="replace").replace("\r\n", "\n")
    i = 0
    while i < len(text):
        if text.startswith("\x1b[K", i):
            del line[col:]
            i += 3
            continue
        ch = text[i]
        i += 1
        if ch == "\r":
            col = 0
        elif ch == "\n":
            lines.append("".join(line))
            line, col = [], 0
        else:
            if col == columns:  # the terminal wraps: the line is full
                lines.append("".join(line))
                line, col = [], 0
            line[col : col + 1] = [ch]
            col += 1
    return [*lines, "".join(line)]


@pytest.mark.parametrize("columns", [120, 40])
def test_progress_bar_never_runs_into_output_on_a_terminal(tmp_path, columns):
    """stdout and stderr on one terminal, as in a shell: each line of output starts clean, at any width."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    for i in range(12):
        write(tmp_path / f"frame_{i:04d}.jpg", marker((1600, 900)))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env["TERM"] = "xterm"
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sora_guard",
            "fix",
            "--isolated",
            "--size",
            "1280x720",
            "--dry-run",
            "-j",
            "2",
            ".",
        ],
        cwd=tmp_path,
        env=env,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 1
    assert b"fixing [" in shown  # a bar was drawn
    screen = [line for line in _screen(shown, columns) if line]
    told = [line for line in screen if "would fix" in line or line.startswith(("Would fix", "  would fix"))]
    assert len(told) == 12 + 2, screen
    assert all("fixing [" not in line and "/12" not in line for line in told), screen
    assert not any(line.startswith("fixing [") for line in screen), screen  # erased at the end
    quiet = subprocess.run(
        [sys.executable, "-m", "sora_guard", "fix", "--isolated", "--size", "1280x720", "--dry-run", "."],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert b"fixing [" not in quiet.stderr and b"Would fix 12" in quiet.stdout


def test_fix_codes_are_explained_by_rules(run_cli):
    result = run_cli("rules", "SG903")
    assert result.returncode == 0 and "name-taken" in result.stdout and "sora-guard fix" in result.stdout
    assert run_cli("rules", "SG999").returncode == 2


def test_a_file_named_twice_is_fixed_once(tmp_path, run_cli):
    write(tmp_path / "a" / "b" / "big.jpg", marker((1600, 900)))
    result = run_cli("fix", "--profile", "sora-2", "a", "a/b", "a/b/big.jpg")
    assert result.returncode == 0 and "Fixed 1 file(s)" in result.stdout
