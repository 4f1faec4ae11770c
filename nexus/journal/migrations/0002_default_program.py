"""The default program: four months and six milestones of backend engineering practice."""

from django.db import migrations

SLUG = "prodev-backend-engineering"
TITLE = "ProDev Backend Engineering"
DESCRIPTION = (
    "Sixteen weeks from an empty repository to a deployed, monitored backend: build the "
    "foundations, grow an API, automate and ship it, then bring it all together in a project "
    "of your own."
)
MONTHS = [
    (
        1,
        "Foundation Setup",
        "Set up the tools you will live in: a Python environment, Git habits, a Django project "
        "and its database. Keep notes on every decision, however small.",
        ["python", "django", "django-orm", "postgresql"],
    ),
    (
        2,
        "API Development & Docker",
        "Design resources, write views and endpoints, and put the business rules where they can "
        "be tested. Package the service in a container that starts the same everywhere.",
        ["rest", "docker", "auth"],
    ),
    (
        3,
        "DevOps, GraphQL & Deployment",
        "Move slow work to background workers, offer a GraphQL schema beside REST, automate "
        "the pipeline, deploy, and watch the service once it runs.",
        ["graphql", "celery", "rabbitmq", "redis", "github-actions", "jenkins", "kubernetes",
         "monitoring"],
    ),
    (
        4,
        "Final Project",
        "Plan, build and present a project of your own choosing that uses what the first three "
        "months taught, with a write-up of what you would do differently.",
        ["https-ssl"],
    ),
]
MILESTONES = [
    (1, 1, "Project Setup & DB Configuration",
     "A repository with a reproducible environment, a Django project that starts, and a "
     "PostgreSQL database reached through migrations."),
    (2, 2, "Views and Endpoints",
     "Resources exposed through documented endpoints with input validation, pagination and "
     "tests for the happy path and the errors."),
    (3, 2, "API Logic",
     "Business rules in a service layer, permissions per action, and the service running in "
     "Docker with its database."),
    (4, 3, "Background Tasks",
     "Work that should not block a request runs in Celery workers through a broker, retried "
     "safely and scheduled where it repeats."),
    (5, 3, "Deployment",
     "The service built and deployed by a pipeline to an environment others can reach, with "
     "secrets kept out of the repository."),
    (6, 3, "Monitoring",
     "Health checks, metrics and logs for the deployed service, and an alert that would tell "
     "you it is in trouble."),
]


def add_program(apps, schema_editor):
    Program = apps.get_model("journal", "Program")
    Month = apps.get_model("journal", "ProgramMonth")
    Milestone = apps.get_model("journal", "Milestone")
    Technology = apps.get_model("knowledge", "Technology")
    program, _ = Program.objects.update_or_create(
        slug=SLUG, defaults={"title": TITLE, "description": DESCRIPTION, "is_default": True}
    )
    months = {}
    for number, title, description, topics in MONTHS:
        month, _ = Month.objects.update_or_create(
            program=program, number=number, defaults={"title": title, "description": description}
        )
        month.topics.set(Technology.objects.filter(slug__in=topics))
        months[number] = month
    for number, month_number, title, description in MILESTONES:
        Milestone.objects.update_or_create(
            program=program,
            number=number,
            defaults={"month": months[month_number], "title": title, "description": description},
        )


def remove_program(apps, schema_editor):
    apps.get_model("journal", "Program").objects.filter(slug=SLUG, cohorts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0001_initial"),
        ("knowledge", "0002_default_taxonomy"),
    ]

    operations = [migrations.RunPython(add_program, remove_program)]
