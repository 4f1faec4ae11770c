"""Relevance judgments and metrics (MRR, nDCG@10) for the search relevance tests."""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Judged:
    """A query and how relevant each document is: 2 = what was asked for, 1 = related."""

    query: str
    best: str
    related: str = ""

    def grade(self, title: str) -> int:
        if re.search(self.best, title, re.IGNORECASE):
            return 2
        if self.related and re.search(self.related, title, re.IGNORECASE):
            return 1
        return 0


@dataclass
class Measured:
    name: str
    queries: int
    mrr: float
    ndcg10: float
    misses: list[str]


def dcg(grades: Sequence[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def measure(
    name: str, judged: Sequence[Judged], titles: Sequence[str], ranked: Callable[[str], list[str]]
) -> Measured:
    """Run every query; MRR counts the first relevant hit in the top 10, nDCG@10 the order."""
    reciprocal, ndcg, misses = [], [], []
    for item in judged:
        found = ranked(item.query)[:10]
        grades = [item.grade(title) for title in found]
        first = next((rank for rank, grade in enumerate(grades) if grade), None)
        reciprocal.append(0.0 if first is None else 1 / (first + 1))
        ideal = sorted((item.grade(title) for title in titles), reverse=True)[:10]
        ndcg.append(dcg(grades) / dcg(ideal) if dcg(ideal) else 0.0)
        if first is None:
            misses.append(item.query)
    return Measured(
        name=name,
        queries=len(judged),
        mrr=sum(reciprocal) / len(judged),
        ndcg10=sum(ndcg) / len(judged),
        misses=misses,
    )


SHARED_QUERIES = [
    Judged("caching strategies", r"cach"),
    Judged("redis cache", r"cach"),
    Judged("docker", r"docker|container"),
    Judged("kubernetes container orchestration", r"orchestration|kubernetes", r"docker|container"),
    Judged("ci/cd pipelines", r"ci/cd|pipeline"),
    Judged("github actions continuous integration", r"ci/cd|continuous|pipeline"),
    Judged("graphql", r"graphql"),
    Judged("graphql api architecture", r"graphql"),
    Judged("rest api design", r"api design|rest api", r"\bapi"),
    Judged("authentication and authorization", r"auth"),
    Judged("jwt authentication security", r"auth", r"security"),
    Judged("asynchronous programming", r"asynchronous|async"),
    Judged("celery background tasks", r"asynchronous task|celery|task", r"asynchronous|queue"),
    Judged("message queues rabbitmq", r"queue", r"asynchronous|communication"),
    Judged("cron jobs scheduling", r"cron|scheduling"),
    Judged("database design", r"database (schema )?design", r"database|schema"),
    Judged("entity relationship diagram", r"entity-relationship|erd", r"schema|database"),
    Judged("query optimization", r"query (optimization|performance)|n\+1", r"performance"),
    Judged("n+1 query problem", r"n\+1", r"query"),
    Judged("api rate limiting", r"rate limiting"),
    Judged("swagger api documentation", r"api documentation|swagger", r"documentation"),
    Judged("python decorators", r"decorator"),
    Judged("generators", r"generator"),
    Judged("context managers", r"context manager"),
    Judged("version control", r"version control", r"git"),
    Judged("git commit workflow", r"git commit|commit workflow", r"git|workflow"),
    Judged("system design", r"system design"),
    Judged("networking basics", r"networking"),
    Judged("security", r"security"),
    Judged("software testing", r"test"),
    Judged("deployment issues", r"deploy"),
    Judged("modulenotfounderror during deployment", r"modulenotfounderror", r"deploy"),
    Judged("disallowedhost error", r"disallowedhost"),
    Judged("social media feed backend", r"social media"),
    Judged("online poll system", r"poll"),
    Judged("movie recommendation backend", r"movie"),
    Judged("e-commerce backend", r"e-commerce|ecommerce"),
    Judged("job board", r"job board"),
    Judged("best practices and personal takeaways", r"best practices|takeaways"),
    Judged("challenges and solutions", r"challenge"),
    Judged("collaboration hub", r"collaboration hub", r"collaborat"),
    Judged("month 2 api development docker", r"month 2", r"month"),
    Judged("state prop drilling", r"prop drilling", r"state"),
    Judged("docker container networking", r"docker container networking", r"docker|network"),
    Judged("django framework", r"django"),
    Judged("frontend backend integration", r"frontend.?backend", r"integration"),
    Judged("tailwind css", r"tailwind", r"styling"),
    # Typos: corrected against the vocabulary of titles and technologies.
    Judged("kubernetess", r"kubernetes|orchestration"),
    Judged("asynchronus programming", r"asynchronous"),
    Judged("graphgl", r"graphql"),
]
