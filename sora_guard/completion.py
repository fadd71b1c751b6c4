"""``sora-guard completion bash|zsh|fish``: a shell completion script made from the command line's own
argparse definition, with the installed plugins' profile, strategy, format and rule names."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sora_guard.plugins.host import Registry

__all__ = ["SHELLS", "script"]

SHELLS = ("bash", "zsh", "fish")
PROG = "sora-guard"
FUNCTION = "_sora_guard"


@dataclass(frozen=True)
class Argument:
    """One option (``flags``) or positional argument (no flags) of a command, as a shell completes it."""

    flags: tuple[str, ...]
    help: str
    metavar: str
    nargs: str | int | None
    """argparse's: 0 for a flag without a value, None for one value, ``?`` or ``*`` for optional ones."""
    values: tuple[str, ...] = ()
    """The words a value may be; none for a value of the user's own (or a path)."""
    files: str = ""
    """``file`` or ``dir`` when the value is a path."""

    @property
    def takes_value(self) -> bool:
        return self.nargs != 0

    @property
    def listed(self) -> bool:
        """True when the value is a comma-separated list (``CODE,...``): each item is completed."""
        return self.metavar.endswith(",...")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: tuple[Argument, ...]

    @property
    def options(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.flags)

    @property
    def positional(self) -> Argument | None:
        return next((a for a in self.arguments if not a.flags), None)


def script(shell: str, parser: argparse.ArgumentParser, registry: Registry) -> str:
    """The completion script for ``shell`` of the command line ``parser`` defines (every subcommand
    built), offering the names ``registry`` holds where an argument takes one."""
    top, commands = _commands(parser, lambda command: _values(registry, command))
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](top, commands)


def _values(registry: Registry, command: str) -> dict[str, Sequence[str]]:
    """The words an argument of ``command`` may be, by its ``dest``: what the registry names, the
    executors. ``fix`` writes ``text`` (its own lines) or a report of a reporter that takes fixes."""
    from sora_guard.config.schema import NAMED
    from sora_guard.run.executors import EXECUTORS

    named = {key.replace("-", "_"): sorted(getattr(registry, attribute)) for key, attribute in NAMED.items()}
    if command == "fix":
        named["output_format"] = ["text", *sorted(registry.fix_reporters)]
    codes = sorted(registry.rules)
    selectors = dict.fromkeys(("select", "ignore", "extend_select"), ["ALL", *codes])
    return {**named, **selectors, "name": named["profile"], "code": codes, "executor": EXECUTORS}


def _commands(
    parser: argparse.ArgumentParser, values: Callable[[str], Mapping[str, Sequence[str]]]
) -> tuple[Command, list[Command]]:
    """The top level (its options) and each subcommand, in the parser's order; ``values(command)``
    gives the words each argument of ``command`` may be, by its ``dest``."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    summaries = {choice.dest: choice.help or "" for choice in sub._choices_actions}
    top = Command(PROG, parser.description or "", tuple(_arguments(parser, {})))
    commands = [
        Command(name, summaries.get(name, ""), tuple(_arguments(command, values(name))))
        for name, command in sub.choices.items()
    ]
    return top, commands


def _arguments(parser: argparse.ArgumentParser, values: Mapping[str, Sequence[str]]) -> list[Argument]:
    found = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        takes_value = action.nargs != 0
        metavar = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
        path = action.type is Path or metavar in ("FILE", "DIR", "PATH", "IMAGE")
        found.append(
            Argument(
                flags=tuple(action.option_strings),
                help=" ".join((action.help or "").split()),
                metavar=metavar,
                nargs=action.nargs,
                values=tuple(action.choices or values.get(action.dest, ())) if takes_value else (),
                files=("dir" if metavar == "DIR" else "file") if takes_value and path else "",
            )
        )
    return found


def _words(words: Sequence[str]) -> str:
    return shlex.quote(" ".join(words))


def _bash(top: Command, commands: list[Command]) -> str:
    def complete(argument: Argument) -> str:
        if argument.values:
            return f"_sora_guard_words {_words(argument.values)}{' ,' if argument.listed else ''}"
        if argument.files:
            return f"_sora_guard_paths {'-d' if argument.files == 'dir' else '-f'}"
        return ":"  # a value of the user's own

    cases = []
    for command in commands:
        groups: dict[str, list[str]] = {}  # options completed alike, in one pattern
        for option in command.options:
            if option.takes_value:
                groups.setdefault(complete(option), []).extend(option.flags)
        values = "".join(
            f"                {'|'.join(flags)}) {'' if action == ':' else action + '; '}return ;;\n"
            for action, flags in groups.items()
        )
        flags = _words([flag for option in command.options for flag in option.flags])
        positional = complete(command.positional) if command.positional else ":"
        cases.append(
            f"        {command.name})\n"
            + (f"            case $prev in\n{values}            esac\n" if values else "")
            + f"            if [[ $cur == -* ]]; then _sora_guard_words {flags}\n"
            f"            else {positional}; fi ;;\n"
        )
    names = _words([c.name for c in commands])
    top_flags = _words([flag for option in top.options for flag in option.flags])
    return f"""\
# bash completion for {PROG}, made from its arguments by `{PROG} completion bash`.
# Save it as ~/.local/share/bash-completion/completions/{PROG}, or eval it from ~/.bashrc.

_sora_guard_paths() {{
    compopt -o filenames 2>/dev/null
    local IFS=$'\\n'
    COMPREPLY=($(compgen "$1" -- "$cur"))
}}

_sora_guard_words() {{  # WORDS [,]: one of WORDS, or with ',' the item after the last comma
    local item=$cur
    if [[ -n $2 ]]; then
        item=${{cur##*,}}
        compopt -o nospace 2>/dev/null
    fi
    COMPREPLY=($(compgen -P "${{cur%"$item"}}" -W "$1" -- "$item"))
}}

{FUNCTION}() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} command= i
    COMPREPLY=()
    # --flag=value: bash splits the word at '='
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
        prev=${{COMP_WORDS[COMP_CWORD-2]}}
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${{COMP_WORDS[i]}} != -* ]]; then command=${{COMP_WORDS[i]}}; break; fi
    done
    case $command in
{"".join(cases)}        *)
            if [[ $cur == -* ]]; then _sora_guard_words {top_flags}
            else _sora_guard_words {names}; fi ;;
    esac
}}

complete -F {FUNCTION} {PROG}
"""


def _zsh(top: Command, commands: list[Command]) -> str:
    def action(argument: Argument) -> str:
        """``:MESSAGE:ACTION``, what _arguments completes a value with."""
        if argument.values and argument.listed:
            words = f"_values -s , {shlex.quote(argument.metavar)} " + " ".join(
                shlex.quote(_escape(v, "\\:[]")) for v in argument.values
            )
        elif argument.values:
            words = "(" + " ".join(_escape(v, "\\:() ") for v in argument.values) + ")"
        elif argument.files:
            words = "_files -/" if argument.files == "dir" else "_files"
        else:
            words = " "  # a value of the user's own: the message alone
        return f":{_escape(argument.metavar, ':')}:{words}"

    def specs(argument: Argument) -> list[str]:
        if not argument.flags:
            many = {"*": "*", "+": "*", "?": ":"}.get(str(argument.nargs), "")
            return [shlex.quote(many + action(argument))]
        about = "[" + _escape(argument.help, "\\[]") + "]"
        value = action(argument) if argument.takes_value else ""
        alone = {"-h", "--help", "--version"} & set(argument.flags)
        exclusive = "(- *)" if alone else f"({' '.join(argument.flags)})" if len(argument.flags) > 1 else ""
        return [
            shlex.quote(
                f"{exclusive}{flag}{('=' if flag.startswith('--') else '+') if value else ''}{about}{value}"
            )
            for flag in argument.flags
        ]

    def arguments(command: Command) -> str:
        return " \\\n                        ".join(s for a in command.arguments for s in specs(a))

    cases = "".join(
        f"                {command.name})\n                    _arguments -s \\\n                        "
        f"{arguments(command)} ;;\n"
        for command in commands
    )
    described = " ".join(shlex.quote(f"{_escape(c.name, ':')}:{c.help}") for c in commands)
    top_specs = " \\\n        ".join(s for a in top.options for s in specs(a))
    return f"""\
#compdef {PROG}
# zsh completion for {PROG}, made from its arguments by `{PROG} completion zsh`.
# Save it as _{PROG} in a folder of your $fpath, or eval it from ~/.zshrc after compinit.

{FUNCTION}() {{
    local curcontext=$curcontext state line
    typeset -A opt_args
    _arguments -C \\
        {top_specs} \\
        '1: :->command' \\
        '*:: :->argument' && return
    case $state in
        command)
            local -a commands=({described})
            _describe -t commands '{PROG} command' commands ;;
        argument)
            case $line[1] in
{cases}            esac ;;
    esac
}}

if [[ $funcstack[1] == _{PROG} ]]; then  # autoloaded from $fpath: complete
    {FUNCTION} "$@"
else  # sourced: register
    compdef {FUNCTION} {PROG}
fi
"""


def _fish(top: Command, commands: list[Command]) -> str:
    def line(condition: str, argument: Argument) -> str:
        parts = [f"complete -c {PROG} -n {_fish_quote(condition)}"]
        for flag in argument.flags:
            parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
        if argument.takes_value:
            if argument.files:
                parts.append("-r -F")
            else:
                parts.append("-x")
            if argument.values:
                parts.append(f"-a {_fish_quote(' '.join(argument.values))}")
        if argument.help:
            parts.append(f"-d {_fish_quote(argument.help)}")
        return " ".join(parts)

    lines = [f"complete -c {PROG} -f"]
    lines += [line("__fish_use_subcommand", option) for option in top.options]
    lines += [
        f"complete -c {PROG} -n __fish_use_subcommand -a {c.name} -d {_fish_quote(c.help)}" for c in commands
    ]
    for command in commands:
        seen = f"__fish_seen_subcommand_from {command.name}"
        lines += [line(seen, option) for option in command.options]
        positional = command.positional
        if positional is not None and positional.files:
            lines.append(f"complete -c {PROG} -n {_fish_quote(seen)} -F")
        elif positional is not None and positional.values:
            lines.append(
                f"complete -c {PROG} -n {_fish_quote(seen)} -a {_fish_quote(' '.join(positional.values))}"
            )
    body = "\n".join(lines)
    return f"""\
# fish completion for {PROG}, made from its arguments by `{PROG} completion fish`.
# Save it as ~/.config/fish/completions/{PROG}.fish.

{body}
"""


def _escape(text: str, characters: str) -> str:
    """``text`` with each of ``characters`` behind a backslash (``\\`` first, when it is one)."""
    for c in sorted(characters, key=lambda c: c != "\\"):
        text = text.replace(c, "\\" + c)
    return text


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
