"""The `nexus` command: Django's management commands under the project's own name.

Listing the commands (`nexus`, `nexus help`, `nexus --help`) needs only INSTALLED_APPS and each
app's management/commands folder, so it skips django.setup(): loading every app, its models and
its admin takes seconds on a busy machine, and the list is answered in a fraction of one.
Everything else, a command's own `--help` included, goes through Django.
"""

import os
import sys
from collections import defaultdict
from importlib.machinery import PathFinder
from pathlib import Path

PROGRAM = "nexus"
MAIN_HELP_ARGUMENTS: tuple[list[str], ...] = ([], ["help"], ["-h"], ["--help"])
COMMAND_NAMES_ARGUMENTS = ["help", "--commands"]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")
    arguments = sys.argv[1:]
    if (text := quick_help(arguments)) is not None:
        sys.stdout.write(text + "\n")
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line([PROGRAM, *arguments])


def quick_help(arguments: list[str]) -> str | None:
    """Django's main help (or its bare list of commands) for these arguments, without setting
    Django up; None when the arguments ask for something else or the apps cannot be read so."""
    if "DJANGO_AUTO_COMPLETE" in os.environ:  # shell completion is Django's to answer
        return None
    if arguments not in MAIN_HELP_ARGUMENTS and arguments != COMMAND_NAMES_ARGUMENTS:
        return None
    if (commands := commands_without_setup()) is None:
        return None
    if arguments == COMMAND_NAMES_ARGUMENTS:
        return "\n".join(sorted(commands))
    return main_help_text(commands)


def commands_without_setup() -> dict[str, str] | None:
    """Django's get_commands() (command name → app name), read from the apps' folders; None
    when settings do not load or an app is not a plain package found on sys.path."""
    from django.conf import settings
    from django.core import management

    try:
        installed_apps = list(settings.INSTALLED_APPS)
    except Exception:  # Django's own path reports a broken settings module properly
        return None
    commands = dict.fromkeys(management.find_commands(management.__path__[0]), "django.core")
    # Reversed, as Django does: an app listed earlier overrides a later app's command.
    for app_name in reversed(installed_apps):
        if (directory := package_directory(app_name)) is None:
            return None
        commands.update(
            dict.fromkeys(management.find_commands(str(directory / "management")), app_name)
        )
    return commands


def package_directory(dotted_name: str) -> Path | None:
    """Where a package lives, found without importing it or its parents (a parent's __init__
    may load a lot: `nexus` itself used to load Celery)."""
    search_path = None
    parts = dotted_name.split(".")
    for depth in range(1, len(parts) + 1):
        spec = PathFinder.find_spec(".".join(parts[:depth]), search_path)
        if spec is None or not spec.submodule_search_locations:
            return None
        search_path = list(spec.submodule_search_locations)
    return Path(search_path[0]) if search_path else None


def main_help_text(commands: dict[str, str]) -> str:
    """The text of Django's ManagementUtility.main_help_text() for these commands."""
    from django.core.management.color import color_style

    by_app: dict[str, list[str]] = defaultdict(list)
    for name, app_name in commands.items():
        by_app["django" if app_name == "django.core" else app_name.rpartition(".")[-1]].append(name)
    style = color_style()
    lines = [
        "",
        f"Type '{PROGRAM} help <subcommand>' for help on a specific subcommand.",
        "",
        "Available subcommands:",
    ]
    for app_label in sorted(by_app):
        lines += ["", style.NOTICE(f"[{app_label}]")]
        lines += [f"    {name}" for name in sorted(by_app[app_label])]
    return "\n".join(lines)
