"""Every write to challenges, one module per area; import the functions from here."""

from nexus.challenges.services.challenges import (
    ChallengeDraft,
    challenge_create,
    challenge_set_status,
    challenge_update,
    challenges_create,
    solution_create,
    solution_update,
)
from nexus.challenges.services.changes import challenge_apply_changes
from nexus.challenges.services.comments import comment_create
from nexus.challenges.services.common import (
    BODY_MAX_BYTES,
    MAX_TECHNOLOGIES,
    POINTS_ACCEPTED,
    POINTS_CHALLENGE_UPVOTE,
    POINTS_DOWNVOTE,
    POINTS_SOLUTION_UPVOTE,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
)
from nexus.challenges.services.outdated import (
    solution_flag_outdated,
    solution_mark_reviewed,
    solutions_flag_linking,
)
from nexus.challenges.services.votes import (
    challenge_vote,
    solution_accept,
    solution_unaccept,
    solution_vote,
)

__all__ = [
    "BODY_MAX_BYTES",
    "MAX_TECHNOLOGIES",
    "POINTS_ACCEPTED",
    "POINTS_CHALLENGE_UPVOTE",
    "POINTS_DOWNVOTE",
    "POINTS_SOLUTION_UPVOTE",
    "TITLE_MAX_LENGTH",
    "TITLE_MIN_LENGTH",
    "ChallengeDraft",
    "challenge_apply_changes",
    "challenge_create",
    "challenge_set_status",
    "challenge_update",
    "challenge_vote",
    "challenges_create",
    "comment_create",
    "solution_accept",
    "solution_create",
    "solution_flag_outdated",
    "solution_mark_reviewed",
    "solution_unaccept",
    "solution_update",
    "solution_vote",
    "solutions_flag_linking",
]
