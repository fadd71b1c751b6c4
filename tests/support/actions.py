"""Run a composite GitHub Action's steps as the runner would: each ``run:`` step with
``bash --noprofile --norc -eo pipefail`` in the workspace, its ``${{ }}`` expressions substituted,
in a faked GitHub environment (``GITHUB_*``, ``RUNNER_TEMP``, a step summary and output files)."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class ActionRun:
    """What running the action gave: each step's exit status, outputs and output, the action's
    outputs (its ``outputs:`` evaluated), and the step summary."""

    statuses: dict[str, int] = field(default_factory=dict)
    step_outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def status(self) -> int:
        """The action's exit status: the first failing step's, else 0."""
        return next((s for s in self.statuses.values() if s), 0)


def read_outputs(path: Path) -> dict[str, str]:
    """A ``$GITHUB_OUTPUT`` file: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    outputs, lines = {}, iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            outputs[name] = "\n".join(iter(lines.__next__, delimiter))
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(
    action: Path, workspace: Path, inputs: dict[str, str], env: dict[str, str], temp: Path
) -> ActionRun:
    """Run the composite action at ``action`` (its folder holds ``action.yml``) on ``workspace``."""
    metadata = yaml.safe_load((action / "action.yml").read_text())
    assert metadata["runs"]["using"] == "composite"
    unknown = set(inputs) - set(metadata["inputs"])
    assert not unknown, f"inputs the action does not take: {unknown}"
    given = {name: str(spec.get("default", "")) for name, spec in metadata["inputs"].items()} | inputs
    done = ActionRun()
    summary = temp / "step_summary.md"
    summary.touch()

    def evaluate(text: str) -> str:
        def one(m: re.Match) -> str:
            parts = m[1].split(".")
            if parts[0] == "inputs" and len(parts) == 2:
                return given[parts[1]]
            if parts == ["github", "action_path"]:
                return str(action)
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                return done.step_outputs.get(parts[1], {}).get(parts[3], "")
            raise AssertionError(f"an expression the test does not emulate: {m[0]}")

        return EXPRESSION.sub(one, text)

    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))},
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp),
        **env,
    }
    for number, step in enumerate(metadata["runs"]["steps"]):
        assert "uses" not in step and step["shell"] == "bash", step
        assert "if" not in step, "a step condition the test does not emulate"
        sid = step.get("id", str(number))
        outputs = temp / f"output_{sid}"
        outputs.touch()
        script = temp / f"step_{sid}.sh"
        script.write_text(evaluate(step["run"]))
        step_env = {name: evaluate(str(value)) for name, value in step.get("env", {}).items()}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env={**base, **step_env, "GITHUB_OUTPUT": str(outputs)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        done.stdout += proc.stdout
        done.stderr += proc.stderr
        done.statuses[sid] = proc.returncode
        done.step_outputs[sid] = read_outputs(outputs)
        if proc.returncode:  # the runner skips the steps after a failing one
            break
    done.outputs = {name: evaluate(spec["value"]) for name, spec in metadata.get("outputs", {}).items()}
    done.summary = summary.read_text()
    return done
