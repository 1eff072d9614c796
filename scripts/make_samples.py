"""Generate the bundled sample datasets in data/samples/ (deterministic for a fixed seed).

- ``instructions.parquet``: a small synthetic instruction dataset with planted problems:
  exact duplicates (also differing only in case and whitespace), near duplicates (a few
  words edited) and a templated low-diversity block, marked in the ``planted`` column.
- ``instructions_clean.parquet``: a companion drawn the same way with no planted problems.

Run: ``python scripts/make_samples.py [--out data/samples] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import polars as pl

TASKS = [
    "Explain {topic} to {audience}.",
    "Write a {form} about {topic}.",
    "Summarize the main arguments for and against {topic}.",
    "List three common mistakes people make with {topic}.",
    "Compare {topic} with {other} for {audience}.",
    "Give a step-by-step plan to learn {topic}.",
    "Describe how {topic} changed over the last {years} years.",
    "What questions should {audience} ask before starting with {topic}?",
    "Draft an email to {audience} announcing a workshop on {topic}.",
    "Suggest a {form} title and outline about {topic}.",
]
TOPICS = [
    "photosynthesis", "compound interest", "sourdough baking", "container gardening",
    "public key cryptography", "the water cycle", "marathon training", "urban beekeeping",
    "machine translation", "volcanic eruptions", "personal budgeting", "jazz improvisation",
    "solar panels", "bird migration", "database indexing", "the printing press",
    "sleep hygiene", "coral reefs", "electric bicycles", "negotiation", "vaccines",
    "the stock market", "origami", "climate adaptation", "open source licensing",
    "time zones", "fermentation", "public speaking", "recycling plastics", "chess openings",
    "rainwater harvesting", "carbon dating", "supply chains", "wildfire prevention",
    "sign language", "tidal energy", "board game design", "museum curation",
]
AUDIENCES = ["a ten-year-old", "a new employee", "a retired engineer", "first-year students",
             "a small business owner", "a skeptical journalist", "a busy parent", "a city council"]
FORMS = ["short essay", "blog post", "haiku sequence", "newsletter section", "lesson plan",
         "podcast script", "product description", "limerick"]
NOUNS = """garden river budget engine teacher recipe network harbor season library market
village signal bridge climate protein battery journal orchard festival contract island
mirror lantern pattern circuit canvas harvest ladder meadow compass archive puzzle rocket
theory window kitchen forest museum planet vaccine router glacier melody fabric ledger
tunnel beacon sensor shelter quarry prairie canyon ritual parcel voyage atlas verdict""".split()
ADJECTIVES = """quiet sturdy fragile rapid ancient modest vivid hidden gentle bitter clever
distant humble brisk careful curious hollow loyal narrow patient rugged silent subtle
tidy urgent vast wary bright crisp dense eager faint fierce golden hasty jagged""".split()
VERBS = """improves reveals protects shapes supports limits explains balances connects
replaces measures extends guides softens tests rewards delays invites mirrors sustains
transforms challenges absorbs anchors""".split()
ADVERBS = """quietly rarely often slowly gradually suddenly steadily partly mostly clearly
easily barely usually""".split()
CONNECTIVES = ["because", "while", "although", "so", "unless", "whenever", "and", "but"]


def _clause(rng: random.Random) -> str:
    return (f"the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(ADVERBS)} "
            f"{rng.choice(VERBS)} the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}")


def _sentence(rng: random.Random) -> str:
    text = _clause(rng)
    if rng.random() < 0.5:
        text += f" {rng.choice(CONNECTIVES)} {_clause(rng)}"
    return text[0].upper() + text[1:] + "."


TEMPLATE_ANIMALS = ["cats", "dogs", "owls", "foxes", "whales", "bees", "horses", "rabbits",
                    "eagles", "otters", "wolves", "turtles"]


def _row(rng: random.Random) -> dict[str, str]:
    topic, other = rng.sample(TOPICS, 2)
    instruction = rng.choice(TASKS).format(
        topic=topic, other=other, audience=rng.choice(AUDIENCES), form=rng.choice(FORMS),
        years=rng.choice([5, 10, 20, 50, 100]),
    )
    context = "" if rng.random() < 0.6 else f"Keep it under {rng.choice([50, 100, 150, 200])} words."
    output = f"{topic.capitalize()}: " + " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
    return {"instruction": instruction, "input": context, "output": output, "category": "general"}


def _near_duplicate(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
    words = row["output"].split()
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(1, len(words))
        words[i] = rng.choice(["really", "also", "often", "quite", "truly"])
    return row | {"output": " ".join(words)}


def _exact_duplicate(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
    """A verbatim copy, or one differing only in case or spacing (the same after normalising)."""
    style = rng.choice(["verbatim", "upper", "spaces"])
    if style == "upper":
        return row | {"output": row["output"].upper()}
    if style == "spaces":
        return row | {"output": "  " + row["output"].replace(" ", "  ") + "\n"}
    return dict(row)


def _templated(rng: random.Random) -> dict[str, str]:
    animal = rng.choice(TEMPLATE_ANIMALS)
    return {
        "instruction": f"Write a short poem about {animal}.",
        "input": "",
        "output": f"Here is a short poem about {animal}: {animal.capitalize()} are wonderful and "
                  f"{animal} are kind, {animal} bring joy to heart and mind.",
        "category": "poem",
    }


def planted_dataset(seed: int, n_base: int = 700) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = [_row(rng) | {"planted": "none"} for _ in range(n_base)]
    originals = rng.sample(rows[:n_base], 80)
    rows += [_exact_duplicate(rng, r) | {"planted": "exact_duplicate"} for r in originals[:40]]
    rows += [_near_duplicate(rng, r) | {"planted": "near_duplicate"} for r in originals[40:]]
    rows += [_templated(rng) | {"planted": "template"} for _ in range(120)]
    rng.shuffle(rows)
    return pl.DataFrame(rows)


def clean_dataset(seed: int, n_rows: int = 700) -> pl.DataFrame:
    rng = random.Random(seed + 1)
    return pl.DataFrame([_row(rng) | {"planted": "none"} for _ in range(n_rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "samples")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    # No statistics in the file: the bytes depend only on the rows, so re-running is a no-op.
    planted_dataset(args.seed).write_parquet(args.out / "instructions.parquet", statistics=False)
    clean_dataset(args.seed).write_parquet(args.out / "instructions_clean.parquet", statistics=False)
    print(f"wrote {args.out / 'instructions.parquet'} and {args.out / 'instructions_clean.parquet'}")


if __name__ == "__main__":
    main()
