"""The `trialscout` command. Each module in this package contributes `commands`; adapters only:
parse options, call the library, print, and turn domain errors into exit codes."""

from __future__ import annotations

import importlib
import pkgutil

import click

from trialscout.cli.common import run_guarded


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trialscout")
def cli() -> None:
    """trialscout: find clinical trials and check eligibility, on your own machine."""


for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name == "common" or _info.name.startswith("_"):
        continue
    for _command in getattr(importlib.import_module(f"{__name__}.{_info.name}"), "commands", []):
        cli.add_command(_command)


def main() -> None:
    run_guarded(cli)
