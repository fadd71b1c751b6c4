"""``fix --out DIR`` never writes outside DIR, whatever the names and symbolic links in the source
tree (or symbolic links already inside DIR): everything outside DIR is byte-for-byte and
link-for-link the same after the run, and every file the run wrote lies inside DIR.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.images import encode, marker

import sora_guard
from sora_guard.io.atomic import TEMP_PREFIX

HEAVY = os.environ.get("SORA_GUARD_FUZZ") == "heavy"
WIDE = encode(marker((1400, 700)), "JPEG")
GIF = encode(marker((1280, 720)).convert("P"), "GIF")


def snapshot(top: Path, skip: Path) -> dict[bytes, tuple]:
    """Every entry under ``top`` except ``skip``: file contents, link targets, folders (links not followed)."""
    state = {}
    base, skipped = os.fsencode(top), os.fsencode(os.path.realpath(skip))
    for folder, dirs, files in os.walk(base):
        if os.path.realpath(folder) == skipped:
            dirs[:] = []
            continue
        for name in dirs + files:
            path = os.path.join(folder, name)
            key = os.path.relpath(path, base)
            if os.path.islink(path):
                state[key] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                state[key] = ("dir",)
            else:
                with open(path, "rb") as fp:
                    state[key] = ("file", hashlib.sha256(fp.read()).hexdigest())
    return state


def written_inside(out: Path) -> list[bytes]:
    """Regular files under ``out`` (links not followed); all must resolve inside it."""
    found = []
    real_out = os.path.realpath(out)
    for folder, _dirs, files in os.walk(os.fsencode(out)):
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                assert os.path.realpath(path).startswith(os.fsencode(real_out) + b"/"), path
                found.append(path)
    return found


def hostile_tree(root: Path) -> None:
    """Source folder ``src`` with awkward names and links in every direction, an ``outside`` folder,
    and an ``out`` folder that already holds links leading out of it."""
    src, outside, out = root / "src", root / "outside", root / "out"
    for folder in (src / "sub" / "deeper", outside, out):
        folder.mkdir(parents=True, exist_ok=True)
    names = [
        b"plain.jpg",
        b"...jpg",
        b" spaced .jpg",
        b"-dash.jpg",
        b".hidden.jpg",
        b"caf\xe9.jpg",
        b"new\nline.jpg",
        b"anim.gif",
    ]
    for name in names:
        with open(os.path.join(os.fsencode(src), name), "wb") as fp:
            fp.write(GIF if name.endswith(b".gif") else WIDE)
    (src / "sub" / "deeper" / "nested.jpg").write_bytes(WIDE)
    (src / "out").mkdir()  # a folder named like the output folder
    (src / "out" / "inner.jpg").write_bytes(WIDE)
    (outside / "victim.jpg").write_bytes(WIDE)
    os.symlink("../outside/victim.jpg", src / "link-out.jpg")
    os.symlink("../outside", src / "dir-out")
    os.symlink("..", src / "sub" / "loop")
    os.symlink("plain.jpg", src / "link-in.jpg")
    os.symlink("/etc/hostname", src / "absolute.jpg")
    os.symlink(str(outside), out / "sub")  # already in DIR: a link to a folder outside it
    os.symlink(str(outside / "victim.jpg"), out / "plain.jpg")  # and a link to a file outside it
    os.symlink(str(outside), out / "dir-out")


def _fix(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sora_guard", "fix", "--isolated", "--no-cache", "--profile", "sora-2", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "1"},
        timeout=120,
    )


def test_hostile_tree_stays_inside_out(tmp_path):
    hostile_tree(tmp_path)
    before = snapshot(tmp_path, tmp_path / "out")
    result = _fix(tmp_path, "--out", "out", "src")
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert snapshot(tmp_path, tmp_path / "out") == before
    written = written_inside(tmp_path / "out")
    assert b"out/caf\xe9.jpg" in [os.path.relpath(p, os.fsencode(tmp_path)) for p in written]
    assert "SG901" in result.stdout and "leads out of out" in result.stdout  # out/sub -> outside was refused
    assert not list(tmp_path.rglob(f"{TEMP_PREFIX}*"))


def test_hostile_tree_with_follow_symlinks_and_files_from_elsewhere(tmp_path):
    hostile_tree(tmp_path)
    before = snapshot(tmp_path, tmp_path / "out")
    result = _fix(
        tmp_path,
        "--follow-symlinks",
        "--out",
        "out",
        "src",
        "outside/victim.jpg",
        "src/sub/deeper/nested.jpg",
        "src/link-out.jpg",
    )
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert snapshot(tmp_path, tmp_path / "out") == before
    assert written_inside(tmp_path / "out")


NAME = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=12
).filter(lambda s: s not in (".", ".."))
LINK_TARGETS = st.sampled_from(
    ["../outside", "../../outside/victim.jpg", "..", ".", "/", "../out", "../../out", "nowhere", "victim.jpg"]
)


@st.composite
def trees(draw):
    """(relative path parts, kind, payload) entries: images, folders and links pointing anywhere."""
    entries = []
    for _ in range(draw(st.integers(1, 8))):
        depth = draw(st.lists(NAME, max_size=2))
        name = draw(NAME) + draw(st.sampled_from([".jpg", ".png", ".gif", ".webp", ""]))
        kind = draw(st.sampled_from(["image", "image", "link"]))
        entries.append((depth, name, kind, draw(LINK_TARGETS)))
    return entries


@settings(max_examples=40 if HEAVY else 6, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees(), st.booleans())
def test_random_trees_never_write_outside_out(entries, follow):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hostile_tree(root)
        for depth, name, kind, target in entries:
            folder = root.joinpath("src", *depth)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / name
                if kind == "image":
                    path.write_bytes(GIF if name.endswith(".gif") else WIDE)
                else:
                    os.symlink(target, path)
            except OSError:  # a name already taken by another entry, or too long: skip it
                continue
        before = snapshot(root, root / "out")
        sora_guard.fix_paths(
            [root / "src"], out=root / "out", jobs=1, follow_symlinks=follow, profile="sora-2"
        )
        assert snapshot(root, root / "out") == before
        written_inside(root / "out")


def test_in_place_a_symbolic_link_is_never_replaced_or_written_through(tmp_path):
    """A link inside the tree: its target is fixed under its own name and the link stays a link.
    A link named on the command line that leads out of the tree: refused, nothing written anywhere."""
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "tree" / "sub" / "photo.jpg").write_bytes(WIDE)
    (tmp_path / "elsewhere" / "photo.jpg").write_bytes(WIDE)
    os.symlink("sub/photo.jpg", tmp_path / "tree" / "alias.jpg")
    os.symlink("../../elsewhere/photo.jpg", tmp_path / "tree" / "sub" / "away.jpg")
    result = _fix(tmp_path / "tree", ".")
    assert result.returncode == 0, result.stdout
    assert os.readlink(tmp_path / "tree" / "alias.jpg") == "sub/photo.jpg"
    assert (tmp_path / "tree" / "sub" / "photo.jpg").read_bytes() != WIDE  # fixed, once
    assert (tmp_path / "elsewhere" / "photo.jpg").read_bytes() == WIDE
    named = _fix(tmp_path / "tree", "sub/away.jpg")
    assert named.returncode == 1 and "symbolic link" in named.stdout and "SG901" in named.stdout
    assert os.path.islink(tmp_path / "tree" / "sub" / "away.jpg")
    assert (tmp_path / "elsewhere" / "photo.jpg").read_bytes() == WIDE


def test_two_sources_converted_to_one_out_name_never_overwrite_each_other(tmp_path):
    """``a.gif`` and ``a.tif`` both become ``a.png``: one is written, the other reported (SG903), twice over."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.gif").write_bytes(GIF)
    (tmp_path / "src" / "a.tif").write_bytes(encode(marker((1280, 720)).rotate(180), "TIFF"))
    (tmp_path / "src" / "b.jpg").write_bytes(WIDE)
    for _ in range(2):  # a second run into the same folder changes nothing
        result = _fix(tmp_path, "--out", "out", "src")
        assert result.returncode == 1 and result.stdout.count("SG903 [name-taken]") == 1, result.stdout
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "b.jpg"]
        winner = "a.tif" if "src/a.gif: SG903" in result.stdout else "a.gif"
        assert f"Fixing src/{winner} -> out/a.png" in result.stdout


def test_out_holding_the_source_is_a_usage_error(tmp_path):
    """``--out src src`` would skip every file as output and report success: refused (exit 2)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.jpg").write_bytes(WIDE)
    for out in ("src", "."):
        result = _fix(tmp_path, "--out", out, "src")
        assert result.returncode == 2 and "inside --out" in result.stderr, result.stderr
    assert (tmp_path / "src" / "a.jpg").read_bytes() == WIDE
    assert (
        _fix(tmp_path, "--out", "src/fixed", "src").returncode == 0
    )  # an output folder inside the source is fine
