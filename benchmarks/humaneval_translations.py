"""HumanEval tasks ported to C and JavaScript the way a person or a model ports code.

Written for this project's evaluation suite (not by a script, and not taken from any
published rephrasing of HumanEval, which are held out). Unlike the rule-made rewrites of
``qcaudit.contamination.planting``, which keep Python's structure in another syntax and
rename every identifier, these are idiomatic: index loops for ``enumerate``, ``filter`` and
``reduce`` for comprehensions, manual memory in C; the function and parameter names are
kept in each language's convention (``has_close_elements`` in C, ``hasCloseElements`` in
JavaScript), and some carry a one-line comment of what the function does. Keys are
(task id, language).
"""

from __future__ import annotations

TRANSLATIONS: dict[tuple[str, str], str] = {
    ("HumanEval/0", "c"): r"""#include <stdbool.h>
#include <math.h>

bool has_close_elements(const double *numbers, int n, double threshold) {
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i != j && fabs(numbers[i] - numbers[j]) < threshold) {
                return true;
            }
        }
    }
    return false;
}""",
    ("HumanEval/0", "javascript"): r"""/**
 * Returns true if any two numbers in the array are closer to each other than the threshold.
 */
function hasCloseElements(numbers, threshold) {
  for (let i = 0; i < numbers.length; i++) {
    for (let j = 0; j < numbers.length; j++) {
      if (i !== j && Math.abs(numbers[i] - numbers[j]) < threshold) {
        return true;
      }
    }
  }
  return false;
}""",
    ("HumanEval/1", "c"): r"""#include <stdlib.h>
#include <string.h>

/* Split a string of balanced parenthesis groups into the separate top-level groups. */
int separate_paren_groups(const char *paren_string, char **groups) {
    int count = 0, depth = 0, start = -1;
    for (int i = 0; paren_string[i]; i++) {
        char c = paren_string[i];
        if (c == '(') {
            if (depth == 0) start = i;
            depth++;
        } else if (c == ')') {
            depth--;
            if (depth == 0) {
                int len = i - start + 1;
                groups[count] = malloc(len + 1);
                memcpy(groups[count], paren_string + start, len);
                groups[count][len] = '\0';
                count++;
            }
        }
    }
    return count;
}""",
    ("HumanEval/1", "javascript"): r"""function separateParenGroups(parenString) {
  const result = [];
  let current = '';
  let depth = 0;
  for (const c of parenString) {
    if (c === '(') {
      depth++;
      current += c;
    } else if (c === ')') {
      depth--;
      current += c;
      if (depth === 0) {
        result.push(current);
        current = '';
      }
    }
  }
  return result;
}""",
    ("HumanEval/2", "c"): r"""#include <math.h>

/* The decimal part of a positive floating point number. */
double truncate_number(double number) {
    return number - floor(number);
}""",
    ("HumanEval/2", "javascript"): r"""const truncateNumber = (number) => number - Math.floor(number);""",
    ("HumanEval/4", "c"): r"""#include <math.h>

/* Mean absolute deviation of an array: the average distance of each element from the mean. */
double mean_absolute_deviation(const double *numbers, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += numbers[i];
    double mean = sum / n;
    double dev = 0.0;
    for (int i = 0; i < n; i++) dev += fabs(numbers[i] - mean);
    return dev / n;
}""",
    ("HumanEval/4", "javascript"): r"""function meanAbsoluteDeviation(numbers) {
  const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
  return numbers.reduce((acc, x) => acc + Math.abs(x - mean), 0) / numbers.length;
}""",
    ("HumanEval/5", "c"): r"""#include <stdlib.h>

int *intersperse(const int *numbers, int n, int delimeter, int *out_len) {
    if (n == 0) {
        *out_len = 0;
        return NULL;
    }
    int *result = malloc(sizeof(int) * (2 * n - 1));
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0) result[k++] = delimeter;
        result[k++] = numbers[i];
    }
    *out_len = k;
    return result;
}""",
    ("HumanEval/5", "javascript"): r"""// Put the delimeter between every two consecutive elements of numbers.
function intersperse(numbers, delimeter) {
  return numbers.flatMap((n, i) => (i === 0 ? [n] : [delimeter, n]));
}""",
    ("HumanEval/8", "c"): r"""/* Sum and product of an array of integers (0 and 1 when it is empty). */
void sum_product(const int *numbers, int n, long *sum_value, long *prod_value) {
    *sum_value = 0;
    *prod_value = 1;
    for (int i = 0; i < n; i++) {
        *sum_value += numbers[i];
        *prod_value *= numbers[i];
    }
}""",
    ("HumanEval/8", "javascript"): r"""function sumProduct(numbers) {
  let sum = 0;
  let product = 1;
  for (const n of numbers) {
    sum += n;
    product *= n;
  }
  return [sum, product];
}""",
    ("HumanEval/9", "c"): r"""void rolling_max(const int *numbers, int n, int *result) {
    int running_max = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || numbers[i] > running_max) running_max = numbers[i];
        result[i] = running_max;
    }
}""",
    ("HumanEval/9", "javascript"): r"""/** The running maximum of the numbers seen so far, at each position. */
function rollingMax(numbers) {
  const result = [];
  let runningMax = -Infinity;
  for (const n of numbers) {
    runningMax = Math.max(runningMax, n);
    result.push(runningMax);
  }
  return result;
}""",
    ("HumanEval/10", "c"): r"""#include <string.h>
#include <stdlib.h>

static int is_palindrome(const char *s, int len) {
    for (int i = 0, j = len - 1; i < j; i++, j--)
        if (s[i] != s[j]) return 0;
    return 1;
}

/* Shortest palindrome that starts with the given string. */
char *make_palindrome(const char *str) {
    int n = strlen(str);
    int start = 0;
    while (start < n && !is_palindrome(str + start, n - start)) start++;
    char *out = malloc(n + start + 1);
    strcpy(out, str);
    for (int i = 0; i < start; i++) out[n + i] = str[start - 1 - i];
    out[n + start] = '\0';
    return out;
}""",
    ("HumanEval/10", "javascript"): r"""const isPalindrome = (s) => s === s.split('').reverse().join('');

function makePalindrome(string) {
  if (!string) return '';
  let beginningOfSuffix = 0;
  while (!isPalindrome(string.slice(beginningOfSuffix))) {
    beginningOfSuffix += 1;
  }
  return string + string.slice(0, beginningOfSuffix).split('').reverse().join('');
}""",
    ("HumanEval/12", "c"): r"""#include <string.h>

/* The longest string of the array (the first one on ties), NULL when the array is empty. */
const char *longest(const char **strings, int n) {
    const char *best = NULL;
    size_t best_len = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(strings[i]);
        if (best == NULL || len > best_len) {
            best = strings[i];
            best_len = len;
        }
    }
    return best;
}""",
    ("HumanEval/12", "javascript"): r"""function longest(strings) {
  if (strings.length === 0) return null;
  return strings.reduce((best, s) => (s.length > best.length ? s : best));
}""",
    ("HumanEval/13", "c"): r"""int greatest_common_divisor(int a, int b) {
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}""",
    ("HumanEval/13", "javascript"): r"""// Euclid's algorithm.
function greatestCommonDivisor(a, b) {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}""",
    ("HumanEval/16", "c"): r"""#include <ctype.h>

/* How many distinct characters a string has, ignoring case. */
int count_distinct_characters(const char *string) {
    int seen[256] = {0};
    int count = 0;
    for (const unsigned char *p = (const unsigned char *)string; *p; p++) {
        int c = tolower(*p);
        if (!seen[c]) {
            seen[c] = 1;
            count++;
        }
    }
    return count;
}""",
    ("HumanEval/16", "javascript"): r"""function countDistinctCharacters(string) {
  return new Set(string.toLowerCase()).size;
}""",
    ("HumanEval/17", "c"): r"""#include <string.h>

/* Beats per note: "o" is a whole note (4), "o|" a half note (2), ".|" a quarter note (1). */
int parse_music(const char *music_string, int *beats) {
    int count = 0;
    const char *p = music_string;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        if (p[0] == 'o' && p[1] == '|') { beats[count++] = 2; p += 2; }
        else if (p[0] == '.' && p[1] == '|') { beats[count++] = 1; p += 2; }
        else if (p[0] == 'o') { beats[count++] = 4; p += 1; }
        else p++;
    }
    return count;
}""",
    ("HumanEval/17", "javascript"): r"""function parseMusic(musicString) {
  const noteMap = { 'o': 4, 'o|': 2, '.|': 1 };
  return musicString.split(' ').filter((x) => x).map((x) => noteMap[x]);
}""",
    ("HumanEval/20", "c"): r"""#include <math.h>

void find_closest_elements(const double *numbers, int n, double *smaller, double *larger) {
    double best = -1.0;
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            double distance = fabs(numbers[i] - numbers[j]);
            if (best < 0 || distance < best) {
                best = distance;
                *smaller = fmin(numbers[i], numbers[j]);
                *larger = fmax(numbers[i], numbers[j]);
            }
        }
    }
}""",
    ("HumanEval/20", "javascript"): r"""/**
 * The two numbers closest to each other, smaller first.
 */
function findClosestElements(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  let pair = [sorted[0], sorted[1]];
  for (let i = 1; i < sorted.length - 1; i++) {
    if (sorted[i + 1] - sorted[i] < pair[1] - pair[0]) {
      pair = [sorted[i], sorted[i + 1]];
    }
  }
  return pair;
}""",
    ("HumanEval/21", "c"): r"""/* Linearly map the values so that the smallest becomes 0 and the largest 1. */
void rescale_to_unit(double *numbers, int n) {
    double min_number = numbers[0], max_number = numbers[0];
    for (int i = 1; i < n; i++) {
        if (numbers[i] < min_number) min_number = numbers[i];
        if (numbers[i] > max_number) max_number = numbers[i];
    }
    for (int i = 0; i < n; i++) {
        numbers[i] = (numbers[i] - min_number) / (max_number - min_number);
    }
}""",
    ("HumanEval/21", "javascript"): r"""function rescaleToUnit(numbers) {
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  return numbers.map((x) => (x - min) / (max - min));
}""",
    ("HumanEval/24", "c"): r"""/* The largest number smaller than n that divides n evenly. */
int largest_divisor(int n) {
    for (int i = n - 1; i > 0; i--) {
        if (n % i == 0) return i;
    }
    return 1;
}""",
    ("HumanEval/24", "javascript"): r"""function largestDivisor(n) {
  for (let i = n - 1; i > 0; i--) {
    if (n % i === 0) {
      return i;
    }
  }
}""",
    ("HumanEval/25", "c"): r"""/* Prime factors of n from smallest to largest, each repeated as often as it divides n. */
int factorize(int n, int *factors) {
    int count = 0;
    for (int i = 2; i * i <= n; i++) {
        while (n % i == 0) {
            factors[count++] = i;
            n /= i;
        }
    }
    if (n > 1) factors[count++] = n;
    return count;
}""",
    ("HumanEval/25", "javascript"): r"""function factorize(n) {
  const factors = [];
  let i = 2;
  while (i * i <= n) {
    if (n % i === 0) {
      factors.push(i);
      n = Math.floor(n / i);
    } else {
      i++;
    }
  }
  if (n > 1) factors.push(n);
  return factors;
}""",
    ("HumanEval/26", "c"): r"""#include <stdlib.h>

// Keep only the integers that occur exactly once, in their original order.
int *remove_duplicates(const int *numbers, int n, int *out_len) {
    int *result = malloc(sizeof(int) * n);
    int k = 0;
    for (int i = 0; i < n; i++) {
        int count = 0;
        for (int j = 0; j < n; j++)
            if (numbers[j] == numbers[i]) count++;
        if (count == 1) result[k++] = numbers[i];
    }
    *out_len = k;
    return result;
}""",
    ("HumanEval/26", "javascript"): r"""function removeDuplicates(numbers) {
  const counts = new Map();
  for (const n of numbers) counts.set(n, (counts.get(n) || 0) + 1);
  return numbers.filter((n) => counts.get(n) <= 1);
}""",
    ("HumanEval/28", "c"): r"""#include <stdlib.h>
#include <string.h>

char *concatenate(const char **strings, int n) {
    size_t total = 0;
    for (int i = 0; i < n; i++) total += strlen(strings[i]);
    char *out = malloc(total + 1);
    out[0] = '\0';
    for (int i = 0; i < n; i++) strcat(out, strings[i]);
    return out;
}""",
    ("HumanEval/28", "javascript"): r"""// Join an array of strings into one string.
const concatenate = (strings) => strings.join('');""",
    ("HumanEval/29", "c"): r"""#include <string.h>

int filter_by_prefix(const char **strings, int n, const char *prefix, const char **out) {
    size_t len = strlen(prefix);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(strings[i], prefix, len) == 0) out[k++] = strings[i];
    }
    return k;
}""",
    ("HumanEval/29", "javascript"): r"""/** Only the strings that start with the given prefix. */
function filterByPrefix(strings, prefix) {
  return strings.filter((s) => s.startsWith(prefix));
}""",
    ("HumanEval/30", "c"): r"""/* Copy the positive numbers of l into out; returns how many. */
int get_positive(const int *l, int n, int *out) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (l[i] > 0) out[k++] = l[i];
    }
    return k;
}""",
    ("HumanEval/30", "javascript"): r"""function getPositive(l) {
  return l.filter((e) => e > 0);
}""",
    ("HumanEval/34", "c"): r"""#include <stdlib.h>

static int compare_ints(const void *a, const void *b) {
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* Sort l and drop repeated values; returns the number of unique elements. */
int unique(int *l, int n) {
    qsort(l, n, sizeof(int), compare_ints);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (k == 0 || l[i] != l[k - 1]) l[k++] = l[i];
    }
    return k;
}""",
    ("HumanEval/34", "javascript"): r"""function unique(l) {
  return [...new Set(l)].sort((a, b) => a - b);
}""",
    ("HumanEval/42", "c"): r"""void incr_list(int *l, int n) {
    for (int i = 0; i < n; i++) {
        l[i] += 1;
    }
}""",
    ("HumanEval/42", "javascript"): r"""// Every element incremented by one.
const incrList = (l) => l.map((e) => e + 1);""",
    ("HumanEval/46", "c"): r"""/* fib4(n) = fib4(n-1) + fib4(n-2) + fib4(n-3) + fib4(n-4), starting 0, 0, 2, 0; no recursion. */
long fib4(int n) {
    long results[4] = {0, 0, 2, 0};
    if (n < 4) return results[n];
    for (int i = 4; i <= n; i++) {
        long next = results[0] + results[1] + results[2] + results[3];
        results[0] = results[1];
        results[1] = results[2];
        results[2] = results[3];
        results[3] = next;
    }
    return results[3];
}""",
    ("HumanEval/46", "javascript"): r"""function fib4(n) {
  const results = [0, 0, 2, 0];
  if (n < 4) return results[n];
  for (let i = 4; i <= n; i++) {
    results.push(results[3] + results[2] + results[1] + results[0]);
    results.shift();
  }
  return results[3];
}""",
    ("HumanEval/52", "c"): r"""#include <stdbool.h>

bool below_threshold(const int *l, int n, int t) {
    for (int i = 0; i < n; i++) {
        if (l[i] >= t) return false;
    }
    return true;
}""",
    ("HumanEval/52", "javascript"): r"""/** True when every number in l is below the threshold t. */
function belowThreshold(l, t) {
  return l.every((e) => e < t);
}""",
}
