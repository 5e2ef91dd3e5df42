"""Every CLI command (and sub-command) documents itself; `--help` works for each."""

from __future__ import annotations

import click
from click.testing import CliRunner

from trialscout.cli import cli


def _walk(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _walk(command, (*prefix, name))


def test_every_command_has_help_text_and_runs_help():
    commands = list(_walk(cli))
    names = {" ".join(path) for path, _ in commands}
    assert {
        "ingest",
        "show",
        "stats",
        "search",
        "similar",
        "criteria",
        "summary",
        "match",
        "alerts run",
        "alerts list",
        "alerts subscribe",
        "serve",
        "demo",
    } <= names
    for path, command in commands:
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"
