"""Tasks that never succeed, for the dead-letter tests: a worker loads them with --include.

Each appends a line to the file it is given per try, so a test can count the tries.
"""

import os
import signal
from pathlib import Path

from celery import shared_task

TRIES = 2  # max_retries: three tries in all


def _count_try(tries_file: str) -> None:
    with Path(tries_file).open("a") as file:
        file.write("try\n")


@shared_task(
    name="tests.core.poison_tasks.always_raises",
    autoretry_for=(ValueError,),
    max_retries=TRIES,
    default_retry_delay=0,
)
def always_raises(tries_file: str) -> None:
    _count_try(tries_file)
    raise ValueError("poison: this message can never be processed")


@shared_task(
    name="tests.core.poison_tasks.always_kills_its_process",
    max_retries=TRIES,
    default_retry_delay=0,
)
def always_kills_its_process(tries_file: str) -> None:
    _count_try(tries_file)
    os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
