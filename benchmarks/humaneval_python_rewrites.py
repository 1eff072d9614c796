"""HumanEval tasks rewritten in Python the way a model asked to rewrite them does.

Written for this project's evaluation suite (not by a script, and not taken from any
published rewriting of HumanEval, which are held out). Unlike the rule-made rewrites of
``qcaudit.contamination.planting`` (every identifier renamed, loops and comprehensions
swapped), each is rewritten as a whole: another function name, the docstring said in other
words with its examples kept (under the new name), the body restructured (a loop for a
comprehension, ``sorted`` for a scan, a helper inlined). Tasks 0 to 9, 12 and 13, then 14
to 25, then 26 to 37; even tasks are in the suite's benchmark, odd ones are negatives. Written 2026-12-04,
each set before any of it was measured. Keys are task ids.
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

    # Second set, tasks 14 to 25, written after verifier v14 was chosen on the first set:
    # its check out of sample.
    "HumanEval/14": """def leading_pieces(text: str) -> list:
    \"\"\"Every prefix of text, from the one-character prefix up to the whole text.
    >>> leading_pieces('abc')
    ['a', 'ab', 'abc']
    \"\"\"
    return [text[:end] for end in range(1, len(text) + 1)]
""",
    "HumanEval/16": """def distinct_letters(word: str) -> int:
    \"\"\"How many different characters word is made of, ignoring upper and lower case.
    >>> distinct_letters('xyzXYZ')
    3
    >>> distinct_letters('Jerry')
    4
    \"\"\"
    seen = set()
    for ch in word:
        seen.add(ch.casefold())
    return len(seen)
""",
    "HumanEval/18": """def overlapping_count(haystack: str, needle: str) -> int:
    \"\"\"Count the occurrences of needle in haystack, overlapping ones included.
    >>> overlapping_count('', 'a')
    0
    >>> overlapping_count('aaa', 'a')
    3
    >>> overlapping_count('aaaa', 'aa')
    3
    \"\"\"
    count, start = 0, haystack.find(needle)
    while start != -1 and needle:
        count += 1
        start = haystack.find(needle, start + 1)
    return count
""",
    "HumanEval/20": """def nearest_pair(values: list) -> tuple:
    \"\"\"Among at least two numbers, return the two that lie closest together, smaller first.
    >>> nearest_pair([1.0, 2.0, 3.0, 4.0, 5.0, 2.2])
    (2.0, 2.2)
    >>> nearest_pair([1.0, 2.0, 3.0, 4.0, 5.0, 2.0])
    (2.0, 2.0)
    \"\"\"
    ordered = sorted(values)
    pairs = zip(ordered, ordered[1:])
    return min(pairs, key=lambda pair: pair[1] - pair[0])
""",
    "HumanEval/22": """def only_ints(items: list) -> list:
    \"\"\"Keep just the integers from a list of arbitrary Python objects.
    >>> only_ints(['a', 3.14, 5])
    [5]
    >>> only_ints([1, 2, 3, 'abc', {}, []])
    [1, 2, 3]
    \"\"\"
    result = []
    for item in items:
        if type(item) is int:
            result.append(item)
    return result
""",
    "HumanEval/24": """def biggest_proper_divisor(num: int) -> int:
    \"\"\"The largest number smaller than num that divides it exactly.
    >>> biggest_proper_divisor(15)
    5
    \"\"\"
    candidate = num - 1
    while num % candidate:
        candidate -= 1
    return candidate
""",
    "HumanEval/15": """def numbers_up_to(limit: int) -> str:
    \"\"\"The numbers 0 through limit, both included, joined by single spaces.
    >>> numbers_up_to(0)
    '0'
    >>> numbers_up_to(5)
    '0 1 2 3 4 5'
    \"\"\"
    out = ''
    for k in range(limit + 1):
        out += (' ' if k else '') + str(k)
    return out
""",
    "HumanEval/17": """def beats_per_note(score: str) -> list:
    \"\"\"Read notes written in a small ASCII notation and return how many beats each one lasts:
    'o' is a whole note (four beats), 'o|' a half note (two), '.|' a quarter note (one).
    >>> beats_per_note('o o| .| o| o| .| .| .| .| o o')
    [4, 2, 1, 2, 2, 1, 1, 1, 1, 4, 4]
    \"\"\"
    lengths = []
    for token in score.split():
        if token == 'o':
            lengths.append(4)
        elif token == 'o|':
            lengths.append(2)
        elif token == '.|':
            lengths.append(1)
    return lengths
""",
    "HumanEval/19": """def order_number_words(words: str) -> str:
    \"\"\"The input is number words from 'zero' to 'nine' separated by spaces; return them sorted
    by the value they name, smallest first.
    >>> order_number_words('three one five')
    'one three five'
    \"\"\"
    names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
    return ' '.join(sorted(words.split(), key=names.index))
""",
    "HumanEval/21": """def normalise_range(data: list) -> list:
    \"\"\"Map the values linearly so that the minimum becomes 0 and the maximum becomes 1 (the list
    has two elements at least).
    >>> normalise_range([1.0, 2.0, 3.0, 4.0, 5.0])
    [0.0, 0.25, 0.5, 0.75, 1.0]
    \"\"\"
    low, high = min(data), max(data)
    span = high - low
    return [(value - low) / span for value in data]
""",
    "HumanEval/23": """def length_of(text: str) -> int:
    \"\"\"How many characters text has.
    >>> length_of('')
    0
    >>> length_of('abc')
    3
    \"\"\"
    total = 0
    for _ in text:
        total += 1
    return total
""",
    "HumanEval/25": """def prime_factors(value: int) -> list:
    \"\"\"The prime factors of value in increasing order, each repeated as often as it divides
    value, so that their product is value.
    >>> prime_factors(8)
    [2, 2, 2]
    >>> prime_factors(25)
    [5, 5]
    >>> prime_factors(70)
    [2, 5, 7]
    \"\"\"
    factors, divisor = [], 2
    while divisor * divisor <= value:
        while value % divisor == 0:
            factors.append(divisor)
            value //= divisor
        divisor += 1
    if value > 1:
        factors.append(value)
    return factors
""",

    # Third set, tasks 26 to 37, written before verifier v15 (examples' quoted strings) was
    # measured on it: its check out of sample.
    "HumanEval/26": """def drop_repeated(values: list) -> list:
    \"\"\"Remove every integer that appears more than once, keeping the others in their order.
    >>> drop_repeated([1, 2, 3, 2, 4])
    [1, 3, 4]
    \"\"\"
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return [v for v in values if counts[v] == 1]
""",
    "HumanEval/28": """def join_all(parts: list) -> str:
    \"\"\"Glue a list of strings together into one string.
    >>> join_all([])
    ''
    >>> join_all(['a', 'b', 'c'])
    'abc'
    \"\"\"
    out = ''
    for part in parts:
        out += part
    return out
""",
    "HumanEval/30": """def positives_only(nums: list) -> list:
    \"\"\"Give back the numbers of nums that are greater than zero.
    >>> positives_only([-1, 2, -4, 5, 6])
    [2, 5, 6]
    >>> positives_only([5, 3, -5, 2, -3, 3, 9, 0, 123, 1, -10])
    [5, 3, 2, 3, 9, 123, 1]
    \"\"\"
    return list(filter(lambda value: value > 0, nums))
""",
    "HumanEval/32": """import math


def evaluate(coeffs: list, x: float) -> float:
    \"\"\"Value at x of the polynomial whose coefficients, lowest degree first, are coeffs.\"\"\"
    return sum(c * math.pow(x, k) for k, c in enumerate(coeffs))


def root_of(coeffs: list) -> float:
    \"\"\"Return one x where the polynomial with these coefficients is zero. Only lists with an even
    number of coefficients whose largest coefficient is non-zero are given, so a root exists.
    >>> round(root_of([1, 2]), 2) # f(x) = 1 + 2x
    -0.5
    >>> round(root_of([-6, 11, -6, 1]), 2) # (x - 1) * (x - 2) * (x - 3) = -6 + 11x - 6x^2 + x^3
    1.0
    \"\"\"
    lo, hi = -1.0, 1.0
    while evaluate(coeffs, lo) * evaluate(coeffs, hi) > 0:
        lo, hi = lo * 2, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if evaluate(coeffs, mid) * evaluate(coeffs, lo) > 0:
            lo = mid
        else:
            hi = mid
    return lo
""",
    "HumanEval/34": """def sorted_distinct(items: list) -> list:
    \"\"\"The distinct elements of items, in increasing order.
    >>> sorted_distinct([5, 3, 5, 2, 3, 3, 9, 0, 123])
    [0, 2, 3, 5, 9, 123]
    \"\"\"
    result = []
    for item in sorted(items):
        if not result or result[-1] != item:
            result.append(item)
    return result
""",
    "HumanEval/36": """def sevens_in_multiples(limit: int) -> int:
    \"\"\"Count how often the digit 7 occurs in the integers below limit that are multiples of 11 or 13.
    >>> sevens_in_multiples(50)
    0
    >>> sevens_in_multiples(78)
    2
    >>> sevens_in_multiples(79)
    3
    \"\"\"
    return sum(str(k).count('7') for k in range(limit) if k % 11 == 0 or k % 13 == 0)
""",
    "HumanEval/27": """def invert_case(text: str) -> str:
    \"\"\"Turn lower-case letters of text into upper case and upper-case letters into lower case.
    >>> invert_case('Hello')
    'hELLO'
    \"\"\"
    return ''.join(ch.lower() if ch.isupper() else ch.upper() for ch in text)
""",
    "HumanEval/29": """def starting_with(words: list, start: str) -> list:
    \"\"\"Keep the strings of words that begin with start.
    >>> starting_with([], 'a')
    []
    >>> starting_with(['abc', 'bcd', 'cde', 'array'], 'a')
    ['abc', 'array']
    \"\"\"
    kept = []
    for word in words:
        if word[:len(start)] == start:
            kept.append(word)
    return kept
""",
    "HumanEval/31": """def prime(n: int) -> bool:
    \"\"\"Tell whether n is a prime number.
    >>> prime(6)
    False
    >>> prime(101)
    True
    >>> prime(11)
    True
    >>> prime(13441)
    True
    >>> prime(61)
    True
    >>> prime(4)
    False
    >>> prime(1)
    False
    \"\"\"
    if n < 2:
        return False
    k = 2
    while k * k <= n:
        if n % k == 0:
            return False
        k += 1
    return True
""",
    "HumanEval/33": """def sort_every_third(values: list) -> list:
    \"\"\"Return a copy of values in which the entries at indices divisible by three are sorted among
    themselves and every other entry stays where it was.
    >>> sort_every_third([1, 2, 3])
    [1, 2, 3]
    >>> sort_every_third([5, 6, 3, 4, 8, 9, 2])
    [2, 6, 3, 4, 8, 9, 5]
    \"\"\"
    picked = sorted(values[i] for i in range(0, len(values), 3))
    out = list(values)
    for slot, value in zip(range(0, len(values), 3), picked):
        out[slot] = value
    return out
""",
    "HumanEval/35": """def largest(items: list):
    \"\"\"The biggest element of items.
    >>> largest([1, 2, 3])
    3
    >>> largest([5, 3, -5, 2, -3, 3, 9, 0, 123, 1, -10])
    123
    \"\"\"
    from functools import reduce
    return reduce(lambda a, b: a if a > b else b, items)
""",
    "HumanEval/37": """def sort_even_positions(values: list) -> list:
    \"\"\"Return values with the entries at even indices sorted among themselves and the entries
    at odd indices left in place.
    >>> sort_even_positions([1, 2, 3])
    [1, 2, 3]
    >>> sort_even_positions([5, 6, 3, 4])
    [3, 6, 5, 4]
    \"\"\"
    out = list(values)
    out[::2] = sorted(values[::2])
    return out
""",
}
