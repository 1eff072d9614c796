"""What a system prompt shared by every row does to a chat dataset's metrics.

    python benchmarks/bench_system_prompt.py [--rows 300]

Chat datasets often open every row with the same system prompt. Read into each row's text,
it makes the rows look alike: more shared n-grams (Self-BLEU up, distinct-n down), closer
embeddings (Vendi down). So qcaudit reads a chat's text without its system turns unless
``--role`` names them. This builds chats from GSM8K train (the question as the user's turn,
the worked answer as the assistant's) and audits them, same rows, same run: without a
system turn; under Llama 2's default system prompt, read the default way and with ``--role
system,user,assistant``; the same chats rendered as ChatML text, read both ways; and the
same rows written in Alpaca's prompt template, whose opening sentence is a system prompt of
its own. The default readings should agree with the chats without a system turn; the others
show what the prompt does when it is read. Data: ../shared/data (GSM8K).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import cpu  # noqa: E402

import qcaudit  # noqa: E402

#: Llama 2's default system prompt (Meta's ``llama`` repository, ``DEFAULT_SYSTEM_PROMPT``),
#: the one chat datasets made with Llama 2 chat models most often carry.
LLAMA_2_SYSTEM = (
    "You are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe. "
    "Your answers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. "
    "Please ensure that your responses are socially unbiased and positive in nature.\n\nIf a question does not make "
    "any sense, or is not factually coherent, explain why instead of answering something not correct. If you don't "
    "know the answer to a question, please don't share false information.")
METRICS = ("diversity.distinct_2", "diversity.self_bleu_4", "duplicates.near_duplicate_rate", "embeddings.vendi_1",
           "embeddings.mean_pairwise_cosine")


def chats(rows: int, system: str | None) -> dict[str, list]:
    """GSM8K train's first ``rows`` questions and answers as OpenAI chats, under ``system``."""
    lines = (DATA / "benchmarks" / "gsm8k" / "train.jsonl").read_text().splitlines()[:rows]
    opening = [{"role": "system", "content": system}] if system else []
    return {"messages": [opening + [{"role": "user", "content": row["question"]}, {"role": "assistant", "content": row["answer"]}]
                         for row in map(json.loads, lines)]}


def as_chatml(data: dict[str, list]) -> dict[str, list]:
    """The chats as one column of text, as ChatML's template renders them."""
    return {"text": ["".join(f"<|im_start|>{turn['role']}\n{turn['content']}<|im_end|>\n" for turn in chat)
                     for chat in data["messages"]]}


#: Alpaca's prompt template (Stanford Alpaca's ``PROMPT_DICT["prompt_no_input"]``) with its answer.
ALPACA = ("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
          "### Instruction:\n{question}\n\n### Response:\n{answer}")


def as_alpaca(data: dict[str, list]) -> dict[str, list]:
    """The chats' question and answer as one column of text in Alpaca's prompt template."""
    return {"text": [ALPACA.format(question=chat[-2]["content"], answer=chat[-1]["content"]) for chat in data["messages"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: this benchmark uses GSM8K from ../shared/data")
    runs = {
        "no system turn": (chats(args.rows, None), None),
        "Llama 2's system prompt, default reading": (chats(args.rows, LLAMA_2_SYSTEM), None),
        "the same, --role system,user,assistant": (chats(args.rows, LLAMA_2_SYSTEM), ["system", "user", "assistant"]),
        "the same as ChatML text, default reading": (as_chatml(chats(args.rows, LLAMA_2_SYSTEM)), None),
        "the same as ChatML text, --role system,user,assistant": (as_chatml(chats(args.rows, LLAMA_2_SYSTEM)),
                                                                 ["system", "user", "assistant"]),
        "the rows in Alpaca's template, default reading": (as_alpaca(chats(args.rows, None)), None),
    }
    table = Table(title=f"{args.rows:,} GSM8K train chats; {cpu()}; {date.today()}")
    table.add_column("text read")
    for metric in METRICS:
        table.add_column(metric.split(".")[1], justify="right")
    for name, (data, role) in runs.items():
        report = qcaudit.audit(data, analyzers=["diversity", "duplicates", "embeddings"], role=role, progress=False)
        table.add_row(name, *(f"{report.value(metric):.4g}" for metric in METRICS))
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
