"""The topology's own settings plus the probe app, for the test's migrate commands only: the
running replicas never load it, as old code in a release does not know the new migration."""

from nexus.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.deploy.rollout_probe"]  # noqa: F405
