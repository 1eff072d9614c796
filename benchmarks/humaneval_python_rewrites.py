"""HumanEval tasks rewritten in Python the way a model asked to rewrite them does.

Written for this project's evaluation suite (not by a script, and not taken from any
published rewriting of HumanEval, which are held out). Unlike the rule-made rewrites of
``qcaudit.contamination.planting`` (every identifier renamed, loops and comprehensions
swapped), each is rewritten as a whole: another function name, the docstring said in other
words with its examples kept (under the new name), the body restructured (a loop for a
comprehension, ``sorted`` for a scan, a helper inlined). Tasks 0, 2, 4, 6, 8 and 12 (even:
in the suite's benchmark) and 1, 3, 5, 7, 9 and 13 (odd: negatives). Written 2026-12-04,
all before any was measured. Keys are task ids.
"""

from __future__ import annotations

REWRITES: dict[str, str] = {
    "HumanEval/0": '''def any_pair_within(values: list, limit: float) -> bool:
    """Return True when some two different entries of values differ by less than limit.
    >>> any_pair_within([1.0, 2.0, 3.0], 0.5)
    False
    >>> any_pair_within([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)
    True
    """
    ordered = sorted(values)
    return any(b - a < limit for a, b in zip(ordered, ordered[1:]))
''',
    "HumanEval/2": '''def fractional_part(x: float) -> float:
    """Split a positive float into its whole part and its decimals, and give back the decimals
    (always below 1).
    >>> fractional_part(3.5)
    0.5
    """
    whole = int(x)
    return x - whole
''',
    "HumanEval/4": '''def mad(data: list) -> float:
    """Compute the mean absolute deviation of data: how far, on average, each value lies from
    the mean of all of them, MAD = average | x - x_mean |.
    >>> mad([1.0, 2.0, 3.0, 4.0])
    1.0
    """
    n = len(data)
    centre = sum(data) / n
    total = 0.0
    for value in data:
        total += abs(value - centre)
    return total / n
''',
    "HumanEval/6": '''def max_nesting_per_group(text: str) -> list:
    """The text holds groups of nested parentheses separated by spaces; for every group, report
    how deeply its parentheses nest. (()()) nests two levels, ((())) three.
    >>> max_nesting_per_group('(()()) ((())) () ((())()())')
    [2, 3, 1, 3]
    """
    depths = []
    for group in text.split():
        level = deepest = 0
        for ch in group:
            level += 1 if ch == '(' else -1
            deepest = max(deepest, level)
        depths.append(deepest)
    return depths
''',
    "HumanEval/8": '''def total_and_product(nums: list) -> tuple:
    """Give back a pair: the sum of all the integers in nums and their product. For an empty
    list the sum is 0 and the product is 1.
    >>> total_and_product([])
    (0, 1)
    >>> total_and_product([1, 2, 3, 4])
    (10, 24)
    """
    from functools import reduce
    return sum(nums), reduce(lambda acc, n: acc * n, nums, 1)
''',
    "HumanEval/12": '''def first_longest(words: list):
    """Pick the longest string from words; when several share the greatest length, the earliest
    one wins, and an empty list gives None.
    >>> first_longest([])

    >>> first_longest(['a', 'b', 'c'])
    'a'
    >>> first_longest(['a', 'bb', 'ccc'])
    'ccc'
    """
    best = None
    for word in words:
        if best is None or len(word) > len(best):
            best = word
    return best
''',
    "HumanEval/1": '''def split_balanced_groups(s: str) -> list:
    """The input holds several groups of balanced, non-nested-in-each-other parentheses; return
    each group as its own string, with spaces dropped.
    >>> split_balanced_groups('( ) (( )) (( )( ))')
    ['()', '(())', '(()())']
    """
    groups, buffer, depth = [], '', 0
    for ch in s.replace(' ', ''):
        buffer += ch
        depth += 1 if ch == '(' else -1
        if depth == 0:
            groups.append(buffer)
            buffer = ''
    return groups
''',
    "HumanEval/3": '''def ever_overdrawn(transactions: list) -> bool:
    """An account starts at zero and goes through a list of deposits and withdrawals; tell
    whether the balance ever drops below zero.
    >>> ever_overdrawn([1, 2, 3])
    False
    >>> ever_overdrawn([1, 2, -4, 5])
    True
    """
    from itertools import accumulate
    return any(total < 0 for total in accumulate(transactions))
''',
    "HumanEval/5": '''def insert_between(items: list, sep: int) -> list:
    """Put sep between each pair of neighbouring elements of items.
    >>> insert_between([], 4)
    []
    >>> insert_between([1, 2, 3], 4)
    [1, 4, 2, 4, 3]
    """
    out = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append(item)
    return out
''',
    "HumanEval/7": '''def containing(words: list, part: str) -> list:
    """Keep only the strings of words in which part occurs.
    >>> containing([], 'a')
    []
    >>> containing(['abc', 'bacd', 'cde', 'array'], 'a')
    ['abc', 'bacd', 'array']
    """
    kept = []
    for word in words:
        if part in word:
            kept.append(word)
    return kept
''',
    "HumanEval/9": '''def running_maximum(seq: list) -> list:
    """For each position in seq, the largest value seen so far.
    >>> running_maximum([1, 2, 3, 2, 3, 4, 2])
    [1, 2, 3, 3, 3, 4, 4]
    """
    from itertools import accumulate
    return list(accumulate(seq, max))
''',
    "HumanEval/13": '''def gcd(x: int, y: int) -> int:
    """The greatest common divisor of the integers x and y.
    >>> gcd(3, 5)
    1
    >>> gcd(25, 15)
    5
    """
    while y != 0:
        x, y = y, x % y
    return x
''',
}
