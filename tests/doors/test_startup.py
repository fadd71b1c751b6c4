"""A one-file `sora-guard check` (what a pre-commit hook runs) imports only what it needs.

Behaviour, not timing: a finder at the front of ``sys.meta_path`` records every module the run
asks for, installed or not, so an ``import numpy`` inside a ``try`` is caught too. Modules the
interpreter loaded before the run (site, ``.pth`` files) are not counted.
"""

from __future__ import annotations

import subprocess
import sys

from support.images import marker, write

SPY = """
import sys

class Spy:
    requested = set()

    def find_spec(self, name, path=None, target=None):
        Spy.requested.add(name)
        return None

already = set(sys.modules)  # the interpreter's own start-up (site, .pth files) is not ours
sys.meta_path.insert(0, Spy())
from sora_guard.cli import main

try:
    code = main(sys.argv[1:])
finally:
    sys.stderr.write("\\nIMPORTS " + " ".join(sorted(Spy.requested | set(sys.modules) - already)) + "\\n")
raise SystemExit(code)
"""

#: never needed to check one file: heavy optional dependencies (numpy and simplejpeg are fix's
#: scaled JPEG decoding), the slow metadata machinery, and modules Pillow or the stdlib would only
#: pull in for work a check does not do
FORBIDDEN = (
    "openai",
    "numpy",
    "dlib",  # smart's face finder, loaded when smart has a photo to fit
    "simplejpeg",
    "httpx",
    "fsspec",
    "dask",
    "importlib.metadata",
    "email",
    "zipfile",
    "concurrent.futures",
    "pillow_heif",  # registered only when a HEIF file is met
    "multiprocessing",
    "PIL.ImageCms",
    "PIL.WebPImagePlugin",
    "PIL.TiffImagePlugin",
)

#: the fix, guard and preview paths, and the process pool: a one-file check runs inline
UNNEEDED = (
    "sora_guard.engine.jpegdecode",
    "sora_guard.engine.webpscan",
    "sora_guard.engine.fix",
    "sora_guard.engine.fitting",  # validation asks engine.outputs which format fix would write
    "sora_guard.engine.pictures",  # thumbnails, for reporters that show them (run.pictures)
    "sora_guard.run.pictures",
    "sora_guard.run.fix",
    "sora_guard.run.dask_executor",
    "sora_guard.guard",
    "sora_guard.vocabulary.guarding",
    "sora_guard.vocabulary.pictures",  # fit options, placements, report pictures: contract loads them on use  # the guard adapter contract: sora_guard.plugins loads it on first use
    "sora_guard.api",
    "sora_guard.preview",
    "sora_guard.io.atomic",
    "sora_guard.io.storage",
)


#: what Pillow's Image.open would load before reading a JPEG stream (preinit): engine.opener loads
#: the JPEG plugin alone
OTHER_FORMATS = (
    "PIL.BmpImagePlugin",
    "PIL.GifImagePlugin",
    "PIL.PpmImagePlugin",
    "PIL.PngImagePlugin",
    "fractions",
    "decimal",
)


def imports_of(*args: str, cwd) -> tuple[int, str, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", SPY, *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    head, _, names = proc.stderr.rpartition("\nIMPORTS ")
    return proc.returncode, proc.stdout + head, set(names.split())


def test_one_file_check_imports_no_heavy_or_unneeded_modules(tmp_path):
    write(tmp_path / "one.jpg", marker((1280, 720)))
    code, output, modules = imports_of("check", "one.jpg", cwd=tmp_path)
    assert code == 0, output
    assert "sora_guard.engine" in modules and "PIL.JpegImagePlugin" in modules  # the spy sees the real work
    for name in FORBIDDEN:
        assert not any(m == name or m.startswith(name + ".") for m in modules), (name, sorted(modules))
    for name in UNNEEDED:
        assert not any(m == name or m.startswith(name + ".") for m in modules), (name, sorted(modules))
    for name in OTHER_FORMATS:
        assert name not in modules, (name, sorted(modules))


def test_a_check_without_the_cache_loads_neither_it_nor_json(tmp_path):
    write(tmp_path / "one.jpg", marker((1280, 720)))
    code, output, modules = imports_of("check", "--no-cache", "one.jpg", cwd=tmp_path)
    assert code == 0, output
    for name in ("sora_guard.run.cache", "json"):
        assert not any(m == name or m.startswith(name + ".") for m in modules), (name, sorted(modules))


def test_a_failing_check_imports_no_heavy_modules_either(tmp_path):
    write(tmp_path / "bad.png", marker((1281, 720)))
    code, output, modules = imports_of(
        "check", "--size", "1280x720", "--output-format", "github", "bad.png", cwd=tmp_path
    )
    assert code == 1 and "SG101" in output, output
    for name in FORBIDDEN + UNNEEDED:
        assert not any(m == name or m.startswith(name + ".") for m in modules), (name, sorted(modules))


def test_fixing_a_jpeg_loads_no_other_format_plugin(tmp_path):
    write(tmp_path / "one.jpg", marker((1281, 720)))
    code, output, modules = imports_of("fix", "--strategy", "cover", "--out", "out", "one.jpg", cwd=tmp_path)
    assert code == 0 and (tmp_path / "out" / "one.jpg").is_file(), output
    assert "PIL.JpegImagePlugin" in modules  # the spy sees the real work
    for name in OTHER_FORMATS + ("PIL.WebPImagePlugin",):
        assert name not in modules, (name, sorted(modules))
    for name in ("sora_guard.run.pictures", "sora_guard.engine.pictures"):  # a report's thumbnails
        assert name not in modules, (name, sorted(modules))
    assert "dlib" not in modules  # cover looks for no faces


def test_the_face_finder_loads_only_when_smart_has_a_photo_to_fit(tmp_path):
    write(tmp_path / "one.jpg", marker((1281, 720)))
    write(tmp_path / "fine.jpg", marker((1280, 720)))
    code, output, modules = imports_of(
        "fix", "--strategy", "smart", "--size", "1280x720", "fine.jpg", cwd=tmp_path
    )
    assert code == 0 and "dlib" not in modules, output  # nothing to fit
    code, output, modules = imports_of(
        "fix", "--strategy", "smart", "--size", "1280x720", "one.jpg", cwd=tmp_path
    )
    assert code == 0 and "Fixing one.jpg" in output and "dlib" in modules, output
