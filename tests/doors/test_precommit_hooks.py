"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit framework in throwaway git repos.

Each consumer repo points a ``repo:`` entry at this repository at its current commit (committed
state, as pre-commit clones it), so pre-commit builds the hook's virtualenv from PyPI exactly as a
user's machine would. One pre-commit cache is shared by the whole session: the environment is
built once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from support.gitrepo import git, init_repo
from support.images import encode, heic_photo, marker, truncated, write

ROOT = Path(__file__).resolve().parents[2]
LANDSCAPE, PORTRAIT = (1280, 720), (720, 1280)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_rev() -> str:
    proc = git(ROOT, "rev-parse", "--verify", "HEAD", check=False)
    if proc.returncode != 0:
        pytest.skip("pre-commit clones sora-guard from git: needs a git checkout with a commit")
    return proc.stdout.strip()


class Consumer:
    """A git repo that uses sora-guard's hooks, with ``run`` for ``pre-commit run``."""

    def __init__(self, path: Path, home: Path, rev: str):
        self.path, self.home, self.rev = path, home, rev

    def configure(self, *hooks: dict) -> None:
        config = {"repos": [{"repo": str(ROOT), "rev": self.rev, "hooks": list(hooks)}]}
        (self.path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    def write(self, name: str, data) -> Path:
        return write(self.path / name, data)

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PRE_COMMIT", "SORA_GUARD", "GITHUB_", "GIT_"))
        }
        env.update(PRE_COMMIT_HOME=str(self.home), PRE_COMMIT_COLOR="never")
        return env

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Stage everything, then ``pre-commit run ARGS``."""
        git(self.path, "add", "-A")
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", *args],
            cwd=self.path,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=600,
        )


TARGET = b'[tool.sora-guard]\nprofile = "sora-2"\n'
"""The consumer's configuration: a target with exact sizes (1280x720, 720x1280) and JPEG, PNG, WebP."""


@pytest.fixture
def consumer(tmp_path, pre_commit_home, hook_rev) -> Consumer:
    repo = Consumer(init_repo(tmp_path / "consumer"), pre_commit_home, hook_rev)
    repo.write("pyproject.toml", TARGET)
    return repo


def output(proc: subprocess.CompletedProcess) -> str:
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text, text
    return text


def diagnostic_files(text: str) -> set[str]:
    return set(re.findall(r"^(\S+): SG\d{3} ", text, re.M))


def readme_hooks(after: str) -> list[dict]:
    """The hooks of the first YAML snippet after ``after`` in the README (what users copy)."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", readme[readme.index(after) :], re.S).group(1)
    data = yaml.safe_load(textwrap.dedent(block))
    return data["repos"][0]["hooks"] if isinstance(data, dict) else data


# --- the manifest itself ---------------------------------------------------------------------


def manifest() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def test_manifest_selects_exactly_the_extensions_sora_guard_checks():
    from identify.identify import ALL_TAGS, tags_from_filename

    from sora_guard.vocabulary.formats import EXTENSION_FORMATS

    for hook in manifest().values():
        files = re.compile(hook["files"])
        for ext in EXTENSION_FORMATS:
            assert files.search(f"dir/a{ext}") and files.search(f"A{ext.upper()}"), (hook["id"], ext)
        for other in ("logo.svg", "notes.txt", "a.jpg.txt", "png", "Makefile"):
            assert not files.search(other), (hook["id"], other)
        types_or = set(hook["types_or"])
        assert types_or <= ALL_TAGS
        for ext in EXTENSION_FORMATS:  # every image file carries at least one of the tags
            assert tags_from_filename(f"a{ext}") & types_or or not tags_from_filename(f"a{ext}"), ext
        format_tags = set().union(*(tags_from_filename(f"a{ext}") for ext in EXTENSION_FORMATS)) - {"image"}
        assert types_or == format_tags | {"binary"}, hook["id"]
        assert hook["language"] == "python"


# --- the check hook --------------------------------------------------------------------------


def test_check_hook_fails_on_bad_images_names_them_and_ignores_non_images(consumer):
    consumer.configure({"id": "sora-guard"})
    consumer.write("assets/good.jpg", marker(LANDSCAPE))
    consumer.write("assets/portrait.png", marker(PORTRAIT))
    consumer.write("assets/off_by_one.png", marker((1281, 720)))
    consumer.write("assets/truncated.jpg", truncated(encode(marker(LANDSCAPE), "JPEG")))
    consumer.write("assets/IMG_0001.HEIC", heic_photo())
    consumer.write("assets/logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    consumer.write("notes.txt", b"not an image\n")
    consumer.write("data.bin", bytes(range(256)))
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 1, text
    assert "sora-guard" in text and "Failed" in text
    assert diagnostic_files(text) == {"assets/off_by_one.png", "assets/truncated.jpg", "assets/IMG_0001.HEIC"}
    assert re.search(
        r"^assets/off_by_one\.png: SG101 \[error\] 1281x720 does not match the target 1280x720", text, re.M
    )
    assert re.search(r"^assets/truncated\.jpg: SG503 \[error\] \S", text, re.M)
    assert re.search(r"^assets/IMG_0001\.HEIC: SG201 \[error\] HEIF is not accepted", text, re.M)
    # only the five images were handed to sora-guard: the SVG, text and other binary files never were
    assert "of 5 files." in text, text


def test_check_hook_passes_on_good_images(consumer):
    consumer.configure({"id": "sora-guard"})
    consumer.write("good.jpg", marker(LANDSCAPE))
    consumer.write("portrait.webp", marker(PORTRAIT))
    consumer.write("logo.svg", b"<svg/>")
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 0, text
    assert re.search(r"^sora-guard\.+Passed$", text, re.M), text


def test_check_hook_skips_a_commit_without_images(consumer):
    consumer.configure({"id": "sora-guard"})
    consumer.write("logo.svg", b"<svg/>")
    consumer.write("README.md", b"# hi\n")
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 0, text
    assert re.search(r"^sora-guard\.+\(no files to check\)Skipped$", text, re.M), text


def test_awkward_names_are_named_exactly(consumer):
    consumer.configure({"id": "sora-guard"})
    consumer.write("my photos/été 2025.png", marker((1281, 720)))
    text = output(consumer.run("--all-files"))
    assert "my photos/été 2025.png: SG101 [error]" in text, text


def test_a_broken_consumer_configuration_is_one_line_not_a_traceback(consumer):
    consumer.write("pyproject.toml", b'[tool.sora-guard]\nsizee = "1280x720"\n')
    consumer.configure({"id": "sora-guard"})
    consumer.write("hero.jpg", marker(LANDSCAPE))
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 1 and "- exit code: 2" in text, text
    assert re.search(r"^sora-guard: error: .*pyproject\.toml: unknown key 'sizee'", text, re.M), text


def test_args_pass_through_to_the_hook(consumer):
    consumer.configure(
        {
            "id": "sora-guard",
            "args": ["--profile", "sora-2-pro", "--size", "1920x1080", "--output-format", "github"],
        }
    )
    consumer.write("full_hd.png", marker((1920, 1080)))
    consumer.write("hd.png", marker(LANDSCAPE))
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 1, text
    assert (
        "::error file=hd.png,title=SG101 size-mismatch::1280x720 does not match the target 1920x1080 (sora-2-pro)"
        in text
    )
    assert "file=full_hd.png" not in text


def test_consumer_configuration_is_honoured(consumer):
    consumer.write(
        "pyproject.toml",
        TARGET + b'size = "1280x720"\nextend-exclude = ["fixtures"]\n\n'
        b'[tool.sora-guard.per-path."assets/portrait/**"]\nsize = "720x1280"\n',
    )
    consumer.configure({"id": "sora-guard"})
    consumer.write("assets/landscape/a.jpg", marker(LANDSCAPE))
    consumer.write("assets/portrait/b.jpg", marker(PORTRAIT))
    consumer.write("fixtures/broken.jpg", b"not an image")
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 0, text

    consumer.write("assets/landscape/c.jpg", marker(PORTRAIT))
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 1, text
    assert diagnostic_files(text) == {"assets/landscape/c.jpg"}
    assert "720x1280 does not match the target 1280x720" in text


def test_a_plugin_in_additional_dependencies_works_in_the_hook(consumer, tmp_path):
    """pip installs the plugin into the hook's virtualenv; its entry point is found there."""
    from support.plugins import STUDIO

    plugin = tmp_path / "sora-guard-studio"
    write(plugin / "sora_guard_studio.py", STUDIO.encode())
    write(
        plugin / "pyproject.toml",
        b'[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        b'[project]\nname = "sora-guard-studio"\nversion = "0.1"\n\n'
        b'[project.entry-points.sora_guard]\nstudio = "sora_guard_studio"\n\n'
        b'[tool.setuptools]\npy-modules = ["sora_guard_studio"]\n',
    )
    consumer.configure(
        {"id": "sora-guard", "args": ["--profile", "studio"], "additional_dependencies": [str(plugin)]}
    )
    consumer.write("banner.png", marker((1024, 512)))
    consumer.write("panorama.png", marker((1100, 512)))
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 1, text
    assert "panorama.png: STU001 [error] aspect 2.15 is wider than 2:1" in text
    assert "panorama.png: SG101 [error] 1100x512 does not match the target 1024x512 (studio)" in text
    assert "banner.png" not in diagnostic_files(text)


# --- the fix hook ----------------------------------------------------------------------------


def size_of(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        return im.size


def test_fix_hook_modifies_fails_the_first_run_and_passes_the_second(consumer):
    consumer.configure({"id": "sora-guard-fix"})
    bad = consumer.write("assets/hero.png", marker((1281, 720)))
    good = consumer.write("assets/good.jpg", marker(LANDSCAPE))
    svg = consumer.write("assets/logo.svg", b"<svg/>")
    before = good.read_bytes(), svg.read_bytes()
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 1, text
    assert "files were modified by this hook" in text
    assert re.search(r"^Fixing assets/hero\.png: SG101: 1281x720 -> 1280x720", text, re.M), text
    assert "assets/good.jpg" not in text
    assert size_of(bad) == LANDSCAPE
    assert (good.read_bytes(), svg.read_bytes()) == before

    proc = consumer.run("--all-files")  # the user re-stages the fixed files
    text = output(proc)
    assert proc.returncode == 0, text
    assert re.search(r"^sora-guard fix\.+Passed$", text, re.M), text


def test_fix_hook_takes_size_and_strategy_args(consumer):
    consumer.configure({"id": "sora-guard-fix", "args": ["--size", "720x1280", "--strategy", "pad"]})
    image = consumer.write("wide.jpg", marker(LANDSCAPE))
    proc = consumer.run("--all-files")
    assert proc.returncode == 1, output(proc)
    assert size_of(image) == PORTRAIT
    assert consumer.run("--all-files").returncode == 0


def test_fix_hook_names_what_it_cannot_fix(consumer):
    consumer.configure({"id": "sora-guard-fix"})
    broken = consumer.write("broken.jpg", b"deliberately not an image")
    for _ in range(2):  # not fixable: it fails every time, and the file is left alone
        proc = consumer.run("--all-files")
        text = output(proc)
        assert proc.returncode == 1, text
        assert re.search(r"^broken\.jpg: SG502 ", text, re.M), text
        assert broken.read_bytes() == b"deliberately not an image"


def test_git_commit_with_the_fix_hook_stops_then_goes_through_after_restaging(consumer):
    consumer.configure({"id": "sora-guard-fix"}, {"id": "sora-guard"})
    image = consumer.write("hero.png", marker((1281, 720)))
    git(consumer.path, "add", "-A")
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=consumer.path,
        env=consumer.env,
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    commit = ["git", "commit", "-m", "hero image"]
    first = subprocess.run(
        commit, cwd=consumer.path, env=consumer.env, capture_output=True, text=True, timeout=600
    )
    assert first.returncode == 1, output(first)
    assert size_of(image) == LANDSCAPE  # fixed in the working tree; the commit did not happen
    assert git(consumer.path, "rev-list", "--all").stdout == ""
    git(consumer.path, "add", "hero.png")
    second = subprocess.run(
        commit, cwd=consumer.path, env=consumer.env, capture_output=True, text=True, timeout=600
    )
    assert second.returncode == 0, output(second)
    assert "hero.png" in git(consumer.path, "show", "--name-only", "HEAD").stdout


# --- the README's snippets, as users paste them ----------------------------------------------


def test_readme_check_snippet(consumer):
    consumer.configure(*readme_hooks("Keep reference images in git"))
    consumer.write("hero.png", marker((1281, 720)))
    text = output(consumer.run("--all-files"))
    assert "hero.png: SG101 [error] 1281x720 does not match the target 1280x720 (veo)" in text


REPOSITORY = "https://github.com/sora-guard/sora-guard"
"""The address the README gives; the tests put this checkout in its place (and nothing else)."""


def readme_block(after: str, lang: str) -> str:
    """The first ``lang`` code block after ``after`` in the README, as its text."""
    readme = (ROOT / "README.md").read_text()
    return re.search(rf"```{lang}\n(.*?)```", readme[readme.index(after) :], re.S).group(1)


def test_readme_setup_works_as_written_autoupdate_install_commit(consumer, hook_rev):
    """The README's .pre-commit-config.yaml, byte for byte but for the repository's address, then its
    commands: ``pre-commit autoupdate --bleeding-edge`` pins ``rev`` to the latest commit (no release is tagged),
    ``pre-commit install``, and a commit with a bad image stops with the diagnostic."""
    config = readme_block("Keep reference images in git", "yaml")
    assert REPOSITORY in config and "rev: main" in config
    (consumer.path / ".pre-commit-config.yaml").write_text(config.replace(REPOSITORY, str(ROOT)))
    commands = [
        line.split("#")[0].strip() for line in readme_block("then, in your repository", "bash").splitlines()
    ]
    assert commands == [
        "python3 -m pip install pre-commit",
        "pre-commit autoupdate --bleeding-edge",
        "pre-commit install",
    ]

    def pre_commit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", *args],
            cwd=consumer.path,
            env=consumer.env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    update = pre_commit("autoupdate", "--bleeding-edge")
    assert update.returncode == 0, output(update)
    pinned = yaml.safe_load((consumer.path / ".pre-commit-config.yaml").read_text())["repos"][0]["rev"]
    assert pinned == hook_rev, output(update)  # the full hash of the latest commit
    assert pre_commit("install").returncode == 0
    image = consumer.write("assets/hero.png", marker((1281, 720)))
    git(consumer.path, "add", "-A")
    commit = ["git", "commit", "-m", "new hero shot"]
    first = subprocess.run(
        commit, cwd=consumer.path, env=consumer.env, capture_output=True, text=True, timeout=600
    )
    text = output(first)
    assert first.returncode == 1, text
    shown = readme_block("Keep reference images in git", "console")  # the README's example, line for line
    assert shown.startswith('$ git commit -m "new hero shot"\n')
    assert shown.split("\n", 1)[1] in text, text
    assert "mutable reference" not in text  # a pinned hash: pre-commit has nothing to warn about
    write(image, marker(LANDSCAPE))
    git(consumer.path, "add", "-A")
    second = subprocess.run(
        commit, cwd=consumer.path, env=consumer.env, capture_output=True, text=True, timeout=600
    )
    assert second.returncode == 0, output(second)


def test_readme_per_folder_snippet(consumer):
    hooks = readme_hooks("Different sizes for different folders")
    assert [h["args"] for h in hooks] == [["--size", "1280x720"], ["--size", "720x1280"]]
    consumer.configure(*hooks)
    consumer.write("assets/landscape/a.jpg", marker(LANDSCAPE))
    consumer.write("assets/portrait/b.PNG", marker(PORTRAIT))
    consumer.write("assets/portrait/notes.bin", bytes(range(256)))
    proc = consumer.run("--all-files")
    assert proc.returncode == 0, output(proc)
    consumer.write("assets/portrait/c.webp", marker(LANDSCAPE))
    proc = consumer.run("--all-files")
    text = output(proc)
    assert proc.returncode == 1
    assert diagnostic_files(text) == {"assets/portrait/c.webp"}
    assert "1280x720 does not match the target 720x1280" in text


def test_github_actions_gets_annotations_through_pre_commit(consumer):
    consumer.configure({"id": "sora-guard"})
    consumer.write("hero.png", marker((1281, 720)))
    text = output(consumer.run("--all-files", env={"GITHUB_ACTIONS": "true"}))
    assert re.search(
        r"^::error file=hero\.png,title=SG101 size-mismatch::1281x720 does not match", text, re.M
    ), text
