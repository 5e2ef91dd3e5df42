"""Every CLI command (and sub-command) documents itself; `--help` works for each."""

from __future__ import annotations

import click
from click.testing import CliRunner

from trialscout.cli import cli


def _walk(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top group loads its commands lazily
        command = group.get_command(ctx, name)
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


def test_lazy_command_table_matches_the_modules():
    """`trialscout` imports a command's module only when it runs: the static table must name
    every command each cli module defines, and nothing else."""
    import importlib
    import pkgutil

    import trialscout.cli as package
    from trialscout.cli import COMMANDS

    defined = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name == "common" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"trialscout.cli.{info.name}")
        for command in getattr(module, "commands", []):
            defined[command.name] = info.name
    assert defined == COMMANDS


def test_running_a_command_does_not_import_the_others():
    import subprocess
    import sys

    code = (
        "import sys\nfrom trialscout.cli import cli\n"
        "try:\n    cli(['search', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('trialscout.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip().splitlines()[-1]
    assert "trialscout.cli.search" in loaded
    for other in ("trialscout.cli.match", "trialscout.cli.serve", "trialscout.cli.alerts"):
        assert other not in loaded
