"""A stand-in for a release's expand migration, applied under load by test_rolling_restart.py.

It lives outside nexus/ so no real release ever ships it: only the test's `manage.py migrate`
puts it on the path, through the settings module beside it.
"""
