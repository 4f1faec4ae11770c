"""Nexus, the Django project.

Importing the package loads nothing: `nexus --help` must not pay for Celery. The Celery app
(nexus.celery) becomes current in nexus.core's ready(), and `celery -A nexus` finds it there.
"""
