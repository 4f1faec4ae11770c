"""Common other names of the shipped technologies, so search finds them by either."""

from django.db import migrations

# alias -> technology slug; an alias whose technology is not in the taxonomy is skipped.
ALIASES = {
    "postgres": "postgresql",
    "pg": "postgresql",
    "psql": "postgresql",
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "js": "javascript",
    "ts": "typescript",
    "gh actions": "github-actions",
    "gha": "github-actions",
    "drf": "django-rest-framework",
    "mq": "rabbitmq",
    "rabbit": "rabbitmq",
}


def add_aliases(apps, schema_editor):
    Technology = apps.get_model("knowledge", "Technology")
    TechnologyAlias = apps.get_model("knowledge", "TechnologyAlias")
    by_slug = {tech.slug: tech for tech in Technology.objects.filter(slug__in=ALIASES.values())}
    for alias, slug in ALIASES.items():
        if slug in by_slug:
            TechnologyAlias.objects.get_or_create(alias=alias, defaults={"technology": by_slug[slug]})


def remove_aliases(apps, schema_editor):
    TechnologyAlias = apps.get_model("knowledge", "TechnologyAlias")
    TechnologyAlias.objects.filter(alias__in=ALIASES).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_technology_alias")]

    operations = [migrations.RunPython(add_aliases, remove_aliases)]
