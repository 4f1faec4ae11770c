"""Nexus's apps for their models only: their ready() wires Nexus's events, follows and digests,
which pull in every other app and have no place in a naive build that only reads the tables."""

from nexus.accounts.apps import AccountsConfig
from nexus.challenges.apps import ChallengesConfig
from nexus.core.apps import CoreConfig
from nexus.knowledge.apps import KnowledgeConfig


class Core(CoreConfig):
    def ready(self) -> None:
        pass


class Accounts(AccountsConfig):
    def ready(self) -> None:
        pass


class Knowledge(KnowledgeConfig):
    def ready(self) -> None:
        pass


class Challenges(ChallengesConfig):
    def ready(self) -> None:
        pass
