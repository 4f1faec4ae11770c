"""Runs a Python module's command line on the suite's clock, for processes a test starts.

`python -m tests.on_suite_clock celery -A nexus worker …` is `python -m celery -A nexus worker …`
living at the moment NEXUS_TEST_CLOCK names (tests/clock.py), the clock ticking from there. A
process sharing the test database has to share the test's day too: otherwise a row the test dates
"two minutes ago" on a shifted day lies weeks in the worker's future. `subprocess_environment()`
gives the environment to start it with.
"""

import datetime as dt
import os
import runpy
import sys

import time_machine

from tests import clock


def subprocess_environment() -> dict[str, str]:
    """os.environ, with the suite clock (when it is shifted) set to this process's present moment."""
    environment = dict(os.environ)
    if environment.get(clock.CLOCK_VARIABLE):
        environment[clock.CLOCK_VARIABLE] = dt.datetime.now(dt.UTC).isoformat()
    return environment


def main() -> None:
    module, *arguments = sys.argv[1:]
    if (chosen := clock.suite_moment()) is not None:
        time_machine.travel(chosen[0], tick=True).start()
    sys.argv = [module, *arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
