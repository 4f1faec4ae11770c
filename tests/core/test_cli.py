"""`nexus`, `nexus --help`: the list of commands without setting Django up, and no heavy import.

Each case runs the command in a fresh interpreter: what a module imports is only visible there.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import ManagementUtility

from nexus import cli

ROOT = Path(__file__).resolve().parents[2]
# What `nexus --help` must not load: each costs from a tenth of a second to seconds on a busy
# machine, and django.setup() (the apps, their models and admin) brings all of them.
HEAVY = (
    "celery",
    "kombu",
    "redis",
    "strawberry",
    "strawberry_django",
    "graphql",
    "django.contrib.gis",
    "openapi_spec_validator",
    "jsonschema",
    "rest_framework",
    "nexus.graphql",
    "nexus.celery",
    "django.contrib.admin",
)
# Runs `nexus <arguments>`, then reports on stderr which modules it loaded and whether the apps
# were set up.
REPORT_MODULES = """
import json, sys
from django.apps import apps
from nexus.cli import main
sys.argv = ["nexus", *sys.argv[1:]]
try:
    main()
finally:  # argparse ends a command's --help with sys.exit
    report = {"loaded": sorted(sys.modules), "apps_ready": apps.apps_ready}
    print(json.dumps(report), file=sys.stderr)
"""


def run_nexus(*arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nexus.settings"}
    env.pop("DJANGO_AUTO_COMPLETE", None)
    return subprocess.run(
        [sys.executable, "-c", REPORT_MODULES, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def loaded_modules(result: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("arguments", [(), ("help",), ("--help",), ("-h",)])
def test_help_lists_every_command_without_setting_django_up(arguments):
    result = run_nexus(*arguments)
    assert "Type 'nexus help <subcommand>' for help on a specific subcommand." in result.stdout
    for section, command in [
        ("[importer]", "import"),
        ("[importer]", "load_demo"),
        ("[core]", "serve"),
        ("[core]", "export_schema"),
        ("[django]", "migrate"),
        ("[runserver_nostatic]", "runserver"),
    ]:
        assert section in result.stdout
        assert f"\n    {command}\n" in result.stdout
    report = loaded_modules(result)
    assert report["apps_ready"] is False
    heavy = [m for m in report["loaded"] if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    assert heavy == []
    assert sorted(m for m in report["loaded"] if m.startswith("nexus.")) == [
        "nexus.cli",
        "nexus.settings",
    ]


def test_help_is_the_text_django_prints_itself(settings):
    """Same commands, same sections and order: Django's main help once every app is loaded."""
    commands = cli.commands_without_setup()
    assert commands is not None
    django_help = ManagementUtility(["nexus"]).main_help_text()
    assert cli.main_help_text(commands) == django_help


def test_command_names_only_lists_each_command_once():
    result = run_nexus("help", "--commands")
    names = result.stdout.split()
    assert names == sorted(set(names))
    assert {"import", "load_demo", "serve", "migrate", "export_schema"} <= set(names)
    assert loaded_modules(result)["apps_ready"] is False


def test_a_command_s_own_help_still_goes_through_django():
    result = run_nexus("import", "--help")
    assert "usage: nexus import" in result.stdout
    assert "--dry-run" in result.stdout
    # Setting Django up no longer loads the GraphQL stack, GeoDjango or strawberry_django.
    loaded = loaded_modules(result)["loaded"]
    assert [
        m for m in loaded if m.startswith(("strawberry", "graphql", "django.contrib.gis"))
    ] == []


def test_only_plain_packages_are_read_without_django_the_rest_falls_back_to_it():
    # An AppConfig's dotted path, or a package found only by an import hook, is left to Django.
    assert cli.package_directory("nexus.core.apps.CoreConfig") is None
    assert cli.package_directory("nexus.core.apps") is None
    assert cli.package_directory("no_such_package") is None
    assert cli.quick_help(["import", "--help"]) is None
    assert cli.package_directory("nexus.core") == ROOT / "nexus" / "core"
