"""The `trialscout` command. Each module in this package contributes `commands`; adapters only:
parse options, call the library, print, and turn domain errors into exit codes.

Start-up is kept small (issue 13): a command's module (and the library behind it) is imported
only when that command runs; `trialscout --help` imports them all to list their help.
"""

from __future__ import annotations

import importlib

import click

# command name -> the cli module defining it (tests check this against the modules' `commands`)
COMMANDS = {
    "alerts": "alerts",
    "coordinator-add": "serve",
    "criteria": "criteria",
    "demo": "demo",
    "embed": "embed",
    "ingest": "registry",
    "match": "match",
    "screen": "screen",
    "search": "search",
    "serve": "serve",
    "show": "registry",
    "similar": "search",
    "stats": "registry",
    "summary": "summary",
}


def _load(name: str) -> click.Command | None:
    module = COMMANDS.get(name)
    if module is None:
        return None
    commands = importlib.import_module(f"{__name__}.{module}").commands
    return next((c for c in commands if c.name == name), None)


class _LazyCommands(dict):
    """`group.commands[name]` still works: a command is loaded on first lookup."""

    def __missing__(self, name: str) -> click.Command:
        command = _load(name)
        if command is None:
            raise KeyError(name)
        self[name] = command
        return command


class LazyGroup(click.Group):
    """Lists commands from `COMMANDS`; imports a command's module on first use."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        try:
            return self.commands[cmd_name]
        except KeyError:
            return None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trialscout")
def cli() -> None:
    """trialscout: find clinical trials and check eligibility, on your own machine."""


def main() -> None:
    from trialscout.cli.common import run_guarded

    run_guarded(cli)
