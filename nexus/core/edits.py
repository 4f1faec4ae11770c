"""Edit distance between two words, for typo tolerance (search's did-you-mean, the importer's
misspelt section headings)."""


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), or
    `limit + 1` as soon as it is known to exceed `limit`."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    # An edit adds or removes at most two distinct letters (a swap none): most pairs of words
    # are told apart here, without the table.
    if len(set(first) ^ set(second)) > 2 * limit:
        return limit + 1
    previous_row: list[int] = []
    row = list(range(len(second) + 1))
    for i, letter in enumerate(first, start=1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            cost = 0 if letter == other else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
    return min(row[-1], limit + 1)
