"""The bounded edit distance gives what the whole table gives, its shortcuts included."""

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus.core.edits import edit_distance

# Few letters, so that near misses (the cases the shortcuts must not cut) are common.
WORDS = st.text(alphabet="abcdeé", max_size=9)


def full_table_distance(first: str, second: str) -> int:
    """Optimal string alignment over the whole table, without any early exit."""
    rows = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i in range(len(first) + 1):
        rows[i][0] = i
    for j in range(len(second) + 1):
        rows[0][j] = j
    for i in range(1, len(first) + 1):
        for j in range(1, len(second) + 1):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


@settings(max_examples=2000, deadline=None)
@given(first=WORDS, second=WORDS, limit=st.integers(min_value=0, max_value=3))
def test_the_bounded_distance_is_the_full_tables_up_to_its_limit(first, second, limit):
    assert edit_distance(first, second, limit) == min(full_table_distance(first, second), limit + 1)


def test_words_of_different_letters_are_told_apart_and_a_swap_is_one_edit():
    assert edit_distance("technologies", "challenges", 2) == 3
    assert edit_distance("chalelnges", "challenges", 2) == 1
    assert edit_distance("abcd", "wxyz", 3) == 4
