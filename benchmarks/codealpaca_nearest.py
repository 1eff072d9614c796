"""Each HumanEval task's nearest Code Alpaca row, judged by hand as LLM Decontaminator's judge is asked.

LLM Decontaminator (Yang et al. 2023) finds, for each test item, its nearest training rows by
embedding, and asks GPT-4 whether the two programs "address the same problem", considering
"only their objectives, inputs, and outputs" and disregarding how they are implemented. The
issue's held-out code case is built that way (the rows its judge confirmed, and the nearest
rows it rejected). This is the same protocol on data of our own: for each of HumanEval's 164
tasks, the one row of ``corpora/codealpaca_4k.json`` (instruction, input and output as one
text) whose vector is nearest to the task's prompt, with the default encoder (onnx-int8,
2026-12-04), read by hand beside the task and labelled once by reading the pair:

- ``SAME``: the row's program has the task's objective, inputs and outputs (the language, a
  function's name and a fixed example input aside): GCD, string length, median, the largest
  prime factor, removing vowels, ... 18 tasks.
- ``CLOSE``: the same objective with an input or an output changed (the longest string
  returned with its length, strings joined with a delimiter, the first n Fibonacci numbers
  instead of the n-th, duplicates removed once instead of entirely, ...): a judge may answer
  either way, so these are reported apart. 10 tasks.
- every other pair: a different problem (a bank account class for ``below_zero``, the
  longest common prefix for ``all_prefixes``, ...). 136 tasks.

Nothing in the method was fitted, tuned or changed for these labels; ``bench_contamination.py
nearest`` reports how it does on them (a task's SAME row is found when flagged against that task).
"""

from __future__ import annotations

#: HumanEval task number -> the index, in ``corpora/codealpaca_4k.json``, of its nearest row.
NEAREST_ROW = {
    0: 1847, 1: 3866, 2: 3527, 3: 4005, 4: 2350, 5: 3237, 6: 4424, 7: 2417, 8: 2808, 9: 3643, 10: 3799,
    11: 3726, 12: 3476, 13: 4032, 14: 2007, 15: 2579, 16: 1671, 17: 1437, 18: 2936, 19: 1613, 20: 3612,
    21: 3612, 22: 3269, 23: 629, 24: 3052, 25: 3052, 26: 3334, 27: 2811, 28: 175, 29: 2007, 30: 2653,
    31: 2409, 32: 2627, 33: 1581, 34: 4103, 35: 4305, 36: 2071, 37: 1015, 38: 2074, 39: 713, 40: 2808,
    41: 3004, 42: 4112, 43: 153, 44: 2555, 45: 173, 46: 1838, 47: 3687, 48: 2455, 49: 2071, 50: 3702,
    51: 3047, 52: 4184, 53: 3572, 54: 3295, 55: 2965, 56: 1088, 57: 4186, 58: 3924, 59: 3052, 60: 4476,
    61: 1088, 62: 1782, 63: 2286, 64: 2930, 65: 3702, 66: 3860, 67: 2535, 68: 3996, 69: 3996, 70: 1613,
    71: 3756, 72: 4358, 73: 3721, 74: 3165, 75: 882, 76: 834, 77: 2516, 78: 2555, 79: 2555, 80: 1236,
    81: 1259, 82: 882, 83: 3421, 84: 4148, 85: 3522, 86: 522, 87: 2046, 88: 745, 89: 3541, 90: 3612, 91: 181,
    92: 3884, 93: 1213, 94: 2886, 95: 1343, 96: 4036, 97: 3374, 98: 2543, 99: 3612, 100: 959, 101: 3866,
    102: 3131, 103: 4016, 104: 4103, 105: 745, 106: 1884, 107: 3580, 108: 3258, 109: 2001, 110: 2054,
    111: 3549, 112: 4267, 113: 3912, 114: 2232, 115: 567, 116: 2746, 117: 2972, 118: 3165, 119: 262, 120: 287,
    121: 3920, 122: 4226, 123: 669, 124: 3259, 125: 3866, 126: 745, 127: 1116, 128: 3892, 129: 2147,
    130: 3694, 131: 2648, 132: 1088, 133: 2104, 134: 1236, 135: 745, 136: 64, 137: 4186, 138: 4329, 139: 4332,
    140: 4031, 141: 1236, 142: 4465, 143: 1629, 144: 2761, 145: 1581, 146: 3402, 147: 4014, 148: 666,
    149: 3299, 150: 882, 151: 3656, 152: 3996, 153: 189, 154: 4358, 155: 954, 156: 3635, 157: 4348, 158: 2211,
    159: 975, 160: 1530, 161: 3400, 162: 3248, 163: 959,
}

#: Tasks whose nearest row is the same problem: gcd (13), distinct characters (16), string
#: length in C (23), positive numbers (30), primality (31), sorted unique elements (34), the
#: maximum in Ruby (35), triangle area from base and height (45), median (47), palindrome
#: (48), removing vowels (51), adding two numbers (53, a snippet to port), common elements
#: (58), largest prime factor (59), counting vowels (64), Heron's formula (71), the second
#: smallest element (90), an MD5 hash in C# (162).
SAME = frozenset({13, 16, 23, 30, 31, 34, 35, 45, 47, 48, 51, 53, 58, 59, 64, 71, 90, 162})

#: Tasks whose nearest row changes an input or output of the same objective: the longest
#: string with its length (12), occurrences ignoring case and not overlapping (18), duplicates
#: kept once (26), joined with a delimiter (28), the first n Fibonacci numbers (55), balanced
#: brackets of several kinds (56, 61), the sum 1 to 10 only (60), words split on commas only
#: (101), the squared sum of odd numbers (151).
CLOSE = frozenset({12, 18, 26, 28, 55, 56, 60, 61, 101, 151})
