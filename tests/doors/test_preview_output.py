"""``sora-guard preview`` without ``-o`` writes outside the checked tree, so ``check .`` stays as it was."""

from __future__ import annotations

import re
from pathlib import Path

from support.images import marker, write


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_preview_default_output_cannot_pollute_the_checked_tree(tmp_path, run_process):
    """A process of its own: the temporary folder comes from its environment (TMPDIR)."""
    project, temp = tmp_path / "project", tmp_path / "temp"
    temp.mkdir()
    write(project / "photos" / "photo.jpg", marker((1280, 720)))
    before = _files(project)
    env = {"TMPDIR": str(temp)}
    proc = run_process("preview", "photos/photo.jpg", "--size", "720x1280", cwd=project, env=env)
    assert proc.returncode == 0, proc.stderr
    written = Path(re.match(r"wrote (.+\.png): ", proc.stdout).group(1))
    assert written.is_file() and temp in written.parents, proc.stdout
    assert written.name == "photo-preview-720x1280.png"
    assert _files(project) == before  # nothing beside the image, nothing in the working directory
    check = run_process("check", ".", cwd=project)
    assert check.stdout == "All checks passed: 1 file.\n", check.stdout
    again = run_process(
        "preview", "photos/photo.jpg", cwd=project, env=env
    )  # a second preview keeps the first
    assert again.returncode == 0 and written.is_file() and written.as_posix() not in again.stdout


def test_the_preview_shows_the_faces_found_and_smarts_window_on_the_original():
    from PIL import Image

    from sora_guard.engine.pictures import CUT, KEPT
    from sora_guard.plugins.host import load_registry
    from sora_guard.preview import GAP, LABEL, TILE, render_preview
    from sora_guard.vocabulary.model import Size

    photo = Path(__file__).resolve().parents[1] / "support" / "photos" / "two_people.jpg"
    sheet = render_preview(Image.open(photo), Size(720, 1280), load_registry(False))

    def count(tile: int, colour) -> int:
        left = GAP + tile * (TILE + GAP)
        box = sheet.crop((left, GAP + LABEL, left + TILE, GAP + LABEL + TILE))
        return sum(
            n for n, px in box.getcolors(TILE * TILE) if all(abs(a - b) < 40 for a, b in zip(px, colour))
        )

    assert count(0, KEPT) > 100 and count(0, CUT) > 100  # one face kept whole, the other left out
    assert count(1, KEPT) == 0  # cover's tile is the picture alone
