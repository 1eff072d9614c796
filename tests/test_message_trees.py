"""Flat tables of messages that name their parents (OpenAssistant's OASST1 and OASST2): each
message's thread is its prompt, an assistant's message its response."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit import audit
from qcaudit.columns import CHOSEN, PROMPT, REJECTED, RESPONSE
from qcaudit.config import load_config
from qcaudit.io import load_dataset
from tests.test_hostile_inputs import _tiny_reward_model_and_lm, one_line_error, qc  # noqa: F401  (a fixture)


@st.composite
def forests(draw, ranked: bool = False) -> list[dict]:
    """Messages in OASST's columns, each a root or a reply to an earlier one (or, now and then,
    to a message the table lacks), the replies' roles alternating from a prompter's root;
    ``ranked``: an assistant's reply ranked among its siblings now and then (OASST's ``rank``,
    0 the best)."""
    messages = []
    for i in range(draw(st.integers(1, 14))):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1) if i else st.none(), st.just(-1)))
        depth = 0 if parent is None or parent < 0 else messages[parent]["_depth"] + 1
        messages.append({"message_id": f"m{i}", "parent_id": None if parent is None else "gone" if parent < 0 else f"m{parent}",
                         "role": "assistant" if depth % 2 else "prompter", "text": draw(st.sampled_from(["", f"message {i}"])),
                         "_depth": depth})
        if ranked:
            messages[-1]["rank"] = draw(st.one_of(st.none(), st.integers(0, 3))) if depth % 2 else None
    return messages


@settings(max_examples=40, deadline=None)
@given(messages=forests())
def test_a_message_s_prompt_is_its_thread_and_an_assistant_s_text_its_response(messages):
    """Against a walk up the tree in Python: each message's prompt is its ancestors' texts from
    the root down, one a line (empty texts left out; none for a root, and the walk ends at a
    parent the table lacks); its response is its text where an assistant wrote it. The text
    is the message's own."""
    by_id = {m["message_id"]: m for m in messages}
    frame = pl.DataFrame([{k: v for k, v in m.items() if k != "_depth"} for m in messages])
    got = load_dataset(frame).selected(parts=(PROMPT, RESPONSE)).collect()
    expected_prompts = []
    for message in messages:
        thread, up = [], message["parent_id"]
        while up in by_id:
            thread.insert(0, by_id[up]["text"])
            up = by_id[up]["parent_id"]
        expected_prompts.append("\n".join(t for t in thread if t) or None)
    assert got[PROMPT].to_list() == expected_prompts
    assert got[RESPONSE].to_list() == [m["text"] if m["role"] == "assistant" else None for m in messages]
    assert got["text"].to_list() == [m["text"] or None for m in messages]


@settings(max_examples=40, deadline=None)
@given(messages=forests(ranked=True))
def test_the_best_and_worst_ranked_replies_to_a_message_are_a_pair_on_the_best_s_row(messages):
    """Against Python's reading of OASST's ranks: the assistant replies to one message that
    are ranked, where their ranks differ, give one pair, the best's text (the first of the
    lowest rank in the input's order) chosen and the worst's (the first of the highest)
    rejected, on the best reply's row; every other row holds no pair. The pairs turn the
    preference analyzer on and are its pairs."""
    frame = pl.DataFrame([{k: v for k, v in m.items() if k != "_depth"} for m in messages],
                         schema_overrides={"rank": pl.Int64, "parent_id": pl.String})
    replies: dict[str, list[dict]] = {}
    for message in messages:
        if message["role"] == "assistant" and message["rank"] is not None:
            replies.setdefault(message["parent_id"], []).append(message)
    chosen, rejected = [None] * len(messages), [None] * len(messages)
    for siblings in replies.values():
        ranks = [m["rank"] for m in siblings]
        if min(ranks) != max(ranks):
            best = next(m for m in siblings if m["rank"] == min(ranks))
            worst = next(m for m in siblings if m["rank"] == max(ranks))
            row = messages.index(best)
            chosen[row], rejected[row] = best["text"], worst["text"]
    if all(c is None for c in chosen):
        assert not load_dataset(frame).has_part(CHOSEN)
        return
    got = load_dataset(frame).selected(parts=(CHOSEN, REJECTED)).collect()
    assert got[CHOSEN].to_list() == chosen and got[REJECTED].to_list() == rejected
    report = audit(frame, load_config(None, {"analyzers": ["duplicates"]}))
    assert "preference" in report.config["analyzers"]
    assert report.value("preference.pairs") == sum(c is not None for c in chosen)


def test_a_message_tree_audits_as_messages_and_filters_write_its_columns_alone(qc, tmp_path):  # noqa: F811
    """OASST's layout is said on the load line; the reasoning analyzer reads an assistant's
    reasoning as a chat's, and its ranked replies as a pair; ``dedup`` writes back the input's
    columns, not the threads or the pairs; a tree
    whose parents go round in a cycle is one line and exit 2."""
    rows = [("m1", None, "prompter", "What is the capital of France?", None),
            ("m2", "m1", "assistant", "<think>It is Paris.</think> Paris.", 0),
            ("m3", "m1", "assistant", "<think>Paris, I think", 1),
            ("m4", "m2", "prompter", "And of Germany?", None)]
    frame = pl.DataFrame(rows, schema=["message_id", "parent_id", "role", "text", "rank"], orient="row")
    frame.write_parquet(data := tmp_path / "oasst.parquet")
    report = audit(data, load_config(None, {}))
    assert "a tree of messages" in report.dataset["text_source"] and "ranked replies to a message a pair" in report.dataset["text_source"]
    assert report.value("reasoning.reasoning_rate") == 1.0 and report.value("reasoning.unfinished_rate") == 0.5
    assert report.value("preference.pairs") == 1
    ran = qc("dedup", data, "-o", kept := tmp_path / "kept.parquet")
    assert ran.code == 0, ran.err
    assert pl.read_parquet(kept).equals(frame)
    cycle = pl.DataFrame([("a", "b", "prompter", "x", None), ("b", "a", "assistant", "y", None)], schema=frame.columns, orient="row")
    cycle.write_parquet(looped := tmp_path / "cycle.parquet")
    one_line_error(qc("report", looped, "--out", tmp_path / "o"), "hold a cycle")
    assert not (tmp_path / "o").exists()


def test_a_message_tree_is_scored_as_its_threads_and_replies_written_as_prompts_and_responses(tmp_path):
    """The reward and IFD analyzers score each assistant message after its thread exactly as
    they score the same threads and replies written as prompt and response columns (the
    reference, built by walking the tree in Python); a prompter's message is not scored."""
    reward_model, lm = _tiny_reward_model_and_lm(tmp_path)
    rows = [("m1", None, "prompter", "What is the capital of France?"), ("m2", "m1", "assistant", "It is Paris."),
            ("m3", "m2", "prompter", "And of Germany?"), ("m4", "m3", "assistant", "Berlin, the largest city."),
            ("m5", "m1", "assistant", "Paris, of course."), ("m6", None, "prompter", "Name a colour.")]
    frame = pl.DataFrame(rows, schema=["message_id", "parent_id", "role", "text"], orient="row")
    settings = {"analyzers": ["reward", "ifd"], "reward.model": str(reward_model), "ifd.model": str(lm)}
    tree = audit(frame, load_config(None, settings)).rows.sort("row_id")
    prompts = ["What is the capital of France?", "What is the capital of France?\nIt is Paris.\nAnd of Germany?",
               "What is the capital of France?"]
    plain = pl.DataFrame({"prompt": prompts, "response": ["It is Paris.", "Berlin, the largest city.", "Paris, of course."]})
    flat = audit(plain, load_config(None, settings)).rows.sort("row_id")
    answered = tree.filter(pl.col("row_id").is_in([1, 3, 4]))
    for column in ("reward_score", "ifd"):
        assert answered[column].to_list() == pytest.approx(flat[column].to_list(), abs=1e-6)
        assert tree.filter(pl.col("row_id").is_in([0, 2, 5]))[column].null_count() == 3
