"""A decompression bomb among healthy files: refused before decoding on every path, door and executor."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from support.images import encode, png_16bit_rgb, png_blank, png_header_only, write

import sora_guard
from sora_guard.cli import main

ADDRESS_SPACE = 1536 * 1024**2
"""Far below the ~10 GB a 100000x100000 PNG took when its EXIF was read before its size was checked."""


@pytest.fixture
def bomb_folder(tmp_path: Path) -> Path:
    """A 69-byte PNG declaring 100000x100000, named to come last, beside two files fix repairs."""
    folder = tmp_path / "assets"
    write(folder / "deep.png", png_16bit_rgb((800, 600)))
    write(folder / "off.jpg", encode(Image.new("RGB", (1281, 720), "red"), "JPEG"))
    write(folder / "zbomb.png", png_header_only((100000, 100000)))
    return folder


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The console script's process, under an address-space limit."""
    return subprocess.run(
        [sys.executable, "-m", "sora_guard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited,
    )


COMMANDS = {
    "check": ["check", "--output-format", "json"],
    "check-html": ["check", "--output-format", "html", "-o", "report.html"],
    "fix-dry-run": ["fix", "--dry-run"],
    "fix": ["fix", "--out", "fixed"],
    "fix-html": ["fix", "--output-format", "html", "-o", "report.html", "--out", "fixed"],
}


@pytest.fixture
def huge_loads(monkeypatch) -> list[tuple[int, int]]:
    """The size of every decode Pillow starts of an image over a gigapixel; each is refused here
    instead of taking gigabytes, so a path that decodes before checking the size fails the test safely."""
    started: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def guarded_load(self):
        if self.width * self.height > 10**9:
            started.append(self.size)
            raise MemoryError("the test refused a gigapixel decode")
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", guarded_load)
    return started


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_no_path_decodes_the_bomb(bomb_folder, monkeypatch, capsys, huge_loads, command, jobs):
    """Every command, inline and on the pool's threads, refuses the bomb from its header (SG504)."""
    monkeypatch.chdir(bomb_folder.parent)
    args = [*COMMANDS[command], "--isolated", "--no-cache", "--size", "1280x720", "-j", jobs, "assets"]
    assert main(args) == 1
    out = capsys.readouterr()
    assert huge_loads == []
    assert "SG505" not in out.out + out.err
    if command == "check":
        codes = {f["path"]: {d["code"] for d in f["diagnostics"]} for f in json.loads(out.out)["files"]}
        assert codes == {
            "assets/deep.png": {"SG101", "SG402"},
            "assets/off.jpg": {"SG101"},
            "assets/zbomb.png": {"SG101", "SG504"},
        }
    if "--out" in args:
        fixed = bomb_folder.parent / "fixed"
        assert sorted(p.name for p in fixed.iterdir()) == ["deep.png", "off.jpg"]
        assert all(Image.open(p).size == (1280, 720) for p in fixed.iterdir())


MEASURED = """
import json, os, resource, sys
limit, usage_file, *argv = sys.argv[1:]
resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "sora_guard", *argv])
_, status, usage = os.wait4(pid, 0)
json.dump({"exit": os.waitstatus_to_exitcode(status), "peak_kb": usage.ru_maxrss}, open(usage_file, "w"))
"""
"""Runs the console script from a small process of its own, so its peak memory is its own (a child
forked straight from the test process would be charged the test process's memory)."""


@pytest.mark.parametrize("command", ["check-html", "fix-dry-run"])
def test_under_an_address_space_limit_the_run_stays_small(bomb_folder, command):
    """The console script's own process (its memory is under test), on the pool's threads."""
    args = [*COMMANDS[command], "--isolated", "--no-cache", "--size", "1280x720", "-j", "2", "assets"]
    usage = bomb_folder.parent / "usage.json"
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, str(ADDRESS_SPACE), str(usage), *args],
        cwd=bomb_folder.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    measured = json.loads(usage.read_text())
    assert measured["exit"] == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stdout + done.stderr
    assert measured["peak_kb"] < 200 * 1024, measured


def test_the_api_and_the_cli_agree_between_pillows_limit_and_sora_guards(tmp_path):
    """225 megapixels: over Pillow's own default limit (178,956,970), under max-pixels (268,435,456).
    Pillow's process-wide setting plays no part, in the API or the CLI."""
    path = write(tmp_path / "big.png", png_blank((15000, 15000)))
    api = sora_guard.check(path, size="1280x720")
    cli = _run(
        "check",
        "--isolated",
        "--no-cache",
        "--size",
        "1280x720",
        "--output-format",
        "json",
        "big.png",
        cwd=tmp_path,
    )
    (listed,) = json.loads(cli.stdout)["files"]
    assert [d.code for d in api.errors] == ["SG101"]
    assert [d.to_dict() for d in api.diagnostics] == listed["diagnostics"]
    assert Image.MAX_IMAGE_PIXELS == 89478485  # the library left the host's setting alone


def test_a_lower_max_pixels_refuses_it_with_one_limit_in_the_message(tmp_path):
    path = write(tmp_path / "big.png", png_blank((15000, 15000)))
    (d,) = sora_guard.check(path, size="1280x720", max_pixels=200_000_000, select=["SG504"]).diagnostics
    assert d.message == "15000x15000 = 225000000 pixels, over the limit of 200000000 pixels; not decoded"
