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
"""

from __future__ import annotations

import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.text_columns import FIELD_SEPARATOR, non_empty

#: The columns that make a table a message tree, found by these names.
MESSAGE_ID, PARENT_ID, ROLE, MESSAGE_TEXT = "message_id", "parent_id", "role", "text"
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
