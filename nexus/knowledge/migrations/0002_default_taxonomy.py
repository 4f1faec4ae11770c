"""The default technology taxonomy; admins and mentors add more from the app."""

from django.db import migrations
from django.utils.text import slugify

TAXONOMY = [
    ("Languages & Frameworks", "languages-frameworks", [
        ("Python", "A general-purpose language with a large standard library."),
        ("Django", "A batteries-included Python web framework."),
    ]),
    ("APIs", "apis", [
        ("REST", "Resource-oriented HTTP APIs."),
        ("GraphQL", "A typed query language for APIs."),
    ]),
    ("DevOps", "devops", [
        ("Docker", "Containers: build, ship and run applications."),
        ("Kubernetes", "Orchestration of containers across machines."),
        ("Jenkins", "An automation server for CI/CD pipelines."),
        ("GitHub Actions", "CI/CD workflows that run on repository events."),
    ]),
    ("Task Management", "task-management", [
        ("Celery", "A distributed task queue for Python."),
        ("RabbitMQ", "A message broker speaking AMQP."),
        ("Cron", "Time-based job scheduling."),
    ]),
    ("Security", "security", [
        ("Firewalls", "Filtering network traffic by rules."),
        ("HTTPS/SSL", "Transport encryption with TLS certificates."),
        ("Authentication & Authorization", "Who you are, and what you may do."),
    ]),
    ("Database & ORM", "database-orm", [
        ("PostgreSQL", "An advanced open-source relational database."),
        ("Django ORM", "Django's object-relational mapper and migrations."),
    ]),
    ("Caching & Queues", "caching-queues", [
        ("Redis", "An in-memory data store for caches, queues and counters."),
    ]),
    ("Monitoring", "monitoring", [
        ("Monitoring", "Metrics, logs, traces and alerts."),
    ]),
]

SLUG_OVERRIDES = {"HTTPS/SSL": "https-ssl", "Authentication & Authorization": "auth"}
RELATED = [
    ("python", "django"),
    ("django", "django-orm"),
    ("django-orm", "postgresql"),
    ("rest", "graphql"),
    ("docker", "kubernetes"),
    ("jenkins", "github-actions"),
    ("celery", "rabbitmq"),
    ("celery", "redis"),
    ("celery", "cron"),
    ("https-ssl", "firewalls"),
    ("auth", "https-ssl"),
]


def add_taxonomy(apps, schema_editor):
    Category = apps.get_model("knowledge", "TechnologyCategory")
    Technology = apps.get_model("knowledge", "Technology")
    for position, (name, slug, technologies) in enumerate(TAXONOMY, start=1):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        for tech_name, description in technologies:
            Technology.objects.get_or_create(
                slug=SLUG_OVERRIDES.get(tech_name, slugify(tech_name)),
                defaults={"name": tech_name, "category": category, "description": description},
            )
    by_slug = {tech.slug: tech for tech in Technology.objects.all()}
    for left, right in RELATED:
        by_slug[left].related.add(by_slug[right])


def remove_taxonomy(apps, schema_editor):
    Category = apps.get_model("knowledge", "TechnologyCategory")
    Technology = apps.get_model("knowledge", "Technology")
    slugs = [slug for _name, slug, _techs in TAXONOMY]
    Technology.objects.filter(category__slug__in=slugs, articles__isnull=True).delete()
    Category.objects.filter(slug__in=slugs, technologies__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(add_taxonomy, remove_taxonomy)]
