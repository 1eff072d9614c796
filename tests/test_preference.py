"""Prompt/response and preference-pair inputs, and the preference analyzer: planted pair sets
give the planted rates exactly, token counts are Python's str.split(), the sign test is
scipy's, chat-format pairs read the last assistant turn, a missing pair field is one line."""

from __future__ import annotations

import json
import os
import random

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import binomtest
from streamlit.testing.v1 import AppTest

from qcaudit import audit
from qcaudit.config import load_config
from qcaudit.errors import QcauditError
from qcaudit.io import TextSelection, load_dataset
from qcaudit.sampling import write_sample
from tests.test_dashboard import APP, ENV
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (a fixture)

PAIRS = {"input.chosen": "chosen", "input.rejected": "rejected", "analyzers": ["preference"]}


def planted(longer: int, shorter: int, identical: int, same_length: int, seed: int = 0) -> pl.DataFrame:
    """Pairs whose length relation is planted: chosen longer, shorter, identical, or of equal
    length but different words; shuffled."""
    rng = random.Random(seed)
    words = lambda n: " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(n))  # noqa: E731
    rows = []
    for _ in range(longer):
        n = rng.randint(1, 20)
        rows.append((words(n + rng.randint(1, 9)), words(n)))
    for _ in range(shorter):
        n = rng.randint(1, 20)
        rows.append((words(n), words(n + rng.randint(1, 9))))
    for _ in range(identical):
        text = words(rng.randint(1, 20))
        rows.append((text, f"  {text}\n"))
    for i in range(same_length):
        rows.append((f"left {i} {words(3)}", f"right {i} {words(3)}"))
    rng.shuffle(rows)
    return pl.DataFrame({"prompt": [f"question {i}" for i in range(len(rows))],
                         "chosen": [c for c, _ in rows], "rejected": [r for _, r in rows]})


@pytest.mark.parametrize("longer, shorter, identical, same_length", [(30, 10, 5, 5), (0, 12, 0, 3), (7, 7, 1, 0)])
def test_planted_pairs_give_the_planted_rates(tmp_path, longer, shorter, identical, same_length):
    data = tmp_path / "pairs.parquet"
    frame = planted(longer, shorter, identical, same_length)
    frame.write_parquet(data)
    report = audit(data, load_config(None, PAIRS))
    n = longer + shorter + identical + same_length
    value = lambda name: report.value(f"preference.{name}")  # noqa: E731
    assert value("pairs") == n
    assert value("chosen_longer_rate") == longer / n
    assert value("identical_rate") == identical / n
    assert value("length_sign_p") == (binomtest(longer, longer + shorter, 0.5).pvalue if longer + shorter else 1.0)
    diffs = [len(c.split()) - len(r.split()) for c, r in frame.select("chosen", "rejected").iter_rows()]
    assert value("length_diff_mean") == pytest.approx(sum(diffs) / n, abs=1e-12)
    assert report.rows["pair_length_diff"].to_list() == diffs
    assert report.rows.filter(pl.col("pair_identical")).height == identical


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=30), st.text(max_size=30)), min_size=1, max_size=20))
def test_tokens_are_counted_as_str_split_counts_them(tmp_path_factory, pairs):
    data = tmp_path_factory.mktemp("p") / "pairs.parquet"
    pl.DataFrame({"prompt": ["q"] * len(pairs), "chosen": [c for c, _ in pairs], "rejected": [r for _, r in pairs],
                  "text": ["t"] * len(pairs)}).write_parquet(data)
    report = audit(data, load_config(None, PAIRS))
    assert report.rows["chosen_tokens"].to_list() == [len(c.split()) for c, _ in pairs]
    assert report.rows["rejected_tokens"].to_list() == [len(r.split()) for _, r in pairs]
    assert report.rows["pair_identical"].to_list() == [c.strip() == r.strip() for c, r in pairs]


@settings(max_examples=300, deadline=None)
@given(*[st.text(alphabet="ab :\n", max_size=size) for size in (8, 6, 6)])
def test_pairs_without_a_prompt_field_share_their_implicit_prompt(shared, chosen_end, rejected_end):
    """Text pairs without a prompt field: the prompt is the start both answers share (TRL's
    implicit prompt), a space before the first difference and a word both begin left to the
    answers, which are the rest of each."""
    chosen, rejected = shared + chosen_end, shared + rejected_end
    parts = load_dataset(pl.DataFrame({"chosen": [chosen], "rejected": [rejected]})).selected(
        parts=("prompt", "response", "chosen", "rejected")).collect().row(0, named=True)
    prompt = parts["prompt"] or ""
    assert prompt + parts["chosen"] == chosen and prompt + parts["rejected"] == rejected and parts["response"] == parts["chosen"]
    rests = parts["chosen"], parts["rejected"]
    if all(rests):  # the longest shared start but for a space before the difference and a word begun
        assert os.path.commonprefix(rests).removeprefix(" ").isalnum() or not os.path.commonprefix(rests).removeprefix(" ")
        assert not (prompt[-1:].isalnum() and (rests[0][0].isalnum() or rests[1][0].isalnum()))  # not inside a word
    else:  # one answer is the other's start: all of it is the prompt
        assert prompt == min(chosen, rejected, key=len)


def test_anthropic_hh_transcripts_give_the_dialogue_as_the_prompt():
    """TRL's own example of an implicit prompt, and an HH-RLHF transcript pair."""
    example = load_dataset(pl.DataFrame({"chosen": ["The sky is blue."], "rejected": ["The sky is green."]}))
    assert example.selected(parts=("prompt", "chosen", "rejected")).collect().drop("row_id", "text", "text_status").row(0) == (
        "The sky is", " blue.", " green.")
    dialogue = "\n\nHuman: What is 2 + 2?\n\nAssistant:"
    hh = load_dataset(pl.DataFrame({"chosen": [dialogue + " It is 4."], "rejected": [dialogue + " I do not know."]}))
    assert hh.selected(parts=("prompt", "response")).collect().drop("row_id", "text", "text_status").row(0) == (dialogue, " It is 4.")
    # (TRL's own split would give the prompt the "I" both answers open with)


def _chat(*turns: tuple[str, str]) -> list[dict[str, str]]:
    return [{"role": role, "content": content} for role, content in turns]


def test_chat_pairs_read_the_last_assistant_turn_and_prompts_the_turns_before(tmp_path):
    data = tmp_path / "chat.parquet"
    chosen = [_chat(("user", "hi"), ("assistant", "a long kind answer"), ("user", "and?"), ("assistant", "more words here")),
              _chat(("user", "q"), ("assistant", "same"))]
    rejected = [_chat(("user", "hi"), ("assistant", "x"), ("user", "and?"), ("assistant", "no")),
                _chat(("user", "q"), ("assistant", "same"))]
    pl.DataFrame({"chosen": chosen, "rejected": rejected}).write_parquet(data)
    report = audit(data, load_config(None, PAIRS))
    assert report.rows["chosen_tokens"].to_list() == [3, 1] and report.rows["rejected_tokens"].to_list() == [1, 1]
    assert report.value("preference.identical_rate") == 0.5
    parts = load_dataset(data, TextSelection(chosen="chosen", rejected="rejected")).selected(parts=("prompt",)).collect()
    assert parts["prompt"].to_list() == ["hi\na long kind answer\nand?", "q"]


def test_prompt_fields_and_response_column_make_the_parts(tmp_path):
    data = tmp_path / "sft.parquet"
    pl.DataFrame({"instruction": ["Add.", "Sort.", None], "input": ["1 2", "", None], "output": ["3", "done", "x"]}).write_parquet(data)
    selection = TextSelection(text_column="output", prompt=("instruction", "input"), response="output")
    parts = load_dataset(data, selection).selected(parts=("prompt", "response")).collect()
    assert parts["prompt"].to_list() == ["Add.\n1 2", "Sort.", None]  # empty fields skipped, as --fields
    assert parts["response"].to_list() == ["3", "done", "x"]


def test_parts_are_read_as_the_text_is_whatever_their_columns_hold(tmp_path):
    """A prompt field of paragraphs (a list of strings) and an answer stored as bytes read as
    the text reads them, not as Polars' rendering of a list or a failed cast."""
    data = tmp_path / "stored.parquet"
    pl.DataFrame({"paragraphs": [["First line.", "Second line."]], "answer": [b"caf\xc3\xa9"]}).write_parquet(data)
    selection = TextSelection(text_column="answer", prompt=("paragraphs",), response="answer")
    parts = load_dataset(data, selection).selected(parts=("prompt", "response")).collect()
    assert parts.select("text", "prompt", "response").row(0) == ("café", "First line.\nSecond line.", "café")


def test_a_missing_pair_field_is_one_line(qc, tmp_path):  # noqa: F811
    data, renamed = tmp_path / "pairs.parquet", tmp_path / "renamed.parquet"
    planted(3, 1, 0, 0).write_parquet(data)
    planted(3, 1, 0, 0).rename({"chosen": "good", "rejected": "bad"}).write_parquet(renamed)
    one_line_error(qc("report", renamed, "--text-column", "good", "--analyzers", "preference", "--out", tmp_path / "o"),
                   "needs each row's chosen and rejected: give --chosen-field and --rejected-field; columns: prompt, good, bad")
    one_line_error(qc("report", data, "--chosen-field", "chosen", "--rejected-field", "nope", "--out", tmp_path / "o"), "'nope'")
    one_line_error(qc("report", data, "--chosen-field", "chosen", "--out", tmp_path / "o"),  # was: no preference, no word
                   "--chosen-field needs --rejected-field too")
    one_line_error(qc("report", data, "--rejected-field", "rejected", "--out", tmp_path / "o"), "--rejected-field needs --chosen-field too")
    ran = qc("report", data, "--chosen-field", "chosen", "--rejected-field", "rejected", "--out", tmp_path / "o", "-q")
    assert ran.code == 0  # the pair fields switch the analyzer on
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["metrics"]["preference"]["chosen_longer_rate"]["value"] == 0.75
    assert "Preferences" in (tmp_path / "o" / "report.html").read_text()
    shown = qc("show", tmp_path / "o", "--section", "preference")
    assert shown.code == 0 and "chosen longer" in shown.out


def test_pairs_and_prompts_are_found_by_column_name_as_their_flags_would_name_them(tmp_path):
    data = tmp_path / "pairs.parquet"
    planted(9, 4, 2, 3, seed=3).write_parquet(data)
    found = audit(data, load_config(None, {}))
    named = audit(data, load_config(None, {"input.chosen": "chosen", "input.rejected": "rejected", "input.prompt": ["prompt"]}))
    assert found.metrics["preference"] == named.metrics["preference"] and found.value("preference.pairs") == 18
    assert (found.config["input"]["chosen"], found.config["input"]["rejected"], found.config["input"]["prompt"]) == (
        "chosen", "rejected", ["prompt"])  # the report says where the pairs came from
    assert found.dataset["text_source"] == "fields prompt, chosen joined by newlines"
    only = audit(data, load_config(None, {"analyzers": ["duplicates"]}))
    assert set(only.metrics) == {"duplicates", "preference"}  # found pairs switch it on, as --chosen-field does


def test_the_layouts_found_by_name_give_each_rows_parts(tmp_path):
    def parts(rows: dict, wanted=("prompt", "response")) -> dict:
        path = tmp_path / "d.parquet"
        pl.DataFrame(rows).write_parquet(path)
        return load_dataset(path).selected(parts=wanted).collect().select(*wanted).to_dict(as_series=False)

    alpaca = {"instruction": ["Add.", "Sort."], "input": ["1 2", ""], "output": ["3", "done"]}
    assert parts(alpaca) == {"prompt": ["Add.\n1 2", "Sort."], "response": ["3", "done"]}
    no_input = {"instruction": ["Add 1 and 2."], "output": ["3"]}
    assert parts(no_input) == {"prompt": ["Add 1 and 2."], "response": ["3"]}
    completion = {"prompt": ["The sky is"], "completion": [" blue."]}  # TRL's prompt-completion layout
    assert parts(completion) == {"prompt": ["The sky is"], "response": [" blue."]}
    conversational = {"prompt": [_chat(("system", "Be brief."), ("user", "Sky colour?"))],  # TRL's conversational pairs
                      "chosen": [_chat(("assistant", "Blue."))], "rejected": [_chat(("assistant", "Green, I think."))]}
    assert parts(conversational, ("prompt", "chosen", "rejected")) == {
        "prompt": ["Be brief.\nSky colour?"], "chosen": ["Blue."], "rejected": ["Green, I think."]}
    ultrainteract = {"task": ["Coding"], "trajectory": [[{"from": "user", "value": "Write add(a, b)."},  # (openbmb/UltraInteract_pair)
                                                          {"from": "assistant", "value": "return a - b"}, {"from": "user", "value": "Wrong."}]],
                     "chosen": ["return a + b"], "rejected": ["return a * b"]}
    assert parts(ultrainteract, ("prompt", "chosen", "rejected")) == {  # (not the answers' shared start, "return a", as the prompt)
        "prompt": ["Write add(a, b).\nreturn a - b\nWrong."], "chosen": ["return a + b"], "rejected": ["return a * b"]}
    orca = {"system": ["You are an AI assistant."], "input": ["What is 2+2?"],  # (argilla/distilabel-intel-orca-dpo-pairs)
            "chosen": ["The answer is 4."], "rejected": ["The answer is 5."]}
    assert parts(orca, ("prompt", "chosen", "rejected")) == {  # (its system prompt before the input, as a chat's)
        "prompt": ["You are an AI assistant.\nWhat is 2+2?"], "chosen": ["The answer is 4."], "rejected": ["The answer is 5."]}
    with pytest.raises(QcauditError, match="needs each row's chosen and rejected"):  # flags, not answers
        parts({"prompt": ["p"], "response": ["r"], "chosen": [True], "rejected": [False]}, ("chosen", "rejected"))
    named = load_dataset(tmp_path / "d.parquet", TextSelection(text_column="prompt", response="prompt"))
    assert named.selection.response == "prompt"  # a flag wins over a name


def test_the_dashboard_page_draws_the_pairs(qc, tmp_path, monkeypatch):  # noqa: F811
    data = tmp_path / "pairs.parquet"
    planted(8, 2, 1, 1).write_parquet(data)
    assert qc("report", data, "--chosen-field", "chosen", "--rejected-field", "rejected", "--out", tmp_path / "o", "-q").code == 0
    monkeypatch.setenv(ENV, os.pathsep.join([str(tmp_path / "o")]))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.sidebar.radio(key="page").set_value("Preferences").run()
    assert not at.exception, at.exception
    assert at.metric[0].value == f"{8 / 12:.1%}" and at.get("plotly_chart")


@pytest.mark.parametrize("layout", ["named", "found", "ranked"], ids=["pairs named", "pairs found by name", "pairs ranked in a list"])
def test_reward_agreement_is_each_pairs_margin_scored_alone(tmp_path, layout):
    from tests.test_reward import _alone, _reward_model

    model = _reward_model(tmp_path / "rm", pad=True, template=True)
    data = tmp_path / "pairs.parquet"
    frame = planted(12, 9, 2, 4, seed=5)
    if layout == "ranked":  # the same pairs as UltraFeedback's completions, scored, the chosen one first or second
        scored = lambda text, score: {"response": text, "model": "m", "fine-grained_score": score}  # noqa: E731
        frame.select(pl.col("prompt").alias("instruction"), pl.struct("chosen", "rejected").map_elements(
            lambda pair: [scored(pair["chosen"], 4.5), scored(pair["rejected"], 2.0)][:: 1 if len(pair["chosen"]) % 2 else -1],
            return_dtype=pl.List(pl.Struct({"response": pl.String, "model": pl.String, "fine-grained_score": pl.Float64}))
        ).alias("completions")).write_parquet(data)
    else:
        frame.write_parquet(data)
    pairs = {"input.chosen": "chosen", "input.rejected": "rejected", "input.prompt": ["prompt"]} if layout == "named" else {}
    report = audit(data, load_config(None, pairs | {"reward.model": str(model), "reward.batch_size": 3}))
    assert "reward" not in report.metrics  # on pairs, the reward model serves the agreement
    prompts = frame["prompt"].to_list()
    margin = _alone(model, prompts, frame["chosen"].to_list(), True) - _alone(model, prompts, frame["rejected"].to_list(), True)
    assert abs(report.rows["reward_margin"].to_numpy() - margin).max() < 1e-4
    assert report.value("preference.rm_agreement") == pytest.approx(float((margin > 0).mean()))
    chosen = np.array([len(t.split()) for t in frame["chosen"]])
    rejected = np.array([len(t.split()) for t in frame["rejected"]])
    matched = np.abs(chosen - rejected) <= np.maximum(1, 0.1 * np.maximum(chosen, rejected))
    assert report.value("preference.length_matched_pairs") == int(matched.sum()) > 0
    assert report.value("preference.rm_agreement_length_matched") == pytest.approx(float((margin[matched] > 0).mean()))


# Preference pairs judged by a column (qcaudit.judged_pairs) ------------------------------------

def _preferred(layout: str, verdict) -> int | None:
    """Which answer (0: the first, 1: the second) a row's verdict prefers, as each dataset's
    card defines it; None for a tie or no verdict."""
    if verdict is None:
        return None
    if layout == "arena":  # lmsys/chatbot_arena_conversations: winner is model_a, model_b, tie or tie (bothbad)
        return {"model_a": 0, "model_b": 1}.get(verdict)
    if layout in ("helpsteer3", "helpsteer2"):  # overall_preference, preference_strength -3..3: -3 "Response 1 is much better than Response 2"
        return None if verdict == 0 else 0 if verdict < 0 else 1
    if layout == "pku":  # better_response_id: 0 or 1, the index of the better response
        return verdict if verdict in (0, 1) else None
    if layout == "webgpt":  # score_0 in [-1, 1], score_1 = -score_0: a positive score the preferred answer's, 0 a tie
        return None if verdict == 0 else 0 if verdict > 0 else 1
    return {1: 0, 0: 1}.get(verdict)  # SHP: labels is 1 if A is preferred to B, 0 if B is preferred to A


_VERDICTS = {"arena": st.sampled_from(["model_a", "model_b", "tie", "tie (bothbad)", None]),
             "helpsteer3": st.one_of(st.none(), st.integers(-3, 3)), "helpsteer2": st.one_of(st.none(), st.integers(-3, 3)),
             "pku": st.one_of(st.none(), st.integers(0, 1)),
             "shp": st.one_of(st.none(), st.integers(0, 1)),
             "webgpt": st.one_of(st.none(), st.sampled_from([-1.0, -2 / 3, -1 / 3, 0.0, 1 / 3, 2 / 3, 1.0]))}


def _judged_rows(layout: str, prompts: list[str], firsts: list[str], seconds: list[str], verdicts: list) -> pl.DataFrame:
    """The rows as each dataset lays them out."""
    if layout == "arena":
        chat = lambda prompt, answer: _chat(("user", prompt), ("assistant", answer))  # noqa: E731
        return pl.DataFrame({"question_id": [str(i) for i in range(len(prompts))], "model_a": "gpt-4", "model_b": "vicuna",
                             "winner": pl.Series(verdicts, dtype=pl.String),
                             "conversation_a": [chat(p, a) for p, a in zip(prompts, firsts, strict=True)],
                             "conversation_b": [chat(p, b) for p, b in zip(prompts, seconds, strict=True)], "turn": 1})
    if layout == "webgpt":  # openai/webgpt_comparisons: the question's text inside a struct, a score each
        return pl.DataFrame({"question": [{"dataset": "eli5", "id": str(i), "full_text": p} for i, p in enumerate(prompts)],
                             "answer_0": firsts, "answer_1": seconds, "score_0": pl.Series(verdicts, dtype=pl.Float64),
                             "score_1": pl.Series([None if v is None else -v for v in verdicts], dtype=pl.Float64)})
    names = {"helpsteer3": ("context", "response1", "response2", "overall_preference"),
             "helpsteer2": ("prompt", "response_1", "response_2", "preference_strength"),
             "pku": ("prompt", "response_0", "response_1", "better_response_id"),
             "shp": ("history", "human_ref_A", "human_ref_B", "labels")}[layout]
    prompt = [_chat(("user", p)) for p in prompts] if layout == "helpsteer3" else prompts
    return pl.DataFrame({names[0]: prompt, names[1]: firsts, names[2]: seconds, names[3]: pl.Series(verdicts, dtype=pl.Int64)})


@pytest.mark.parametrize("layout", sorted(_VERDICTS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_judged_pairs_read_the_answer_the_verdict_prefers_as_chosen(tmp_path_factory, layout, data):
    rows = data.draw(st.lists(st.tuples(st.text("ab \n", min_size=1, max_size=6), st.text("cd \n", min_size=1, max_size=6),
                                        _VERDICTS[layout]), min_size=1, max_size=8))
    prompts = [f"Q{i}" for i in range(len(rows))]
    firsts, seconds, verdicts = (list(column) for column in zip(*rows, strict=True))
    path = tmp_path_factory.mktemp("judged") / "pairs.parquet"
    _judged_rows(layout, prompts, firsts, seconds, verdicts).write_parquet(path)
    dataset = load_dataset(path)
    read = dataset.selected(parts=("prompt", "response", "chosen", "rejected")).collect()
    preferred = [_preferred(layout, verdict) for verdict in verdicts]
    answers = list(zip(firsts, seconds, strict=True))
    chosen = [None if p is None else pair[p] for p, pair in zip(preferred, answers, strict=True)]
    rejected = [None if p is None else pair[1 - p] for p, pair in zip(preferred, answers, strict=True)]
    assert read["chosen"].to_list() == chosen and read["rejected"].to_list() == rejected
    assert read["response"].to_list() == chosen and read["prompt"].to_list() == prompts
    # the text: the prompt once, then both answers, whatever the verdict (a tie's answers are data too)
    assert read["text"].to_list() == [f"{p}\n{a}\n{b}" for p, a, b in zip(prompts, firsts, seconds, strict=True)]
    assert dataset.prompt_within_text()


def test_judged_pairs_audit_as_the_same_pairs_saved_chosen_and_rejected(tmp_path):
    rng = random.Random(4)
    words = lambda: " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(rng.randint(1, 12)))  # noqa: E731
    prompts = [f"question {i}" for i in range(60)]
    firsts, seconds = [words() for _ in prompts], [words() for _ in prompts]
    verdicts = [rng.choice(["model_a", "model_b", "tie", "tie (bothbad)"]) for _ in prompts]
    _judged_rows("arena", prompts, firsts, seconds, verdicts).write_parquet(arena := tmp_path / "arena.parquet")
    kept = [(p, (a, b)[w == "model_b"], (b, a)[w == "model_b"])
            for p, a, b, w in zip(prompts, firsts, seconds, verdicts, strict=True) if w in ("model_a", "model_b")]
    pl.DataFrame(kept, schema=["prompt", "chosen", "rejected"], orient="row").write_parquet(saved := tmp_path / "saved.parquet")
    judged, plain = audit(arena, load_config(None, {})), audit(saved, load_config(None, {}))
    assert judged.metrics["preference"] == plain.metrics["preference"] and judged.value("preference.pairs") == len(kept) < 60
    said = judged.config["input"]
    assert (said["chosen"], said["rejected"], said["preferred_by"]) == ("conversation_a", "conversation_b", "winner")
    assert judged.dataset["text_source"] == ("fields conversation_a, conversation_b joined by newlines "
                                             "(pairs of conversation_a and conversation_b, chosen as winner says)")
    again = audit(arena, load_config(None, {f"input.{key}": said[key] for key in ("chosen", "rejected", "preferred_by")}))
    assert again.metrics["preference"] == judged.metrics["preference"]  # the report's settings read the same pairs


def test_the_arena_kaggle_set_s_one_hot_verdict_judges_its_pairs(tmp_path):
    """lmarena-ai/arena-human-preference-55k: a prompt and two answers, each a JSON array of
    turns' texts in a CSV, and the verdict one-hot in winner_model_a, winner_model_b and
    winner_tie: the pairs are those the one-hot verdict names, ties none; without the column
    it is read beside, the verdict is refused in one line."""
    won = [i % 3 for i in range(12)]  # 0: model a, 1: model b, 2: a tie
    rows = pl.DataFrame({"id": range(12), "model_a": "gpt-4", "model_b": "llama",
                         "prompt": [json.dumps([f"Ask {i}?"]) for i in range(12)],
                         "response_a": [json.dumps([f"A{i}."]) for i in range(12)],
                         "response_b": [json.dumps([f"B{i}."]) for i in range(12)],
                         "winner_model_a": [int(w == 0) for w in won], "winner_model_b": [int(w == 1) for w in won],
                         "winner_tie": [int(w == 2) for w in won]})
    rows.write_csv(data := tmp_path / "train.csv")
    read = load_dataset(data)
    assert (read.selection.chosen, read.selection.rejected, read.selection.preferred_by) == ("response_a", "response_b", "winner_model_a")
    pairs = read.selected(parts=("prompt", "chosen", "rejected")).collect()
    assert pairs["prompt"].to_list() == [f"Ask {i}?" for i in range(12)]
    assert pairs["chosen"].to_list() == [(f"A{i}.", f"B{i}.", None)[w] for i, w in enumerate(won)]
    assert pairs["rejected"].to_list() == [(f"B{i}.", f"A{i}.", None)[w] for i, w in enumerate(won)]
    rows.drop("winner_model_b").write_csv(lone := tmp_path / "lone.csv")
    assert load_dataset(lone).selection.preferred_by is None  # (not found: the answers are read, no pair)
    with pytest.raises(QcauditError, match="read with a column of numbers 'winner_model_b', which the input lacks"):
        load_dataset(lone, TextSelection(preferred_by="winner_model_a"))


def test_preferred_by_chooses_the_verdict_and_a_bad_one_is_one_line(qc, tmp_path):  # noqa: F811
    data = tmp_path / "pku.jsonl"
    pl.DataFrame({"prompt": ["How?", "Why?", "When?"], "response_0": ["Like so.", "I won't say.", "Now."],
                  "response_1": ["I won't say.", "Because.", "Never."], "better_response_id": [0, 1, 0],
                  "safer_response_id": [1, 0, 1], "winner": [1, 2, 3]}).write_ndjson(data)
    safer = load_dataset(data, TextSelection(preferred_by="safer_response_id")).selected(parts=("chosen", "rejected")).collect()
    assert safer["chosen"].to_list() == ["I won't say.", "I won't say.", "Never."]
    assert safer["rejected"].to_list() == ["Like so.", "Because.", "Now."]
    pl.read_ndjson(data).drop("prompt").write_ndjson(no_prompt := tmp_path / "no_prompt.jsonl")  # (no implicit prompt cut off them)
    named = TextSelection(chosen="response_0", rejected="response_1", preferred_by="better_response_id")
    better = load_dataset(no_prompt, named).selected(parts=("chosen", "rejected")).collect()
    assert better["chosen"].to_list() == ["Like so.", "Because.", "Now."]
    pl.read_ndjson(data).with_columns(pl.col("better_response_id").cast(pl.String)).write_ndjson(words := tmp_path / "words.jsonl")
    unjudged = load_dataset(words)  # a verdict of another kind than the layout's is not guessed at: the answers are read, no pair
    assert unjudged.selection.chosen is None and unjudged.texts()["text"][0] == "How?\nLike so.\nI won't say."
    one_line_error(qc("report", data, "--preferred-by", "prompt", "--out", tmp_path / "o"),
                   "--preferred-by 'prompt': qcaudit reads these verdicts: winner")
    one_line_error(qc("report", data, "--preferred-by", "winner", "--out", tmp_path / "o"), "'winner' holds Int64, not text")
    one_line_error(qc("report", data, "--preferred-by", "nope", "--out", tmp_path / "o"), "unknown column 'nope'")
    lone = tmp_path / "lone.jsonl"
    pl.DataFrame({"text": ["a b", "c d"], "labels": [0, 1]}).write_ndjson(lone)
    one_line_error(qc("report", lone, "--preferred-by", "labels", "--out", tmp_path / "o"),
                   "--preferred-by 'labels' judges a pair of answers: give --chosen-field and --rejected-field")
    assert not (tmp_path / "o").exists()


def test_the_second_arena_conversation_adds_its_answers_alone_under_role(tmp_path):
    _judged_rows("arena", ["Q1"], ["first answer"], ["second answer"], ["model_b"]).write_parquet(data := tmp_path / "a.parquet")
    sharegpt = pl.read_parquet(data).with_columns(pl.col(name).list.eval(pl.struct(  # (the same chats as ShareGPT lays them out)
        pl.element().struct.field("role").replace({"user": "human", "assistant": "gpt"}).alias("from"),
        pl.element().struct.field("content").alias("value"))) for name in ("conversation_a", "conversation_b"))
    sharegpt.write_parquet(shared := tmp_path / "s.parquet")
    text = lambda path, roles: load_dataset(path, TextSelection(roles=roles)).texts()["text"].item()  # noqa: E731
    for path, answers in ((data, "assistant"), (shared, "gpt"), (shared, "assistant")):
        assert text(path, ("user",)) == "Q1"  # the second conversation's prompt is the first's: read once
        assert text(path, (answers,)) == "first answer\nsecond answer"
        assert text(path, ("user", answers)) == text(path, ()) == "Q1\nfirst answer\nsecond answer"


def test_a_multi_turn_arena_battle_s_answers_are_each_model_s_whole_reply(tmp_path):
    """In a multi-turn Chatbot Arena battle each model answers every turn, and the vote is on
    the whole conversation: each answer is all its model's turns, the prompt the user's turns
    (not the first model's conversation, whose earlier answers are not the second's)."""
    def chat(answers):
        return [turn for question, answer in zip(("Q1?", "Q2?"), answers, strict=True)
                for turn in ({"role": "user", "content": question}, {"role": "assistant", "content": answer})]

    pl.DataFrame({"winner": ["model_b", "model_a", "tie"], "conversation_a": [chat(["a1", "a2"])] * 3,
                  "conversation_b": [chat(["b1 at length", "b2"])] * 3}).write_parquet(data := tmp_path / "battles.parquet")
    parts = load_dataset(data).selected(parts=("prompt", "chosen", "rejected")).collect()
    assert parts["prompt"].to_list() == ["Q1?\nQ2?"] * 3
    assert parts["chosen"].to_list() == ["b1 at length\nb2", "a1\na2", None]
    assert parts["rejected"].to_list() == ["a1\na2", "b1 at length\nb2", None]
    assert parts["text"][0] == "Q1?\na1\nQ2?\na2\nb1 at length\nb2"


# Lists of answers ranked by a field of each (qcaudit.judged_pairs.RANKINGS) ---------------------

#: (prompt, list, answer field, what ranks the answers, whether the highest is the best) of
#: UltraFeedback (openbmb/UltraFeedback: completions, each with a fine-grained_score, the mean
#: of its aspect ratings), Nectar (berkeley-nest/Nectar: answers, each ranked 1 the best) and
#: distilabel's UltraFeedback task (generations, texts, and a column of ratings, one each).
_RANKED = {"ultrafeedback": ("instruction", "completions", "response", "fine-grained_score", True),
           "nectar": ("prompt", "answers", "answer", "rank", False),
           "distilabel": ("instruction", "generations", None, "ratings", True)}


def _best_and_worst(answers: list[tuple[str, float | None]], highest_best: bool) -> tuple[str | None, str | None]:
    """A row's pair as distilabel's FormatTextGenerationDPO pairs ratings (the first of the
    best-rated answers chosen, the first of the worst rejected), but with answers without text
    or a number left out, and no pair where all rank alike."""
    ranked = [(text, score if highest_best else -score) for text, score in answers if text and score is not None]
    if not ranked or max(s for _, s in ranked) == min(s for _, s in ranked):
        return None, None
    best = next(text for text, s in ranked if s == max(s for _, s in ranked))
    worst = next(text for text, s in ranked if s == min(s for _, s in ranked))
    return best, worst


def _ranked_rows(layout: str, prompts: list[str], answer_lists: list[list[tuple[str, float | None]]],
                 extra_ratings: list[list[float]]) -> pl.DataFrame:
    """The rows as each dataset lays them out; ``extra_ratings``: distilabel's ratings past its
    generations (a malformed row's: numbers not one per answer)."""
    prompt_name, listed, answer, ranking, _ = _RANKED[layout]
    written = [f"\n\nHuman: {p}\n\nAssistant:" for p in prompts] if layout == "nectar" else prompts  # (Nectar's: HH transcripts)
    if answer is None:
        return pl.DataFrame({prompt_name: written, listed: [[text for text, _ in answers] for answers in answer_lists],
                             ranking: [[score for _, score in answers] + extra for answers, extra in zip(answer_lists, extra_ratings, strict=True)]},
                            schema_overrides={listed: pl.List(pl.String), ranking: pl.List(pl.Float64)})
    answer_type = pl.List(pl.Struct({answer: pl.String, "model": pl.String, ranking: pl.Float64}))  # (as the file's schema says)
    return pl.DataFrame({prompt_name: written, listed: [[{answer: text, "model": "m", ranking: score} for text, score in answers]
                                                        for answers in answer_lists]}, schema_overrides={listed: answer_type})


@pytest.mark.parametrize("layout", sorted(_RANKED))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_ranked_lists_pair_each_row_s_best_and_worst_answers(tmp_path_factory, layout, data):
    _, listed, _, ranking, highest_best = _RANKED[layout]
    score = st.one_of(st.none(), st.integers(1, 4).map(float))
    answer_lists = data.draw(st.lists(st.lists(st.tuples(st.text("ab \n", max_size=5), score), max_size=4), min_size=1, max_size=6))
    extra = [data.draw(st.lists(score.filter(lambda s: s is not None), max_size=1)) if layout == "distilabel" else [] for _ in answer_lists]
    prompts = [f"Q{i}" for i in range(len(answer_lists))]
    _ranked_rows(layout, prompts, answer_lists, extra).write_parquet(path := tmp_path_factory.mktemp("ranked") / "ranked.parquet")
    dataset = load_dataset(path)
    assert dataset.selection.preferred_by == f"{listed}.{ranking}"
    read = dataset.selected(parts=("prompt", "response", "chosen", "rejected")).collect()
    pairs = [(None, None) if more else _best_and_worst(answers, highest_best) for answers, more in zip(answer_lists, extra, strict=True)]
    assert read["chosen"].to_list() == read["response"].to_list() == [chosen for chosen, _ in pairs]
    assert read["rejected"].to_list() == [rejected for _, rejected in pairs]
    assert read["prompt"].to_list() == prompts
    # the text: the prompt, then the answers a line each (a list of texts as it joins; of objects, those with text)
    joined = ["\n".join(text for text, _ in answers if text or layout == "distilabel") for answers in answer_lists]
    assert read["text"].to_list() == [f"{p}\n{answers}" if answers else p for p, answers in zip(prompts, joined, strict=True)]


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_generations_verified_correct_pair_a_correct_one_with_an_incorrect_one(tmp_path_factory, data):
    """OpenR1-Math's rows: several ``generations`` and Math-Verify's verdict on each in
    ``correctness_math_verify`` (true or false, one per generation). The pair is the first
    correct generation and the first incorrect one, as best and worst of a ranking where true
    is above false (a row all correct, or all incorrect, holds none), beside the SFT chat in
    ``messages``, which stays the text, and whose turns are the prompt and the response (not
    the ``problem`` and NuminaMath's reference ``solution`` beside it)."""
    lists = data.draw(st.lists(st.lists(st.tuples(st.text("ab ", min_size=1, max_size=4), st.booleans()), min_size=1, max_size=4),
                               min_size=1, max_size=6))
    frame = pl.DataFrame({"problem": [f"P{i}?" for i in range(len(lists))], "solution": ["The reference's."] * len(lists),
                          "answer": ["4"] * len(lists),
                          "generations": [[text for text, _ in gens] for gens in lists],
                          "correctness_math_verify": [[verdict for _, verdict in gens] for gens in lists],
                          "is_reasoning_complete": [[True] * len(gens) for gens in lists],
                          "messages": [[{"role": "user", "content": f"P{i}?"}, {"role": "assistant", "content": "A."}]
                                       for i in range(len(lists))]})
    frame.write_parquet(path := tmp_path_factory.mktemp("openr1") / "openr1.parquet")
    dataset = load_dataset(path)
    assert dataset.selection.preferred_by == "generations.correctness_math_verify" and dataset.selection.text_column == "messages"
    read = dataset.selected(parts=("chosen", "rejected", "prompt", "response")).collect()
    assert read["prompt"].to_list() == frame["problem"].to_list() and read["response"].to_list() == ["A."] * len(lists)
    pairs = [_best_and_worst([(text, float(verdict)) for text, verdict in gens], True) for gens in lists]
    assert read["chosen"].to_list() == [chosen for chosen, _ in pairs]
    assert read["rejected"].to_list() == [rejected for _, rejected in pairs]


def _summarize_comparisons(summary_lists: list[list[str]], choices: list[int | None]) -> pl.DataFrame:
    """Rows as OpenAI's summarize_from_feedback comparisons lay them out on the Hub: the
    ``info`` summarised (a Reddit post's title and text on even rows, a CNN/DM article on odd
    ones, the other fields null), two ``summaries`` (``{text, policy, note}``) and the
    labeller's ``choice`` of them, 0 the first."""
    info = [{"id": f"t3_{i}", "post": f"Post {i}.", "title": f"Title {i}", "subreddit": "r", "site": None, "article": None}
            if i % 2 == 0 else {"id": f"cnn{i}", "post": None, "title": None, "subreddit": None, "site": "cnn", "article": f"Article {i}."}
            for i in range(len(choices))]
    summaries = [[{"text": text, "policy": "sup", "note": None} for text in texts] for texts in summary_lists]
    return pl.DataFrame({"info": info, "summaries": summaries, "choice": choices, "worker": "w"},
                        schema_overrides={"summaries": pl.List(pl.Struct({"text": pl.String, "policy": pl.String, "note": pl.String})),
                                          "choice": pl.Int32})


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_chosen_answer_s_place_pairs_it_with_the_other(tmp_path_factory, data):
    """summarize_from_feedback's comparisons: the summary at ``choice``'s place is chosen and
    the other (the first other, of a longer list) rejected, as the dataset's card defines the
    choice; no pair where either is empty or the place is past the list's end. The prompt is
    the post's title and text, or the article; the text the prompt and each summary a line."""
    summary_lists = data.draw(st.lists(st.lists(st.text("ab \n", max_size=4), max_size=3), min_size=1, max_size=6))
    choices = [data.draw(st.one_of(st.none(), st.integers(-1, 3))) for _ in summary_lists]
    _summarize_comparisons(summary_lists, choices).write_parquet(path := tmp_path_factory.mktemp("sff") / "comparisons.parquet")
    dataset = load_dataset(path)
    assert dataset.selection.preferred_by == "summaries.choice"
    read = dataset.selected(parts=("prompt", "response", "chosen", "rejected")).collect()
    pairs = []
    for texts, choice in zip(summary_lists, choices, strict=True):
        chosen = texts[choice] if choice is not None and 0 <= choice < len(texts) and texts[choice] else None
        other = next((text for place, text in enumerate(texts) if place != choice and text), None)
        pairs.append((chosen, other) if chosen and other else (None, None))
    assert read["chosen"].to_list() == read["response"].to_list() == [chosen for chosen, _ in pairs]
    assert read["rejected"].to_list() == [rejected for _, rejected in pairs]
    prompts = [f"Title {i}\nPost {i}." if i % 2 == 0 else f"Article {i}." for i in range(len(choices))]
    assert read["prompt"].to_list() == prompts
    assert read["text"].to_list() == ["\n".join([prompt, *filter(None, texts)]) for prompt, texts in zip(prompts, summary_lists, strict=True)]


def test_summarize_from_feedback_audits_its_comparisons_and_reads_its_axis_ratings(qc, tmp_path):  # noqa: F811
    """The comparisons audit as the same pairs saved as chosen and rejected do, and say how
    they were read; the axis ratings (one ``summary`` a row, its ``text`` beside its
    ``axes``) read as the prompt and that summary; ``dedup`` writes the input's columns back."""
    texts = [[" Keys lost, roommate angry.", " Keys."], [" Storm closes roads.", " A storm hit the coast on Monday, closing roads."],
             [" Cat eats plants.", " Cat."]]
    _summarize_comparisons(texts, [0, 1, 0]).write_parquet(data := tmp_path / "comparisons.parquet")
    report = audit(data, load_config(None, {"analyzers": ["preference"]}))
    assert report.dataset["text_source"].endswith("(pairs of the answer of summaries that choice names and the other)")
    prompts = ["Title 0\nPost 0.", "Article 1.", "Title 2\nPost 2."]
    pl.DataFrame({"prompt": prompts, "chosen": [texts[0][0], texts[1][1], texts[2][0]],
                  "rejected": [texts[0][1], texts[1][0], texts[2][1]]}).write_parquet(saved := tmp_path / "pairs.parquet")
    assert report.metrics["preference"] == audit(saved, load_config(None, {"analyzers": ["preference"]})).metrics["preference"]
    assert report.value("preference.pairs") == 3
    ran = qc("dedup", data, "-o", kept := tmp_path / "kept.parquet", "-q")
    assert ran.code == 0, ran.err
    assert pl.read_parquet(kept).equals(pl.read_parquet(data))
    axis = pl.DataFrame({"info": pl.read_parquet(data)["info"],
                         "summary": [{"text": summary[0], "axes": {"overall": 5, "accuracy": 6}} for summary in texts]})
    axis.write_parquet(rated := tmp_path / "axis.parquet")
    read = load_dataset(rated).selected(parts=("prompt", "response")).collect()
    assert read["prompt"].to_list() == prompts and read["response"].to_list() == [summary[0] for summary in texts]
    assert read["text"].to_list() == [f"{prompt}\n{summary[0]}" for prompt, summary in zip(prompts, texts, strict=True)]


def _ultrafeedback(path) -> None:
    """Two UltraFeedback rows whose two scores rank their answers apart."""
    completion = lambda response, overall, fine: {"model": "m", "response": response, "critique": "c",  # noqa: E731
                                                  "overall_score": overall, "fine-grained_score": fine}
    pl.DataFrame({"instruction": ["Write a haiku.", "Explain recursion."],
                  "completions": [[completion("<think>rain</think>Rain taps", 9.0, 2.0), completion("Drops fall", 3.0, 4.5)],
                                  [completion("Itself, called.", 8.0, 4.0), completion("It is what it is.", 2.0, 1.0)]]}).write_parquet(path)


def test_a_ranked_list_s_field_is_chosen_and_its_pairs_review_and_round_trip(tmp_path):
    _ultrafeedback(data := tmp_path / "uf.parquet")
    default = load_dataset(data).selected(parts=("chosen", "rejected")).collect()
    assert default["chosen"].to_list() == ["Drops fall", "Itself, called."]  # fine-grained_score, the binarized sets' choice
    overall = load_dataset(data, TextSelection(preferred_by="completions.overall_score")).selected(parts=("chosen", "rejected")).collect()
    assert overall["chosen"].to_list() == ["<think>rain</think>Rain taps", "Itself, called."]
    assert overall["rejected"].to_list() == ["Drops fall", "It is what it is."]
    plain = load_dataset(data, TextSelection(preferred_by="completions.overall_score", reasoning=False))
    assert plain.selected(parts=("chosen",)).collect()["chosen"][0] == "Rain taps"  # --no-reasoning: the answer alone
    report = audit(data, load_config(None, {"input.preferred_by": "completions.overall_score"}))
    assert report.config["input"]["preferred_by"] == "completions.overall_score" and report.value("preference.pairs") == 2
    assert report.dataset["text_source"].endswith("(pairs of the best and worst of completions by overall_score)")
    again = audit(data, load_config(None, {"input.preferred_by": report.config["input"]["preferred_by"]}))
    assert again.metrics["preference"] == report.metrics["preference"]
    write_sample(data, load_config(None, {}), review := tmp_path / "review.parquet")
    reviewed = pl.read_parquet(review).sort("row_id")
    assert reviewed["chosen"].to_list() == default["chosen"].to_list() and reviewed["rejected"].to_list() == default["rejected"].to_list()


def test_a_bad_ranked_list_is_one_line(qc, tmp_path):  # noqa: F811
    _ultrafeedback(data := tmp_path / "uf.parquet")
    for ranked, said in (("completions.critique", "neither the answers in 'completions' nor the input hold numbers 'critique'"),
                         ("instruction.rank", "'instruction' holds String, not a list of answers"),
                         ("nope.rank", "unknown column 'nope'")):
        one_line_error(qc("report", data, "--preferred-by", ranked, "--out", tmp_path / "o"), said)
    pl.read_parquet(data).with_columns(pl.col("completions").list.eval(pl.element().struct.with_fields(
        pl.element().struct.field("overall_score").alias("votes")))).write_parquet(votes := tmp_path / "votes.parquet")
    one_line_error(qc("report", votes, "--preferred-by", "completions.votes", "--out", tmp_path / "o"),
                   "qcaudit ranks answers by these: fine-grained_score")
    one_line_error(qc("report", data, "--preferred-by", "completions.rank", "--chosen-field", "instruction", "--rejected-field",
                      "instruction", "--out", tmp_path / "o"), "pairs the best and worst answers of a list: leave out --chosen-field")
    pl.DataFrame({"instruction": ["Hi."], "generations": [["Hello.", "Hey."]], "ratings": [5]}).write_parquet(flat := tmp_path / "flat.parquet")
    one_line_error(qc("report", flat, "--preferred-by", "generations.ratings", "--out", tmp_path / "o"),
                   "neither the answers in 'generations' nor the input hold numbers 'ratings' (a field of each answer, "
                   "a column of lists of numbers, one per answer, or of the preferred answer's place)")
    pl.DataFrame({"summaries": [[{"text": "A."}, {"text": "B."}]], "choice": ["the first"]}).write_parquet(said := tmp_path / "said.parquet")
    one_line_error(qc("report", said, "--preferred-by", "summaries.choice", "--out", tmp_path / "o"),
                   "nor the input hold numbers 'choice'", "those they hold: none")
    assert not (tmp_path / "o").exists()


def test_generations_and_ratings_written_as_json_text_pair_as_the_lists_do(tmp_path):
    """distilabel's generations and ratings saved to CSV (lists written as JSON text), and a
    best-of-n sample's responses and rewards: the pairs are those of the lists, ratings past the
    rows read to find the lists' type included (halves after 100 rows of whole numbers, which
    read as whole numbers would tie 2 and 2.5)."""
    rng = random.Random(8)
    generations = [[f"answer {i}.{j}" for j in range(rng.randint(1, 4))] for i in range(130)]
    ratings = [[rng.randint(2, 9) / 2 if i >= 100 else rng.randint(1, 5) for _ in answers] for i, answers in enumerate(generations)]
    lists = pl.DataFrame({"instruction": [f"Task {i}." for i in range(130)], "generations": generations, "ratings": ratings},
                         schema_overrides={"ratings": pl.List(pl.Float64)})
    lists.write_parquet(stored := tmp_path / "distilabel.parquet")
    lists.with_columns(generations=pl.Series([json.dumps(g) for g in generations]), ratings=pl.Series([json.dumps(r) for r in ratings])
                       ).write_csv(written := tmp_path / "distilabel.csv")
    expected = [_best_and_worst(list(zip(answers, scores, strict=True)), True) for answers, scores in zip(generations, ratings, strict=True)]
    for path in (stored, written):
        pairs = load_dataset(path).selected(parts=("chosen", "rejected")).collect()
        assert list(zip(pairs["chosen"], pairs["rejected"], strict=True)) == expected, path.suffix
    assert "'generations': lists of texts written as JSON text" in load_dataset(written).text_source
    lists.rename({"instruction": "prompt", "generations": "responses", "ratings": "rewards"}).write_parquet(sampled := tmp_path / "bon.parquet")
    best_of_n = load_dataset(sampled)
    assert best_of_n.selection.preferred_by == "responses.rewards"
    pairs = best_of_n.selected(parts=("chosen", "rejected")).collect()
    assert list(zip(pairs["chosen"], pairs["rejected"], strict=True)) == expected
    pl.DataFrame({"numbers": ["[1, 2]", "[3]"]}).write_csv(numbers := tmp_path / "numbers.csv")  # (numbers named as the text stay text)
    assert load_dataset(numbers, TextSelection(text_column="numbers")).texts()["text"].to_list() == ["[1, 2]", "[3]"]


def test_llama_factory_s_answer_turns_read_as_chats_and_are_written_back_as_read(tmp_path):
    """LLaMA-Factory's preference data (ShareGPT style): a ``conversations`` chat and a
    ``chosen`` and a ``rejected`` turn each, ``{"from": "gpt", "value": ...}``. The pairs are
    the turns' values, the prompt the chat (its system turn too, as TRL's conversational pairs
    read theirs), the text the chat's turns but the system's and the chosen answer, as the
    same pairs with one-turn chats give them; the filters write the turns back as they were."""
    turn = lambda text: {"from": "gpt", "value": text}  # noqa: E731
    rows = [{"conversations": [{"from": "system", "value": "Be brief."}, {"from": "human", "value": f"Q{i}?"}],
             "chosen": turn(f"Answer {i}."), "rejected": turn(f"Wrong {i}.")} for i in range(6)]
    (data := tmp_path / "dpo_en_demo.json").write_text(json.dumps(rows))
    chats = [{**row, "chosen": [row["chosen"]], "rejected": [row["rejected"]]} for row in rows]
    (as_chats := tmp_path / "chats.json").write_text(json.dumps(chats))
    read = load_dataset(data)
    parts = read.selected(parts=("prompt", "chosen", "rejected")).collect()
    assert parts["prompt"].to_list() == [f"Be brief.\nQ{i}?" for i in range(6)]
    assert parts["chosen"].to_list() == [f"Answer {i}." for i in range(6)] and parts["rejected"].to_list() == [f"Wrong {i}." for i in range(6)]
    assert parts["text"].to_list() == [f"Q{i}?\nAnswer {i}." for i in range(6)]
    same = load_dataset(as_chats).selected(parts=("prompt", "chosen", "rejected")).collect()
    assert same.drop("row_id").equals(parts.drop("row_id"))
    from typer.testing import CliRunner

    from qcaudit.cli import app

    pl.read_json(data).write_parquet(stored := tmp_path / "dpo.parquet")  # (a JSON input's own records are written back as they are)
    for source, kept in ((data, tmp_path / "kept.jsonl"), (stored, tmp_path / "kept.parquet")):
        result = CliRunner().invoke(app, ["dedup", str(source), "-o", str(kept), "-q"])
        assert result.exit_code == 0, result.output
        assert (pl.read_parquet(kept).to_dicts() if kept.suffix == ".parquet" else [json.loads(line) for line in kept.read_text().splitlines()]) == rows


def test_pairs_that_all_tie_are_a_warning_not_a_failed_audit(qc, tmp_path, monkeypatch):  # noqa: F811
    """Pairs found by name whose verdicts all tie, or whose lists' answers all rank alike (a
    quick look at a few rows, a rating step that failed): the report holds no pair metric
    but their count, 0, and says why, on every page; a gate on a pair metric fails."""
    pl.DataFrame({"instruction": ["a b", "c d"], "completions": [[{"response": "x y", "overall_score": 3.0, "model": "m"},
                                                                   {"response": "z", "overall_score": 3.0, "model": "n"}]] * 2}
                 ).write_parquet(data := tmp_path / "ties.parquet")
    report = audit(data, load_config(None, {}))
    assert report.metrics["preference"].keys() == {"pairs"} and report.value("preference.pairs") == 0
    _warned_on_every_page(qc, data, tmp_path, monkeypatch, "No row holds both a chosen and a rejected answer",
                          "max_chosen_longer_rate=0.9")


def _warned_on_every_page(qc, data, tmp_path, monkeypatch, warning: str, threshold: str) -> None:  # noqa: F811
    """The report of ``data`` says ``warning`` on its HTML page and on the dashboard's
    preference page, and a gate on a metric it lacks (``threshold``) fails."""
    ran = qc("report", data, "--out", out := tmp_path / "o", "-q")
    assert ran.code == 0, ran.err
    assert warning in (out / "report.html").read_text()
    monkeypatch.setenv(ENV, str(out))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.sidebar.radio(key="page").set_value("Preferences").run()
    assert not at.exception, at.exception
    assert any(warning in shown.value for shown in at.warning)
    gated = qc("gate", data, "-t", threshold, "-q")
    assert gated.code == 1, (gated.code, gated.err)


# Unpaired preferences: each response labelled desirable or not (TRL's KTO layout) ---------------

def _mann_whitney_share(desirable: list[int], undesirable: list[int]) -> float:
    """The chance that a desirable length beats an undesirable one, ties half, counted pair by pair."""
    wins = sum((d > u) + 0.5 * (d == u) for d in desirable for u in undesirable)
    return wins / (len(desirable) * len(undesirable))


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["Q1?", "Q2?"]), st.sampled_from(["yes", "no way", "well it depends", ""]),
                               st.one_of(st.none(), st.booleans())), min_size=1, max_size=30))
def test_labelled_responses_measure_their_labels_lengths_and_conflicts(tmp_path_factory, rows):
    """KTO data (a prompt, a completion, a true/false label, found by name): the share labelled
    desirable, the chance that a desirable response is longer (counted pair by pair) and the
    Mann-Whitney U test of the lengths (scipy's, the reference), and the rows whose text is
    labelled both ways, over the rows with a label and a response."""
    from scipy.stats import mannwhitneyu

    path = tmp_path_factory.mktemp("kto") / "kto.jsonl"
    path.write_text("".join(json.dumps({"prompt": p, "completion": c, "label": label}) + "\n" for p, c, label in rows))
    report = audit(path, load_config(None, {"analyzers": ["preference"], "input.label": "label"}))  # (found by name: below)
    assert report.dataset["text_source"].endswith("(completion labelled desirable or not by label)")
    labelled = [(p, c, label) for p, c, label in rows if label is not None]  # (an empty response is one)
    metrics = {name: metric["value"] for name, metric in report.metrics["preference"].items()}
    assert metrics["labelled"] == len(labelled)
    if not labelled:
        assert metrics.keys() == {"labelled"}
        return
    desirable = [len(c.split()) for _, c, label in labelled if label]
    undesirable = [len(c.split()) for _, c, label in labelled if not label]
    assert metrics["desirable_rate"] == pytest.approx(len(desirable) / len(labelled))
    said = {}
    for p, c, label in labelled:
        said.setdefault((p, c), set()).add(label)
    conflicts = [len(said[(p, c)]) > 1 for p, c, _ in labelled]
    assert metrics["conflicting_rate"] == pytest.approx(sum(conflicts) / len(labelled))
    if desirable and undesirable:
        assert metrics["desirable_longer_rate"] == pytest.approx(_mann_whitney_share(desirable, undesirable))
        assert metrics["length_mwu_p"] == pytest.approx(mannwhitneyu(desirable, undesirable, alternative="two-sided").pvalue)
    else:
        assert "desirable_longer_rate" not in metrics and "length_mwu_p" not in metrics
    per_row = report.rows.collect() if hasattr(report.rows, "collect") else report.rows
    per_row = per_row.filter(pl.col("desirable").is_not_null()).sort("row_id")
    assert per_row["label_conflict"].to_list() == conflicts
    assert per_row["desirable"].to_list() == [label for _, _, label in labelled]


def test_labels_are_found_only_as_true_and_false_and_named_may_be_ones_and_zeros(qc, tmp_path):  # noqa: F811
    """TRL's conversational KTO rows (a prompt and a completion as chats) are found labelled; a
    ``label`` of classes beside a prompt and a completion is no preference; ``--label-field``
    reads 1 and 0 as desirable and not (other numbers unlabelled); a column of text, or labels
    beside a pair, is one line and exit 2."""
    chats = [{"prompt": [{"role": "user", "content": f"Q{i}?"}], "completion": [{"role": "assistant", "content": "yes " * (i + 1)}],
              "label": i % 2 == 0} for i in range(6)]
    (kto := tmp_path / "kto.jsonl").write_text("".join(json.dumps(row) + "\n" for row in chats))
    read = load_dataset(kto)
    assert read.selection.label == "label"
    assert read.selected(parts=("desirable",)).collect()["desirable"].to_list() == [True, False] * 3
    classes = tmp_path / "classes.jsonl"
    classes.write_text("".join(json.dumps({"prompt": "Review: good", "completion": "positive", "label": i % 3}) + "\n" for i in range(6)))
    assert load_dataset(classes).selection.label is None
    assert "preference" not in audit(classes, load_config(None, {})).metrics
    numbered = audit(classes, load_config(None, {"input.label": "label", "analyzers": ["preference"]}))
    assert numbered.value("preference.labelled") == 4 and numbered.value("preference.desirable_rate") == 0.5
    assert numbered.config["input"]["label"] == "label"
    one_line_error(qc("report", classes, "--label-field", "completion", "--out", tmp_path / "o"),
                   "--label-field 'completion' holds String, not true and false")
    assert qc("report", classes, "--label-field", "completion", "--out", tmp_path / "o", "--verbose").code == 2
    _ultrafeedback(pairs := tmp_path / "uf.parquet")
    pl.read_parquet(pairs).with_columns(label=True).write_parquet(pairs)
    one_line_error(qc("report", pairs, "--label-field", "label", "--out", tmp_path / "o"), "is read as pairs of answers")
    assert not (tmp_path / "o").exists()


def test_labels_all_alike_or_none_are_a_warning_on_every_page(qc, tmp_path, monkeypatch):  # noqa: F811
    """Labelled responses all desirable: the share and the conflicts, no length comparison, and
    a warning on the HTML page and the dashboard; a gate on the comparison fails. A page
    renders the labelled metrics where both kinds are labelled."""
    rows = [{"prompt": f"Q{i}?", "completion": "ok " * i, "label": True} for i in range(1, 5)]
    (alike := tmp_path / "alike.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    report = audit(alike, load_config(None, {}))
    assert report.metrics["preference"].keys() == {"labelled", "desirable_rate", "conflicting_rate"}
    _warned_on_every_page(qc, alike, tmp_path, monkeypatch, "Every labelled response is labelled desirable",
                          "max_desirable_longer_rate=0.9")
    (both := tmp_path / "both.jsonl").write_text("".join(json.dumps({**row, "label": i % 2 == 0}) + "\n" for i, row in enumerate(rows)))
    ran = qc("report", both, "--out", out2 := tmp_path / "o2", "-q")
    assert ran.code == 0, ran.err
    assert "Mann-Whitney U test of desirable against undesirable response lengths" in (out2 / "report.html").read_text()


def test_a_reward_model_s_auc_on_labelled_responses_is_read_from_the_reward_analyzer(tmp_path):
    """With a reward model, labelled responses are scored once, by the reward analyzer (its
    metrics stand), and ``rm_label_auc`` is the ROC AUC of those scores against the labels
    (scikit-learn's ``roc_auc_score``, the reference); the same on a page."""
    from sklearn.metrics import roc_auc_score

    from qcaudit.report.html import render_html
    from tests.test_reward import _alone, _reward_model

    model = _reward_model(tmp_path / "rm", pad=True, template=True)
    frame = planted(12, 9, 2, 4, seed=5)
    rows = [{"prompt": p, "completion": answer, "label": good} for p, c, r in frame.select("prompt", "chosen", "rejected").rows()
            for answer, good in ((c, True), (r, False))]
    (data := tmp_path / "kto.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    report = audit(data, load_config(None, {"reward.model": str(model), "reward.batch_size": 3}))
    assert report.value("reward.rows_scored") == len(rows)
    scores = _alone(model, [row["prompt"] for row in rows], [row["completion"] for row in rows], True)
    assert abs(report.rows.sort("row_id")["reward_score"].to_numpy() - scores).max() < 1e-4
    expected = roc_auc_score([row["label"] for row in rows], report.rows.sort("row_id")["reward_score"].to_numpy())
    assert report.value("preference.rm_label_auc") == pytest.approx(expected)
    assert "reward model tells them apart" in render_html(report)


# Pairs rated by their own data (UltraFeedback binarized's score_chosen and score_rejected) ------

@settings(max_examples=30, deadline=None)
@given(ratings=st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 4).map(float)), st.one_of(st.none(), st.integers(1, 4).map(float))),
                        min_size=1, max_size=20),
       names=st.sampled_from([("score_chosen", "score_rejected"), ("chosen_rating", "rejected_rating"), ("chosen-rating", "rejected-rating"),
                              ("rating_chosen", "rating_rejected"), ("chosen_score", "rejected_score")]))
def test_pairs_rated_by_their_data_count_ties_and_inversions(tmp_path_factory, ratings, names):
    """Pairs with the ratings their data gives both answers, found by name: the pairs rated
    alike and the other way round, and the margin, over the pairs with both ratings, counted
    by hand; each such pair is flagged with its reason."""
    path = tmp_path_factory.mktemp("rated") / "rated.parquet"
    pl.DataFrame({"prompt": [f"Q{i}?" for i in range(len(ratings))], "chosen": [f"good answer {i}" for i in range(len(ratings))],
                  "rejected": [f"bad {i}" for i in range(len(ratings))], names[0]: [c for c, _ in ratings],
                  names[1]: [r for _, r in ratings]}, schema_overrides={name: pl.Float64 for name in names}).write_parquet(path)
    report = audit(path, load_config(None, {"analyzers": ["preference"]}))
    assert report.dataset["text_source"].endswith(f"(pairs rated by {names[0]} and {names[1]})")
    margins = [c - r for c, r in ratings if c is not None and r is not None]
    metrics = {name: metric["value"] for name, metric in report.metrics["preference"].items()}
    assert metrics["rated_pairs"] == len(margins)
    if margins:
        assert metrics["rating_tie_rate"] == pytest.approx(sum(m == 0 for m in margins) / len(margins))
        assert metrics["rating_inverted_rate"] == pytest.approx(sum(m < 0 for m in margins) / len(margins))
        assert metrics["rating_margin_mean"] == pytest.approx(float(np.mean(margins)))
        assert metrics["rating_margin_median"] == pytest.approx(float(np.median(margins)))
    else:
        assert "rating_tie_rate" not in metrics
    assert report.rows.sort("row_id")["rating_margin"].to_list() == [None if c is None or r is None else c - r for c, r in ratings]


def test_pair_ratings_named_found_and_refused(qc, tmp_path):  # noqa: F811
    """``--pair-ratings`` names the ratings in any two columns of numbers; found by name only
    beside chosen and rejected answers; a page shows the ties and inversions; one name, a
    column of text, or ratings beside a ranked list are one line and exit 2."""
    from qcaudit.report.html import render_html

    rows = {"prompt": ["Q1?", "Q2?", "Q3?"], "chosen": ["yes", "sure thing", "no"], "rejected": ["no", "nope", "maybe so"],
            "r_good": [5.0, 4.0, 2.0], "r_bad": [3.0, 4.0, 2.5], "note": ["a", "b", "c"]}
    pl.DataFrame(rows).write_parquet(data := tmp_path / "pairs.parquet")
    assert load_dataset(data).selection.ratings == ()
    report = audit(data, load_config(None, {"input.ratings": ["r_good", "r_bad"]}))
    assert report.value("preference.rating_tie_rate") == pytest.approx(1 / 3)
    assert report.value("preference.rating_inverted_rate") == pytest.approx(1 / 3)
    assert report.config["input"]["ratings"] == ["r_good", "r_bad"]
    page = render_html(report)
    assert "rated the other way" in page
    write_sample(data, load_config(None, {"input.ratings": ["r_good", "r_bad"], "sample.size": 3, "sample.flagged_share": 1.0}),
                 review := tmp_path / "review.csv")
    reasons = pl.read_csv(review).sort("row_id")["reason"].to_list()
    assert "the data rates the chosen answer alike with the rejected one (margin 0.0)" in reasons[1]
    assert "the data rates the chosen answer below the rejected one (margin -0.5)" in reasons[2]
    one_line_error(qc("report", data, "--pair-ratings", "r_good", "--out", tmp_path / "o"), "give two columns")
    one_line_error(qc("report", data, "--pair-ratings", "r_good,note", "--out", tmp_path / "o"), "'note' holds String, not numbers")
    _ultrafeedback(ranked := tmp_path / "uf.parquet")
    pl.read_parquet(ranked).with_columns(a=1.0, b=2.0).write_parquet(ranked)
    one_line_error(qc("report", ranked, "--pair-ratings", "a,b", "--out", tmp_path / "o"), "is rated by it")
    assert not (tmp_path / "o").exists()
