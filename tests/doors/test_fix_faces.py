"""``fix --strategy smart`` on real photos, through the CLI in process: the fix line says when a
face had to go, and the JSON fix report gives the window kept and the faces found."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sora_guard.cli import main

PHOTOS = Path(__file__).resolve().parents[1] / "support" / "photos"


def test_the_fix_line_says_how_many_faces_fit_and_what_keeps_them_all(tmp_path, capsys, monkeypatch):
    shutil.copy(PHOTOS / "two_people.jpg", tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["fix", "--size", "720x1280", "--strategy", "smart", "--out", "out", "two_people.jpg"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Fixing two_people.jpg -> out/two_people.jpg: SG101: 640x376 -> 720x1280 (smart)"
    assert (
        "  SG916 [subjects-cut] smart keeps 1 of 2 faces whole at 720x1280: no 720x1280 crop holds them all; "
        "blur-pad keeps them all"
    ) in lines


def test_the_json_fix_report_gives_the_window_and_the_faces(tmp_path, capsys, monkeypatch):
    shutil.copy(PHOTOS / "biden.jpg", tmp_path)
    shutil.copy(PHOTOS / "two_people.jpg", tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["fix", "--size", "1280x720", "--strategy", "smart", "--output-format", "json", "--dry-run", "."]
    assert main(args) == 1  # a dry run with something to fix
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"fixed": 2, "unchanged": 0, "failed": 0, "dry_run": True}
    files = {f["path"]: f for f in document["files"]}
    portrait = files["biden.jpg"]
    assert portrait["status"] == "fixed" and portrait["changes"] == ["396x900 -> 1280x720 (smart)"]
    left, top, right, bottom = portrait["window"]["source"]
    assert (left, right) == (0.0, 1.0) and bottom - top == round(396 * 720 / 1280 / 900, 4)
    (face,) = portrait["subjects"]
    assert face["kind"] == "face" and face["whole"] and top <= face["box"][1] and face["box"][3] <= bottom
    assert top <= 70 / 900 and 240 / 900 <= bottom  # the face as checked by eye
    assert [s["whole"] for s in files["two_people.jpg"]["subjects"]] == [True, True]  # 1280x720 fits both
