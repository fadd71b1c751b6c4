"""``sora-guard completion bash|zsh|fish``: each script, loaded in the real shell, completes the
subcommands, their own flags, and the names the registry holds."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sora_guard.cli import COMMANDS, build_parser
from sora_guard.plugins.host import load_registry

BASH = r"""
source "$1"; shift
spec=$(complete -p sora-guard) || exit 3
function=${spec#*-F }; function=${function%% *}
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
"$function" sora-guard "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""
"""Load the script, find the function it registered for sora-guard, and call it as bash would for
the words given (the last one is being completed); print what it offers, one a line."""

ZSH_SETUP = r"""
unsetopt AUTO_LIST LIST_AMBIGUOUS AUTO_MENU BEEP
if [[ $SCRIPT == */_sora-guard ]]; then fpath=(${SCRIPT:h} $fpath); fi
autoload -U compinit && compinit -u -D
if [[ $SCRIPT != */_sora-guard ]]; then source "$SCRIPT"; fi
compadd() { local -a hits; builtin compadd -O hits "$@"; (( $#hits )) && print -r -- "<<${(j:|:)hits}>>"; builtin compadd "$@" }
PROMPT='ZLE''READY> '
"""
"""An interactive zsh with the completion system, the script, and a ``compadd`` that prints what
each completion function offers before offering it."""

ZSH = r"""
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "SCRIPT=${(q)1} source ${(q)2}"
shift 2
integer i=0
for query in "$@"; do
  (( i++ ))
  zpty -r z line '*ZLEREADY> '
  zpty -w -n z "$query"$'\t'$'\x15'"print -r -- END\$(( $i ))"$'\n'
  zpty -r z out "*END$i"$'\r'
  print -r -- "QUERY $query"
  print -rl -- ${(M)${(f)out}:#*<<*>>*}
done
zpty -d z
"""
"""Type each query and TAB in a zsh on a pseudo-terminal, then clear the line; print what was offered."""


@pytest.fixture
def scripts(run_cli, tmp_path) -> dict[str, Path]:
    """Each shell's script, as ``sora-guard completion SHELL`` prints it, in a file."""
    found = {}
    for shell in ("bash", "zsh", "fish"):
        result = run_cli("completion", shell)
        assert result.returncode == 0, result.stderr
        found[shell] = tmp_path / f"sora-guard.{shell}"
        found[shell].write_text(result.stdout)
    return found


def _bash(script: Path, *words: str, cwd: Path | None = None) -> list[str]:
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH, "bash", str(script), "sora-guard", *words],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


def _options(command: str) -> set[str]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {flag for action in sub.choices[command]._actions for flag in action.option_strings}


REGISTRY = load_registry()


def test_bash_completes_the_subcommands(scripts):
    assert _bash(scripts["bash"], "ch") == ["check"]
    assert _bash(scripts["bash"], "") == list(COMMANDS)
    assert _bash(scripts["bash"], "--v") == ["--version"]


def test_bash_completes_a_subcommands_own_flags(scripts):
    assert _bash(scripts["bash"], "check", "--prof") == ["--profile"]
    assert set(_bash(scripts["bash"], "fix", "-")) == _options("fix")
    assert set(_bash(scripts["bash"], "rules", "-")) == _options("rules")
    assert _bash(scripts["bash"], "rules", "--strat") == []  # fix's flag, not the rules command's


def test_bash_completes_values_with_the_registrys_names(scripts):
    profiles = sorted(REGISTRY.profiles)
    assert _bash(scripts["bash"], "check", "--profile", "") == profiles
    assert _bash(scripts["bash"], "check", "--profile", "ve") == [p for p in profiles if p.startswith("ve")]
    assert _bash(scripts["bash"], "check", "--profile", "=", "ve") == _bash(
        scripts["bash"], "check", "--profile", "ve"
    )  # --profile=ve: bash splits the word at '='
    assert set(_bash(scripts["bash"], "fix", "--strategy", "")) == set(REGISTRY.strategies)
    assert set(_bash(scripts["bash"], "check", "--output-format", "")) == set(REGISTRY.reporters)
    assert set(_bash(scripts["bash"], "fix", "--output-format", "")) == {"text", "html", "json"}
    assert _bash(scripts["bash"], "rules", "--output-format", "j") == ["json"]  # argparse's choices
    assert _bash(scripts["bash"], "profiles", "sora") == [p for p in profiles if p.startswith("sora")]
    assert _bash(scripts["bash"], "completion", "") == ["bash", "zsh", "fish"]
    assert _bash(scripts["bash"], "check", "--max-bytes", "") == []  # a number of the user's own


def test_bash_completes_each_item_of_a_comma_separated_list(scripts):
    assert _bash(scripts["bash"], "check", "--select", "SG101,SG40") == [
        f"SG101,{code}" for code in REGISTRY.rules if code.startswith("SG40")
    ]


def test_bash_completes_paths_where_a_command_takes_files(scripts, tmp_path):
    (tmp_path / "photo one.jpg").write_bytes(b"")
    (tmp_path / "photos").mkdir()
    assert _bash(scripts["bash"], "check", "pho", cwd=tmp_path) == ["photo one.jpg", "photos"]
    assert _bash(scripts["bash"], "check", "--config", "pho", cwd=tmp_path) == ["photo one.jpg", "photos"]
    assert _bash(scripts["bash"], "rules", "pho", cwd=tmp_path) == []  # rules takes a rule, not a file


def test_an_unknown_shell_is_a_usage_error(run_cli):
    result = run_cli("completion", "powershell")
    assert result.returncode == 2 and "invalid choice: 'powershell'" in result.stderr


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (.ci/run installs it)")
@pytest.mark.parametrize("loaded", ["sourced", "from fpath"])
def test_zsh_loads_the_script_and_completes_with_it(loaded, scripts, tmp_path):
    check = subprocess.run(["zsh", "-n", str(scripts["zsh"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    script = scripts["zsh"]
    if loaded == "from fpath":  # saved as _sora-guard in a folder of $fpath, autoloaded by compinit
        script = tmp_path / "functions" / "_sora-guard"
        script.parent.mkdir()
        script.write_text(scripts["zsh"].read_text())
    setup = tmp_path / "setup.zsh"
    setup.write_text(ZSH_SETUP)
    queries = [
        "sora-guard ch",
        "sora-guard check --prof",
        "sora-guard check --profile ve",
        "sora-guard fix --output-format=",
        "sora-guard check --select SG101,SG40",
        "sora-guard rules --strat",
    ]
    proc = subprocess.run(
        ["zsh", "-f", "-c", ZSH, "zsh", str(script), str(setup), *queries],
        capture_output=True,
        text=True,
        timeout=60,
    )
    offered: dict[str, set[str]] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("QUERY "):
            query = offered.setdefault(line[6:].rstrip("\r"), set())
        for hits in re.findall(r"<<(.*?)>>", line):
            query |= set(hits.split("|"))
    assert "command not found" not in proc.stdout and "_arguments:" not in proc.stdout, proc.stdout
    assert offered["sora-guard ch"] == {"check"}
    assert offered["sora-guard check --prof"] == {"--profile"}
    assert offered["sora-guard check --profile ve"] == {p for p in REGISTRY.profiles if p.startswith("ve")}
    assert offered["sora-guard fix --output-format="] == {"text", "html", "json"}
    assert offered["sora-guard check --select SG101,SG40"] == {
        c for c in REGISTRY.rules if c.startswith("SG40")
    }
    assert offered["sora-guard rules --strat"] == set()


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed (.ci/run installs it)")
def test_fish_loads_the_script_and_completes_with_it(scripts, tmp_path):
    check = subprocess.run(["fish", "--no-execute", str(scripts["fish"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr

    def complete(line: str) -> set[str]:
        proc = subprocess.run(
            ["fish", "--no-config", "-c", f"source {scripts['fish']}; complete -C '{line}'"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
        assert proc.returncode == 0 and not proc.stderr, proc.stderr
        return {row.split("\t")[0] for row in proc.stdout.splitlines()}

    assert complete("sora-guard ch") == {"check"}
    assert complete("sora-guard check --prof") == {"--profile"}
    assert complete("sora-guard check --profile ve") == {p for p in REGISTRY.profiles if p.startswith("ve")}
    assert complete("sora-guard fix --output-format ") == {"text", "html", "json"}
    assert complete("sora-guard rules --strat") == set()
    (tmp_path / "photo.jpg").write_bytes(b"")
    assert complete("sora-guard check pho") == {"photo.jpg"}
