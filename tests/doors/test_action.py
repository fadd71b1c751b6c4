"""The GitHub Action (``action.yml``), run as the runner runs a composite action: its shell steps in
order, in a faked GitHub environment, on a checkout of real images, with the README's inputs.

The install step is told ``install: "false"``: it uses the ``sora-guard`` on ``PATH``, here a shim
running this checkout (``python -m sora_guard``) that also counts its runs. Installing from the
action's checkout would need the network for the build backend.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import resources
from pathlib import Path

import cmarkgfm
import jsonschema
import pytest
import yaml
from support.actions import run_action
from support.images import animated_gif, corrupt_jpeg, encode, marker, write

from sora_guard import __version__

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()


def _workflow() -> dict:
    """The README's workflow that uses the action."""
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.S)
    found = [yaml.safe_load(b) for b in blocks if "uses: sora-guard/sora-guard@" in b]
    assert len(found) == 1, "the README shows one workflow using the action"
    return found[0]


def _steps() -> list[dict]:
    return next(iter(_workflow()["jobs"].values()))["steps"]


def _action_step() -> dict:
    return next(s for s in _steps() if s.get("uses", "").startswith("sora-guard/sora-guard@"))


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A repository checkout with the README's ``paths`` full of images, some refused by ``veo``."""
    root = tmp_path / "work" / "repo"
    assets = root / _action_step()["with"]["paths"]
    write(assets / "ok.jpg", encode(marker((1280, 720)), "JPEG"))
    write(assets / "portrait.png", encode(marker((720, 1280)), "PNG"))
    write(assets / "broken.jpg", corrupt_jpeg((1280, 720)))
    write(assets / "moving.gif", animated_gif((320, 240)))
    write(assets / "my photo.webp", encode(marker((1280, 720)), "WEBP"))
    write(assets / "clear.png", marker((1280, 720), "RGBA"))
    return root


@pytest.fixture
def shim(tmp_path) -> tuple[Path, Path]:
    """A ``bin`` folder whose ``sora-guard`` runs this checkout and logs each run to the returned file."""
    folder, log = tmp_path / "bin", tmp_path / "runs.log"
    folder.mkdir()
    script = folder / "sora-guard"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{sys.executable}" -m sora_guard "$@"\n')
    script.chmod(0o755)
    return folder, log


def _run(checkout: Path, shim: tuple[Path, Path], tmp_path: Path, **inputs: str):
    temp = tmp_path / "runner-temp"
    temp.mkdir(parents=True)
    env = {"PATH": f"{shim[0]}:{Path(sys.executable).parent}:/usr/bin:/bin"}
    given = {k: str(v) for k, v in _action_step()["with"].items()} | {"install": "false"} | inputs
    return run_action(ROOT, checkout, given, env, temp)


def _expected(run_cli, checkout: Path) -> dict[str, dict[str, str]]:
    """Each file with diagnostics: code -> severity, from the JSON report of the same check."""
    profile = _action_step()["with"]["profile"]
    done = run_cli("check", "--no-cache", "--output-format", "json", "--profile", profile, ".", cwd=checkout)
    files = json.loads(done.stdout)["files"]
    return {
        f["path"]: {d["code"]: d["severity"] for d in f["diagnostics"]} for f in files if f["diagnostics"]
    }


def test_readme_workflow_gets_annotations_sarif_html_and_a_summary_from_one_check(
    run_cli, checkout, shim, tmp_path
):
    expected = _expected(run_cli, checkout)
    failing = {path for path, codes in expected.items() if "error" in codes.values()}
    assert failing == {"assets/broken.jpg", "assets/moving.gif", "assets/my photo.webp"}
    done = _run(checkout, shim, tmp_path)
    assert shim[1].read_text() == "check\n", "one sora-guard run, a check"
    assert done.statuses == {"install": 0, "check": 1}, done.stderr  # errors fail the step
    # an annotation on each failing file, and only on files with diagnostics
    annotated = set(re.findall(r"^::(error|warning) file=([^,]+),", done.stdout, re.M))
    assert {path for level, path in annotated if level == "error"} == failing
    assert {path for _, path in annotated} == set(expected)
    # the outputs name the files the README's later steps upload
    outputs = done.outputs
    assert outputs["exit-code"] == "1"
    uploads = {s["uses"].split("@")[0]: s["with"] for s in _steps() if "upload" in s.get("uses", "")}
    assert uploads["actions/upload-artifact"]["path"] == "${{ steps.images.outputs.html }}"
    assert uploads["github/codeql-action/upload-sarif"]["sarif_file"] == "${{ steps.images.outputs.sarif }}"
    assert _action_step()["id"] == "images"
    for name in ("sarif", "html", "summary"):
        path = Path(outputs[name])
        assert path.is_file() and path.parent == tmp_path / "runner-temp" / "sora-guard", path
    # SARIF: one result per diagnostic, each on its file, with its rule described
    sarif = json.loads(Path(outputs["sarif"]).read_text())
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    results = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
        for r in run["results"]
    }
    assert results == {(path.replace(" ", "%20"), code) for path, codes in expected.items() for code in codes}
    described = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {code for _, code in results} <= described
    # the HTML report: its head says what was checked
    page = Path(outputs["html"]).read_text()
    assert "<dt>Target</dt><dd>veo</dd>" in page and f"sora-guard {__version__}" in page
    assert f"<dd>{checkout}</dd>" in page and "sora-guard check --output-format github" in page
    # the step summary: the same head, then a table row for each diagnostic
    summary = done.summary
    assert summary == Path(outputs["summary"]).read_text()
    assert summary.startswith("## sora-guard check\n\nFound 3 errors")
    assert "- **Target:** veo\n" in summary and f"- **Version:** sora-guard {__version__}\n" in summary
    assert f"- **Folder:** `{checkout}`\n" in summary
    assert re.search(
        r"^- \*\*Command:\*\* `sora-guard check --output-format github -o sarif:\S+", summary, re.M
    )
    assert re.search(r"^- \*\*Date:\*\* \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", summary, re.M)
    assert "**6** files checked · **3** files with errors · **1** file with warnings only" in summary
    rendered = cmarkgfm.github_flavored_markdown_to_html(summary)  # GitHub's own Markdown
    rows = re.findall(r"<tr>\n<td>(.*?)</td>\n<td>(\w+)</td>\n<td>(SG\d+) ", rendered)
    assert {(path, code, level) for path, level, code in rows} == {
        (path, code, level) for path, codes in expected.items() for code, level in codes.items()
    }


def test_errors_can_leave_the_step_green_but_a_usage_error_fails_it(run_cli, checkout, shim, tmp_path):
    passed = _run(checkout, shim, tmp_path / "1", **{"fail-on-error": "false"})
    assert passed.statuses == {"install": 0, "check": 0} and passed.outputs["exit-code"] == "1"
    assert "::error file=assets/broken.jpg," in passed.stdout  # still annotated and reported
    assert "| assets/broken.jpg | error | SG503" in passed.summary
    # a profile that does not exist is a usage error: the step fails, no stale report is handed on
    output_dir = passed.outputs["sarif"].rsplit("/", 1)[0]
    refused = _run(
        checkout,
        shim,
        tmp_path / "2",
        profile="no-such-profile",
        **{"fail-on-error": "false", "output-dir": output_dir},
    )
    assert refused.statuses == {"install": 0, "check": 2} and refused.outputs["exit-code"] == "2"
    assert "no-such-profile" in refused.stderr
    assert not Path(refused.outputs["sarif"]).exists() and refused.summary == ""


def test_paths_and_args_inputs_reach_the_one_check(run_cli, checkout, shim, tmp_path):
    done = _run(checkout, shim, tmp_path, paths="assets/ok.jpg\nassets/clear.png", args="--ignore SG406")
    assert done.statuses == {"install": 0, "check": 0} and done.stdout.strip().endswith(
        "All checks passed: 2 files."
    )
    assert "::warning" not in done.stdout
    assert "--ignore SG406 -- assets/ok.jpg assets/clear.png" in done.summary


def _schema() -> dict:
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "github-actions.json"
    return json.loads(vendored.read_text())


def test_action_metadata_is_valid_against_check_jsonschemas_vendored_schema():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    validator = jsonschema.validators.validator_for(_schema())(_schema())
    assert list(validator.iter_errors(action)) == []
    broken = {**action, "runs": {**action["runs"], "using": "composite-ish"}}
    assert list(validator.iter_errors(broken)), "the schema is checked for real"
    missing_shell = {**action, "runs": {**action["runs"], "steps": [{"run": "true"}]}}
    assert list(validator.iter_errors(missing_shell))
