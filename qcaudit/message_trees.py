"""Conversations saved as a flat table of messages, each naming its parent: OpenAssistant's
OASST1 and OASST2 (``message_id``, ``parent_id``, ``role`` ``prompter`` or ``assistant``,
``text``), as their Hugging Face release holds them.

Each row is one message, and its text is the message's. What the analyzers that read a prompt
and its response (reward, IFD, reasoning, answers) need of a row is its thread: the messages
from the tree's root down to its parent, as a chat's prompt is its turns before the answer.
The thread is found once, when the data is opened: the ids and texts are read (the whole
column of texts, which for OASST2 is some 135,000 messages) and joined up the tree a level
at a time; the rows then read it beside their own text, an assistant message's text being
its response. A prompter's message is no response.

OASST's annotators also ranked the assistant replies to one message (``rank``, 0 the best):
where a message has two or more replies ranked apart, the best and the worst are a preference
pair, held on the best reply's row (its thread is the pair's prompt), as the best and worst
answers of a ranked list are a row's pair elsewhere.
"""

from __future__ import annotations

import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.text_columns import FIELD_SEPARATOR, non_empty

#: The columns that make a table a message tree, found by these names, and the column of the
#: annotators' ranks of the replies to one message (0 the best).
MESSAGE_ID, PARENT_ID, ROLE, MESSAGE_TEXT = "message_id", "parent_id", "role", "text"
RANK = "rank"
#: The role whose messages are responses (OASST's other is ``prompter``).
ANSWERING_ROLE = "assistant"
#: Levels a thread is followed up before the tree is refused as holding a cycle (OASST's
#: deepest threads are a few dozen messages).
MAX_DEPTH = 1_000


def is_message_tree(schema: pl.Schema) -> bool:
    """Whether the input is a flat table of messages that name their parents."""
    return (all(schema.get(name) == pl.String for name in (MESSAGE_ID, ROLE, MESSAGE_TEXT))
            and schema.get(PARENT_ID) in (pl.String, pl.Null))  # (Null: every message a root)


def with_threads(frame: pl.LazyFrame, thread: str, reply: str) -> pl.LazyFrame:
    """``frame`` with each message's thread (the texts of its ancestors, the root first, one a
    line, the empty left out; null for a root) as column ``thread``, and its text as column ``reply`` where an
    assistant wrote it."""
    messages = frame.select(MESSAGE_ID, PARENT_ID, MESSAGE_TEXT).collect()
    parents = messages.select(pl.col(MESSAGE_ID).alias("_up"), pl.col(PARENT_ID).cast(pl.String).alias("_next"),
                              non_empty(pl.col(MESSAGE_TEXT)).alias("_said"))  # (an empty message joins as none)
    walk = messages.select(MESSAGE_ID, pl.col(PARENT_ID).cast(pl.String).alias("_up"), pl.lit(None, pl.String).alias(thread))
    done = []  # (the messages whose threads reached their root, set aside so that each level joins the rest alone)
    for _ in range(MAX_DEPTH):
        done.append(walk.filter(pl.col("_up").is_null()))
        walk = walk.filter(pl.col("_up").is_not_null())
        if not walk.height:
            break
        walk = walk.join(parents, on="_up", how="left").select(
            MESSAGE_ID, pl.col("_next").alias("_up"),
            non_empty(pl.concat_str([pl.col("_said"), pl.col(thread)], separator=FIELD_SEPARATOR, ignore_nulls=True))
            .alias(thread))  # (an ancestor the table lacks ends the thread: its text and parent are null)
    else:
        raise QcauditError(f"the messages' {PARENT_ID}s go up more than {MAX_DEPTH:,} levels: they hold a cycle")
    # (a message id given twice: its first)
    threads = pl.concat(done).select(MESSAGE_ID, thread).unique(MESSAGE_ID, keep="first", maintain_order=True).lazy()
    return frame.join(threads, on=MESSAGE_ID, how="left", maintain_order="left").with_columns(
        pl.when(pl.col(ROLE).str.to_lowercase() == ANSWERING_ROLE).then(pl.col(MESSAGE_TEXT)).alias(reply))


def has_ranks(schema: pl.Schema) -> bool:
    """Whether the message tree ranks its replies (a column ``rank`` of numbers)."""
    return RANK in schema and schema[RANK].is_numeric()


def with_ranked_pairs(frame: pl.LazyFrame, chosen: str, rejected: str) -> pl.LazyFrame | None:
    """``frame`` with a preference pair on the row of each best-ranked assistant reply that has
    siblings ranked below it: its text as column ``chosen``, the worst-ranked sibling's as
    column ``rejected`` (the first in the input's order of equal ranks); null elsewhere. None
    where no message has replies ranked apart."""
    replies = frame.filter((pl.col(ROLE).str.to_lowercase() == ANSWERING_ROLE) & pl.col(RANK).is_not_null()
                           & pl.col(PARENT_ID).is_not_null())
    pairs = (replies.group_by(PARENT_ID, maintain_order=True)
             .agg(pl.col(MESSAGE_ID).sort_by(RANK, maintain_order=True).first(),
                  pl.col(MESSAGE_TEXT).sort_by(RANK, descending=True, maintain_order=True).first().alias(rejected),
                  pl.col(RANK).n_unique().alias("_ranks"))
             .filter(pl.col("_ranks") > 1).select(MESSAGE_ID, rejected)
             .unique(MESSAGE_ID, keep="first", maintain_order=True).collect())  # (a message id given twice: its first)
    if not pairs.height:
        return None
    return frame.join(pairs.lazy(), on=MESSAGE_ID, how="left", maintain_order="left").with_columns(
        pl.when(pl.col(rejected).is_not_null()).then(pl.col(MESSAGE_TEXT)).alias(chosen))
