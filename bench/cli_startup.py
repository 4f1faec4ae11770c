"""How long `nexus --help` takes, against the interpreter's floor and a bare django.setup().

Each case is a fresh process, run in interleaved rounds so that a busy moment of the machine
falls on every case alike. The limit (issue #16) is 1 s for `nexus --help`.

    .venv/bin/python bench/cli_startup.py [--runs 10]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
NEXUS = str(Path(PYTHON).parent / "nexus")
LIMIT_SECONDS = 1.0
BARE_SETUP = (
    "import django; from django.conf import settings; "
    "settings.configure(INSTALLED_APPS=['django.contrib.contenttypes', 'django.contrib.auth']); "
    "django.setup()"
)
# What `nexus --help` did before it listed the commands without Django: set every app up first.
HELP_AFTER_SETUP = (
    "from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['nexus', '--help'])"
)
CASES = [
    ("python -c pass (floor)", [PYTHON, "-c", "pass"]),
    ("django.setup(), bare settings (naive)", [PYTHON, "-c", BARE_SETUP]),
    ("nexus --help", [NEXUS, "--help"]),
    ("nexus (no arguments)", [NEXUS]),
    ("nexus --help after django.setup()", [PYTHON, "-c", HELP_AFTER_SETUP]),
    ("nexus import --help", [NEXUS, "import", "--help"]),
]


def run_once(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="rounds over every case")
    runs = parser.parse_args().runs
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nexus.settings"}
    # Measured as installed and used once: bytecode written, whatever the caller's environment.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for _name, command in CASES:
        run_once(command, env)
    timings: dict[str, list[float]] = {name: [] for name, _command in CASES}
    for _round in range(runs):
        for name, command in CASES:
            timings[name].append(run_once(command, env))

    floor = statistics.median(timings[CASES[0][0]])
    print(f"CLI start-up, {runs} rounds, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(f"{'case':40} {'median s':>9} {'min s':>7} {'max s':>7} {'x floor':>8}  within 1 s")
    for name, values in timings.items():
        median = statistics.median(values)
        verdict = "yes" if median < LIMIT_SECONDS else "no"
        print(
            f"{name:40} {median:9.3f} {min(values):7.3f} {max(values):7.3f} "
            f"{median / floor:8.1f}  {verdict}"
        )
    help_median = statistics.median(timings["nexus --help"])
    print(f"limit: nexus --help under {LIMIT_SECONDS:.1f} s -> {help_median:.3f} s median")
    if help_median >= LIMIT_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
