"""The contamination evaluation suite: rephrasings by rule across four domains, with hard negatives.

Built only from ``../shared/data`` and our own rules (never from published rephrasings of
MMLU, GSM8K or HumanEval, which are held out to judge the result). Each case is a benchmark
and training rows, each row either a rephrasing of one benchmark item (its ``truth``) or a
negative:

- **math**: GSM8K test is the benchmark; rows are GSM8K train (7,473 clean questions of the
  same style, same-template siblings among them) plus 600 test questions reworded by rule.
- **multiple choice**: the three MMLU subjects; the benchmark holds the even items; rows are
  rephrasings of every item (the question alone, its last line alone, options reordered),
  so the odd items' rephrasings are same-subject negatives.
- **code**: HumanEval's even tasks are the benchmark; rows are every task rewritten
  (renamed and reformatted, loops and comprehensions swapped, JavaScript- and C-like
  syntax, asked for in prose) plus all 4,535 Code Alpaca rows.
- **prose**: the Self-Instruct seed tasks' even instructions are the benchmark; rows are
  every instruction reworded, plus 1,000 Code Alpaca instructions.

Apart from these, two probes that nothing is fitted on check whether the verifier, fitted
on rule-made rewrites, generalises to text rewritten the way people and models rewrite it:
:func:`ported_case`, 24 HumanEval tasks ported by hand to idiomatic C and JavaScript
(``humaneval_translations.py``) and 36 rewritten in Python as a whole
(``humaneval_python_rewrites.py``), against the same even tasks; and :func:`free_cases`, 46
GSM8K and 36 MMLU test items paraphrased freely by hand (``free_rephrasings.py``), against
GSM8K test and the MMLU subjects' even items. And :func:`long_document_cases`: the
rephrasings of three cases (math, sociology, prose) inserted between the sentences of news
documents of 150 to 1,000 words (the EMNLP 2017 news corpus), with the cases' negatives
inserted the same way and documents that hold neither.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from free_rephrasings import REPHRASINGS
from humaneval_python_rewrites import REWRITES as PYTHON_REWRITES
from humaneval_translations import TRANSLATIONS
from qcaudit.benchmarks import ITEM_ID, ITEM_TEXT, Benchmark, humaneval_parts, load_benchmark
from qcaudit.contamination.planting import (
    CHOICE_REPHRASINGS, CODE_REWRITES, REWORDINGS, rephrase_choice_item, reword, rewrite_code,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DOMAINS = ("math", "multiple_choice", "code", "prose")


@dataclass(frozen=True)
class Case:
    """One benchmark and rows to audit against it; ``truth`` is the leaked item's id or None,
    ``kind`` how the row was made."""

    domain: str
    name: str
    benchmark: Benchmark
    rows: list[str]
    truth: list[str | None]
    kind: list[str]

    def sample(self, size: int, seed: int = 0) -> Case:
        """At most ``size`` of the rows, chosen at random for ``seed``, rephrasings and
        negatives in their proportions (a judge model on a CPU reads about a pair a second)."""
        if len(self.rows) <= size:
            return self
        rng = random.Random(seed)
        positive = [i for i, t in enumerate(self.truth) if t is not None]
        negative = [i for i, t in enumerate(self.truth) if t is None]
        share = min(len(positive), max(size - len(negative), round(size * len(positive) / len(self.rows))))
        chosen = sorted(rng.sample(positive, share) + rng.sample(negative, size - share))
        return Case(self.domain, self.name, self.benchmark, [self.rows[i] for i in chosen],
                    [self.truth[i] for i in chosen], [self.kind[i] for i in chosen])


def _even_items(bench: Benchmark) -> Benchmark:
    """The benchmark's even items: the odd ones' rephrasings are the same-style negatives."""
    return Benchmark(bench.name, bench.items.gather_every(2))


def codealpaca() -> list[dict]:
    return json.loads((DATA / "corpora/codealpaca_4k.json").read_text())


def codealpaca_rows() -> list[str]:
    """Code Alpaca's rows as one text each: instruction, input and output, a line apart."""
    return ["\n".join(part for part in (r["instruction"], r["input"], r["output"]) if part) for r in codealpaca()]


def math_case(rng: random.Random) -> Case:
    bench = load_benchmark("gsm8k", DATA / "benchmarks/gsm8k/test.jsonl")
    train = pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl")["question"].to_list()
    rows, truth, kind = list(train), [None] * len(train), ["gsm8k_train"] * len(train)
    for i, (item_id, text) in enumerate(bench.items.select(ITEM_ID, ITEM_TEXT).head(600).iter_rows()):
        how = REWORDINGS[i % len(REWORDINGS)]
        rows.append(reword(text, how, rng))
        truth.append(item_id)
        kind.append(how)
    return Case("math", "gsm8k", bench, rows, truth, kind)


def choice_cases(rng: random.Random) -> list[Case]:
    cases = []
    for file in sorted((DATA / "benchmarks/mmlu").glob("*_test.csv")):
        bench = load_benchmark("mmlu", file, adapter="mmlu")
        subject = file.name.removesuffix("_test.csv")
        raw = list(csv.reader(file.open(encoding="utf-8")))
        rows, truth, kind = [], [], []
        for i, (item_id, record) in enumerate(zip(bench.items[ITEM_ID].to_list(), raw, strict=True)):
            question, choices = record[0], record[1:5]
            has_stem = len([line for line in question.splitlines() if line.strip()]) > 1
            how = CHOICE_REPHRASINGS[i % len(CHOICE_REPHRASINGS)]
            if how == "stem_only" and not has_stem:
                how = "question_only"
            rows.append(rephrase_choice_item(question, choices, how, rng))
            truth.append(item_id if i % 2 == 0 else None)
            kind.append(how if i % 2 == 0 else f"{how} (other item)")
        cases.append(Case("multiple_choice", subject, _even_items(bench), rows, truth, kind))
    return cases


#: How a rephrasing may lay out a multiple-choice item's options (each renders the question
#: and the options, reordered): the layouts that instruction and evaluation datasets use.
OPTION_LAYOUTS = {
    "lettered lines": lambda q, o: q + "\n" + "\n".join(f"({chr(65 + i)}) {c}" for i, c in enumerate(o)),
    "letters inline": lambda q, o: q + " " + " ".join(f"{chr(65 + i)}) {c}" for i, c in enumerate(o)),
    "numbered lines": lambda q, o: q + "\n" + "\n".join(f"{i + 1}. {c}" for i, c in enumerate(o)),
    "bullets": lambda q, o: q + "\n" + "\n".join(f"- {c}" for c in o),
    "semicolons": lambda q, o: q + "\nOptions: " + "; ".join(o),
    "pipes": lambda q, o: q + " Choices: " + " | ".join(o),
    "in prose": lambda q, o: q + " Is it " + ", ".join(o[:-1]) + " or " + o[-1] + "?",
    "json": lambda q, o: json.dumps({"question": q, "choices": o}),
}


def option_layout_cases(seed: int = 0) -> list[Case]:
    """Per MMLU subject: every item reworded with its options reordered, once in each of
    :data:`OPTION_LAYOUTS` (kind = the layout), against the subject's even items (the odd
    items' renderings are the negatives, kind ``<layout> (other item)``)."""
    rng = random.Random(seed)
    cases = []
    for file in sorted((DATA / "benchmarks/mmlu").glob("*_test.csv")):
        bench = load_benchmark("mmlu", file, adapter="mmlu")
        raw = list(csv.reader(file.open(encoding="utf-8")))
        rows, truth, kind = [], [], []
        for i, (item_id, record) in enumerate(zip(bench.items[ITEM_ID].to_list(), raw, strict=True)):
            question, choices = record[0], record[1:5]
            for layout, render in OPTION_LAYOUTS.items():
                rows.append(render(rephrase_choice_item(question, choices, "question_only", rng), rng.sample(choices, len(choices))))
                truth.append(item_id if i % 2 == 0 else None)
                kind.append(layout if i % 2 == 0 else f"{layout} (other item)")
        cases.append(Case("multiple_choice", file.name.removesuffix("_test.csv"), _even_items(bench), rows, truth, kind))
    return cases


def humaneval() -> tuple[Benchmark, list[dict]]:
    """HumanEval as a benchmark, and its tasks as the file holds them (prompt, solution, tests)."""
    path = DATA / "benchmarks/humaneval/HumanEval.jsonl.gz"
    return load_benchmark("humaneval", path), [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]


def code_case(rng: random.Random) -> Case:
    bench, tasks = humaneval()
    descriptions = bench.items["part:description"].to_list()
    rows, truth, kind = [], [], []
    for i, (task, description) in enumerate(zip(tasks, descriptions, strict=True)):
        for how in CODE_REWRITES:
            rows.append(rewrite_code(task["prompt"], task["canonical_solution"], description, how, rng))
            truth.append(task["task_id"] if i % 2 == 0 else None)
            kind.append(how if i % 2 == 0 else f"{how} (other task)")
    alpaca = codealpaca_rows()
    rows += alpaca
    truth += [None] * len(alpaca)
    kind += ["code_alpaca"] * len(alpaca)
    return Case("code", "humaneval", _even_items(bench), rows, truth, kind)


def ported_case() -> Case:
    """HumanEval's even tasks as the benchmark; rows are the hand-made C and JavaScript ports
    and Python rewrites, those of odd tasks being negatives (kinds ``c port``, ``python
    rewrite``, ``javascript port (other task)``)."""
    made = [(task_id, f"{language} port", text) for (task_id, language), text in TRANSLATIONS.items()]
    made += [(task_id, "python rewrite", text) for task_id, text in PYTHON_REWRITES.items()]
    return _humaneval_probe("humaneval_ports", made)


def _humaneval_probe(name: str, made: list[tuple[str, str, str]]) -> Case:
    """HumanEval's even tasks as the benchmark; ``made``: (task id, kind, row) of rows made
    from tasks, those of odd tasks negatives (``<kind> (other task)``)."""
    bench, tasks = humaneval()
    position = {task["task_id"]: i for i, task in enumerate(tasks)}
    rows, truth, kind = [], [], []
    for task_id, how, text in made:
        even = position[task_id] % 2 == 0
        rows.append(text)
        truth.append(task_id if even else None)
        kind.append(how if even else f"{how} (other task)")
    return Case("code", name, _even_items(bench), rows, truth, kind)


#: How :func:`commented_ports_case` comments a port: with its task's description, or its whole docstring.
PORT_COMMENTS = ("description", "docstring")


def commented_ports_case(comment: str) -> Case:
    """The hand-made C and JavaScript ports of :func:`ported_case` (kinds ``c port``,
    ``javascript port``, odd tasks' ports negatives), each under a comment that holds its
    task's docstring, as a model that translates a HumanEval task often keeps it: its
    ``description`` (the prose before the examples) or the whole ``docstring`` in the port's
    spelling (the function's name in the port's convention, ``true``, ``false``,
    ``null``/``NULL``, and C's braces for Python's list brackets). Made by rule from the
    ports and HumanEval's prompts."""
    tasks = {task["task_id"]: task for task in humaneval()[1]}
    made = []
    for (task_id, language), code in TRANSLATIONS.items():
        task = tasks[task_id]
        docstring = re.search(r'("""|\'\'\')(.*?)\1', task["prompt"], re.DOTALL).group(2)
        text = humaneval_parts(task["prompt"], task["canonical_solution"])[0] if comment == "description" else docstring
        made.append((task_id, f"{language} port", _as_comment(_port_spelling(text, task["entry_point"], language), language) + code))
    return _humaneval_probe(f"{comment} + port", made)


def rewrites_without_examples_case() -> Case:
    """The hand-made Python rewrites of :func:`ported_case` (kind ``python rewrite``, odd
    tasks' negatives) with their docstrings' doctests cut out (each ``>>>`` line and the
    output lines after it), as a rewrite that keeps only the task's prose. Made by rule."""
    made = [(task_id, "python rewrite", _without_doctests(text)) for task_id, text in PYTHON_REWRITES.items()]
    return _humaneval_probe("rewrites, no examples", made)


def _without_doctests(code: str) -> str:
    kept, in_example = [], False
    for line in code.splitlines():
        stripped = line.strip()
        in_example = stripped.startswith(">>>") or (in_example and stripped != "" and not stripped.startswith(('"""', "'''")))
        if not in_example:
            kept.append(line)
    return "\n".join(kept)


def _port_spelling(text: str, name: str, language: str) -> str:
    """Python's spelling in a docstring as a C or JavaScript port spells it."""
    if language == "javascript":
        head, *rest = name.split("_")
        text = text.replace(name, head + "".join(word.title() for word in rest))
    for python, port in {"True": "true", "False": "false", "None": "null" if language == "javascript" else "NULL"}.items():
        text = re.sub(rf"\b{python}\b", port, text)
    return text.replace("[", "{").replace("]", "}") if language == "c" else text


def _as_comment(text: str, language: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    if language == "c":
        return "/*\n" + "".join(f" * {line}\n" for line in lines) + " */\n"
    return "".join(f"// {line}\n" for line in lines)


def free_cases() -> list[Case]:
    """The free paraphrases: of GSM8K test items against all of GSM8K test (kind ``free``),
    and of MMLU items and Self-Instruct seed tasks against each subject's or the tasks' even
    ones (odd ones' paraphrases are negatives, kind ``free (other item)``)."""
    gsm8k = [(i, text) for (name, i), text in REPHRASINGS.items() if name == "gsm8k"]
    cases = [Case("math", "gsm8k_free", load_benchmark("gsm8k", DATA / "benchmarks/gsm8k/test.jsonl"),
                  [text for _, text in gsm8k], [f"gsm8k/{i}" for i, _ in gsm8k], ["free"] * len(gsm8k))]
    for subject in sorted({name for name, _ in REPHRASINGS} - {"gsm8k"}):
        if subject == "self_instruct":
            domain, bench, item_id = "prose", _self_instruct(), "seed_task_{}"
        else:
            bench = load_benchmark("mmlu", DATA / f"benchmarks/mmlu/{subject}_test.csv", adapter="mmlu")
            domain, item_id = "multiple_choice", f"{subject}/{{}}"
        chosen = [(i, text) for (name, i), text in REPHRASINGS.items() if name == subject]
        cases.append(Case(domain, f"{subject}_free", _even_items(bench),
                          [text for _, text in chosen], [item_id.format(i) if i % 2 == 0 else None for i, _ in chosen],
                          ["free" if i % 2 == 0 else "free (other item)" for i, _ in chosen]))
    return cases


def _self_instruct() -> Benchmark:
    """The 175 Self-Instruct seed tasks' instructions, ids ``seed_task_<n>``."""
    seeds = pl.read_ndjson(DATA / "corpora/self_instruct_seed_tasks.jsonl").select(
        pl.col("id").alias(ITEM_ID), pl.col("instruction").alias(ITEM_TEXT)
    )
    return Benchmark("self_instruct", seeds)


def prose_case(rng: random.Random) -> Case:
    bench = _self_instruct()
    seeds = bench.items
    rows, truth, kind = [], [], []
    for i, (item_id, text) in enumerate(seeds.iter_rows()):
        rows.append(reword(text, "all" if i % 4 else "synonyms", rng))
        truth.append(item_id if i % 2 == 0 else None)
        kind.append("reworded" if i % 2 == 0 else "reworded (other task)")
    for record in codealpaca()[:1000]:
        rows.append(record["instruction"])
        truth.append(None)
        kind.append("code_alpaca")
    return Case("prose", "self_instruct", _even_items(bench), rows, truth, kind)


def build_cases(seed: int = 0) -> list[Case]:
    """Every case of the suite, deterministic for ``seed``."""
    rng = random.Random(seed)
    return [math_case(rng), *choice_cases(rng), code_case(rng), prose_case(rng)]


#: The long-document cases' lengths of news around the inserted text, in words.
DOCUMENT_WORDS = (150, 400, 1000)


def long_document_cases(cases: list[Case], rephrasings: int = 100, documents: int = 400, seed: int = 0) -> list[Case]:
    """Per case (of :func:`build_cases`) and :data:`DOCUMENT_WORDS` length: the case's first
    ``rephrasings`` rephrasings and as many of its negatives (Code Alpaca rows aside), in a
    shuffled order, each inserted at a random sentence boundary of a news document of that
    many words, plus ``documents`` documents that hold neither (kinds ``rephrasing``,
    ``negative``, ``news only``)."""
    rng = random.Random(seed)
    sentences = [_detokenised(line) for line in (DATA / "corpora/emnlp2017_news.txt").read_text(encoding="utf-8").splitlines()
                 if line.strip()]

    def document(words: int) -> list[str]:
        out = []
        while sum(len(s.split()) for s in out) < words:
            out.append(rng.choice(sentences))
        return out

    made = []
    for case in cases:
        rows = list(zip(case.rows, case.truth, strict=True))
        positives = [row for row in rows if row[1] is not None]
        negatives = [row for row, kind in zip(rows, case.kind, strict=True) if row[1] is None and kind != "code_alpaca"]
        rng.shuffle(positives)
        rng.shuffle(negatives)
        chosen = positives[:rephrasings] + negatives[:rephrasings]
        for words in DOCUMENT_WORDS:
            texts, truth, kind = [], [], []
            for text, item in chosen:
                around = document(words)
                at = rng.randrange(len(around) + 1)
                texts.append(" ".join([*around[:at], text, *around[at:]]))
                truth.append(item)
                kind.append("rephrasing" if item else "negative")
            texts += [" ".join(document(words)) for _ in range(documents)]
            truth += [None] * documents
            kind += ["news only"] * documents
            made.append(Case(case.domain, f"{case.name} in {words} words", case.benchmark, texts, truth, kind))
    return made


def _detokenised(line: str) -> str:
    """A pre-tokenised news sentence ("Over 1 , 600 a day , he says .") as it was written."""
    line = re.sub(r"(\d) , (\d)", r"\1,\2", line.strip())
    line = re.sub(r" ([.,;:!?%)])", r"\1", line)
    line = re.sub(r"([($]) ", r"\1", line)
    return re.sub(r" ' (s|t|re|ve|ll|m|d)\b", r"'\1", line)
