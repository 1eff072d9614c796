"""The reasoning analyzer: reasoning that ends in no answer, and how long responses reason."""

from __future__ import annotations

import json
import statistics

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit import audit
from qcaudit.analyzers.reasoning import TAIL_CHARS
from qcaudit.config import load_config
from qcaudit.report.html import render_html
from qcaudit.sampling import write_sample
from qcaudit.text_columns import REASONING_MARKS, without_reasoning
from tests.test_dashboard import HOSTILE, SAMPLES, _app, _page
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (a fixture)

#: Words of reasoning and of answers, apart: a turn whose content holds its reasoning field's
#: text already (an export that kept R1's reasoning inline too) is read once, from the content.
_REASONING_WORDS = st.lists(st.text("abc+=", min_size=1, max_size=4).filter(lambda w: set(w) & set("abc")), max_size=6)
_ANSWER_WORDS = st.lists(st.text("xyz1", min_size=1, max_size=4), max_size=6)


def _response(layout: str, reasoning: list[str] | None, answer: list[str], closed: bool) -> dict:
    """A chat's assistant turn holding ``reasoning`` (None: none written) before ``answer``,
    inline between DeepSeek-R1's, OpenThoughts', GRPO's format's or Magistral's marks
    (``closed`` or not; OpenThoughts' and GRPO's answer between marks of their own) or in the
    turn's ``reasoning_content`` field, as a reasoning model's data writes it."""
    said = " ".join(answer)
    if layout == "field":
        return {"role": "assistant", "content": said, "reasoning_content": None if reasoning is None else "\n".join(reasoning)}
    if reasoning is None:
        return {"role": "assistant", "content": said}
    opening, closing = {"think": ("<think>", "</think>"), "thought": ("<|begin_of_thought|>", "<|end_of_thought|>"),
                        "grpo": ("<reasoning>", "</reasoning>"), "magistral": ("[THINK]", "[/THINK]")}[layout]
    if layout == "thought":  # (OpenThoughts' answer between marks of its own, written against its words)
        said = f"<|begin_of_solution|>{said}<|end_of_solution|>"
    if layout == "grpo":  # (GRPO's format's answer between its answer marks, on lines of their own)
        said = f"<answer>\n{said}\n</answer>"
    thought = opening + "\n" + " ".join(reasoning)
    return {"role": "assistant", "content": thought + (f"\n{closing}\n\n{said}" if closed else "")}


@settings(max_examples=50, deadline=None)
@given(layout=st.sampled_from(["think", "thought", "grpo", "magistral", "field"]),
       rows=st.lists(st.tuples(st.one_of(st.none(), _REASONING_WORDS), _ANSWER_WORDS, st.booleans()), min_size=1, max_size=14),
       batch_rows=st.integers(1, 5))
def test_reasoning_lengths_and_unfinished_rows_are_as_written(tmp_path_factory, layout, rows, batch_rows):
    """Responses hold reasoning of known words before an answer of known words, in each way a
    reasoning model's data writes it; inline reasoning may never close (a generation cut at
    its limit), which leaves no answer. Against plain-Python counts of what was written: a row
    holds reasoning where it has a word; its reasoning is unfinished where it never closed or
    no answer word follows it; the rates, the lengths' mean, median, 90th percentile (linear,
    as numpy's) and maximum, and every per-row column. Any batching gives the same report."""
    closable = layout != "field"  # (a reasoning field always closes: its content follows it)
    # (a row without reasoning answers something, so that every row has a response)
    rows = [(reasoning, answer if reasoning else answer or ["x"], closed or not closable) for reasoning, answer, closed in rows]
    chats = [[{"role": "user", "content": "Solve it."}, _response(layout, reasoning, answer, closed)] for reasoning, answer, closed in rows]
    path = tmp_path_factory.mktemp("reasoning") / "chats.parquet"
    turn = pl.Struct({"role": pl.String, "content": pl.String, "reasoning_content": pl.String})
    pl.DataFrame({"messages": chats}, schema={"messages": pl.List(turn)}).write_parquet(path)
    report = audit(path, load_config(None, {"analyzers": ["reasoning"]}))
    batched = audit(path, load_config(None, {"analyzers": ["reasoning"], "engine.batch_rows": batch_rows}))
    assert (batched.metrics, batched.tables) == (report.metrics, report.tables) and batched.rows.equals(report.rows)

    reasoned = [(len(reasoning), len(answer) if closed else 0, not closed) for reasoning, answer, closed in rows if reasoning]
    assert report.value("reasoning.responses") == len(rows)
    assert report.value("reasoning.reasoning_rate") == pytest.approx(len(reasoned) / len(rows))
    got = report.rows.sort("row_id")
    assert got["reasoning_unfinished"].to_list() == [(not closed or not answer) if reasoning else None
                                                     for reasoning, answer, closed in rows]
    assert got["reasoning_unclosed"].to_list() == [not closed if reasoning else None for reasoning, _, closed in rows]
    assert got["reasoning_tokens"].to_list() == [len(reasoning or []) for reasoning, _, _ in rows]
    if not reasoned:
        assert "unfinished_rate" not in report.metrics["reasoning"] and report.value("reasoning.reasoning_rate") == 0
        return
    lengths = [tokens for tokens, _, _ in reasoned]
    assert report.value("reasoning.unfinished_rate") == pytest.approx(sum(unclosed or not answer for _, answer, unclosed in reasoned)
                                                                      / len(reasoned))
    assert report.value("reasoning.reasoning_tokens_mean") == pytest.approx(statistics.fmean(lengths))
    assert report.value("reasoning.reasoning_tokens_median") == pytest.approx(statistics.median(lengths))
    p90 = statistics.quantiles(lengths, n=10, method="inclusive")[-1] if len(lengths) > 1 else lengths[0]
    assert report.value("reasoning.reasoning_tokens_p90") == pytest.approx(p90)
    assert report.value("reasoning.reasoning_tokens_max") == max(lengths)
    assert report.value("reasoning.answer_tokens_median") == pytest.approx(statistics.median(a for _, a, _ in reasoned))


@settings(max_examples=60, deadline=None)
@given(marks=st.sampled_from(REASONING_MARKS), reasoning=st.text("ab \n", max_size=8), answer=st.text("xy \n", max_size=8),
       written=st.sampled_from(["closed", "cut", "opened by the template"]))
def test_no_reasoning_leaves_the_answer_after_each_kind_of_mark(marks, reasoning, answer, written):
    """``--no-reasoning`` reads, for every kind of mark, the answer after the reasoning and the
    white space after it: nothing of a reasoning cut before it closed, and the answer after a
    closing mark that the template opened. Against Python's string slicing of what was written."""
    opening, closing = marks
    text = {"closed": opening + reasoning + closing + answer, "cut": opening + reasoning,
            "opened by the template": reasoning + closing + answer}[written]
    expected = "" if written == "cut" else answer.lstrip()
    assert pl.select(without_reasoning(pl.lit(text))).item() == expected


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), _REASONING_WORDS), _ANSWER_WORDS.filter(bool), st.booleans()),
                     min_size=1, max_size=10),
       batch_rows=st.integers(1, 4))
def test_reasoning_a_template_opened_is_unfinished_where_its_response_holds_no_mark(tmp_path_factory, rows, batch_rows):
    """Responses generated after a chat template that opens the reasoning in the prompt
    (DeepSeek-R1's distilled models'): each closes its reasoning with ``</think>`` and never
    opens it, one without reasoning closes an empty one, and one cut at the token limit holds
    its reasoning's words alone, no mark. Where any response with reasoning closes it (most of
    them do), a response with no mark is reasoning never closed, its words all reasoning;
    where none does, nothing says a template opened anything, and such a response is an
    answer. Against Python's counts of what was written; any batching gives the same report."""
    def response(reasoning: list[str] | None, answer: list[str], closed: bool) -> str:
        if reasoning is None:
            return "</think>\n\n" + " ".join(answer)
        return " ".join(reasoning) + ("\n</think>\n\n" + " ".join(answer) if closed else "")

    rows = [(reasoning, answer, closed or not reasoning) for reasoning, answer, closed in rows]  # (a cut row has words)
    chats = [[{"role": "user", "content": "Solve it."}, {"role": "assistant", "content": response(*row)}] for row in rows]
    pl.DataFrame({"messages": chats}).write_parquet(path := tmp_path_factory.mktemp("template") / "chats.parquet")
    report = audit(path, load_config(None, {"analyzers": ["reasoning"]}))
    batched = audit(path, load_config(None, {"analyzers": ["reasoning"], "engine.batch_rows": batch_rows}))
    assert (batched.metrics, batched.tables) == (report.metrics, report.tables) and batched.rows.equals(report.rows)

    opened_by_template = any(reasoning and closed for reasoning, _, closed in rows)
    expected = [(len(reasoning), not closed) if reasoning and (closed or opened_by_template) else None
                for reasoning, _, closed in rows]
    got = report.rows.sort("row_id")
    assert report.tables["reasoning"]["opened_by_template"] is opened_by_template
    assert got["reasoning_tokens"].to_list() == [0 if e is None else e[0] for e in expected]
    assert got["reasoning_unfinished"].to_list() == [None if e is None else e[1] for e in expected]
    assert got["reasoning_unclosed"].to_list() == [None if e is None else e[1] for e in expected]
    reasoned = [e for e in expected if e is not None]
    assert report.value("reasoning.reasoning_rate") == pytest.approx(len(reasoned) / len(rows))
    if reasoned:
        assert report.value("reasoning.unfinished_rate") == pytest.approx(sum(cut for _, cut in reasoned) / len(reasoned))
        assert report.value("reasoning.reasoning_tokens_mean") == pytest.approx(statistics.fmean(t for t, _ in reasoned))
    if opened_by_template and any(cut for _, cut in reasoned):
        assert "a chat template opened it in the prompt" in render_html(report)
        assert report.tables["reasoning"]["unfinished"][0]["reason"] == "never closed"


def test_reasoning_a_template_opened_and_cut_is_read_for_its_script_too(tmp_path):
    """A response cut before the closing mark that a template's opening mark awaits is all
    reasoning: a line of it in Chinese after an English prompt mixes scripts, as it would
    before ``</think>``. A reasoning held in its field, also without a mark, is its field's
    text alone: an answer in Chinese after it is none of it."""
    answers = ["I add them.\n</think>\n\n4", "Let me add the two numbers carefully.\n所以我们需要计算这两个数的和。"]
    chats = [[{"role": "user", "content": "What is two plus two, please?"}, {"role": "assistant", "content": a}] for a in answers]
    pl.DataFrame({"messages": chats}).write_parquet(path := tmp_path / "chats.parquet")
    report = audit(path, load_config(None, {"analyzers": ["reasoning"]}))
    assert report.rows.sort("row_id")["reasoning_mixed_scripts"].to_list() == [False, True]
    assert report.rows.sort("row_id")["reasoning_unfinished"].to_list() == [False, True]
    field = [[{"role": "user", "content": "What is two plus two, please?"},
              {"role": "assistant", "content": "答案是四，因为二加二等于四。", "reasoning_content": "Let me add the two numbers carefully."}]]
    pl.DataFrame({"messages": field * 2}).write_parquet(path)  # (no mark: the reasoning in its field, the answer in Chinese)
    assert audit(path, load_config(None, {"analyzers": ["reasoning"]})).rows["reasoning_mixed_scripts"].to_list() == [False, False]


#: Lines a reasoning may hold: English prose, Chinese prose, a formula (Latin letters alone),
#: Greek letters, a short line, an empty one.
_LINES = ("Let me add the two numbers carefully.", "所以我们需要计算这两个数的和。", "\\frac{a}{b} + \\sqrt{x} = y + \\frac{cde}{fgh}",
          "α β γ δ ε ζ η θ ι κ", "So 4.", "")
_PROMPTS = ("What is two plus two, please?", "计算二加二等于多少？请给出过程。", "2+2?")


def _latin(text: str) -> bool | None:
    """Whether most of ``text``'s letters are Latin (the `regex` module's Unicode script
    property, letter by letter); None where it has fewer than 8 letters."""
    import regex

    letters = regex.findall(r"\p{L}", text)
    latin = [c for c in letters if regex.match(r"\p{Script=Latin}", c)]
    return None if len(letters) < 8 else 2 * len(latin) >= len(letters)


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(_PROMPTS), st.lists(st.sampled_from(_LINES), min_size=1, max_size=5),
                               st.sampled_from(["4", "答案是四，因为二加二等于四。"])), min_size=2, max_size=8))
def test_reasoning_that_goes_on_in_another_script_than_its_prompt_s_is_a_reason_to_review(tmp_path_factory, rows):
    """A reasoning mixes scripts where it holds a line of at least 8 letters, most of them not
    Latin, and its prompt is written in Latin script, or, where the prompt has fewer than 8
    letters, the reasoning is: against the `regex` module's script property, line by line.
    The answer after the reasoning (in Chinese or not) is no line of it. The share is over the
    responses with reasoning."""
    chats = [[{"role": "user", "content": prompt},
              {"role": "assistant", "content": "<think>\n" + "\n".join(lines) + f"\n</think>\n\n{answer}"}]
             for prompt, lines, answer in rows]
    pl.DataFrame({"messages": chats}).write_parquet(path := tmp_path_factory.mktemp("mixed") / "chats.parquet")
    report = audit(path, load_config(None, {"analyzers": ["reasoning"]}))
    expected = []
    for prompt, lines, _ in rows:
        if any(line.strip() for line in lines):  # (a reasoning of empty lines is none)
            main = _latin(prompt) if _latin(prompt) is not None else _latin("\n".join(lines))
            expected.append(main is True and any(_latin(line) is False for line in lines))
    got = report.rows.sort("row_id")["reasoning_mixed_scripts"].drop_nulls().to_list()
    assert got == expected
    if expected:
        assert report.value("reasoning.mixed_script_rate") == pytest.approx(sum(expected) / len(expected))


@pytest.mark.parametrize("columns", [
    {"question": ["Q?", "R?"], "reasoning_content": ["first I add the two numbers", "then I add the other two"],
     "content": ["4", "5"]},  # (a reasoning column saved flat)
    {"question": ["Q?", "R?"], "thinking_trajectories": [["first I add the two numbers"], ["then I add the other two"]],
     "attempt": ["4", "5"]},  # (s1K's)
])
def test_reasoning_saved_beside_its_answer_is_measured(tmp_path, columns):
    """Reasoning in a column of its own beside the answer (a DeepSeek API export flattened,
    s1K's thinking trajectories beside their attempt) is the response's reasoning: six
    words a row, the answer one, found and measured without naming the analyzer."""
    pl.DataFrame(columns).write_parquet(path := tmp_path / "flat.parquet")
    report = audit(path)
    assert report.value("reasoning.reasoning_rate") == 1.0 and report.value("reasoning.reasoning_tokens_max") == 6
    assert report.value("reasoning.answer_tokens_median") == 1 and report.value("reasoning.unfinished_rate") == 0.0


def test_an_api_s_saved_answers_are_measured_with_their_reasoning(tmp_path):
    """What a reasoning model's API returned, saved as it came, is the response: DeepSeek's
    chat completions (the message's ``reasoning_content``; one cut at its limit in the
    reasoning, with no content), Anthropic's messages saved whole (thinking blocks before
    the text), OpenAI's Responses API responses (a reasoning item's summary; an open model's
    full reasoning in its content, as vLLM serves gpt-oss; a tool call between it and the
    message; one cut in its reasoning, with no message), a completions endpoint's texts (R1's
    ``<think>`` inline). The analyzer runs by itself and counts what was written."""
    def deepseek(reasoning: str, answer: str) -> dict:
        return {"id": "d", "object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop" if answer else "length",
                                                                      "message": {"role": "assistant", "content": answer,
                                                                                  "reasoning_content": reasoning}}]}

    def claude(thinking: str, answer: str) -> dict:
        return {"id": "m", "type": "message", "role": "assistant", "stop_reason": "end_turn",
                "content": [{"type": "thinking", "thinking": thinking, "signature": "s"}, {"type": "text", "text": answer}]}

    def responses(reasoning: str, answer: str, field: str = "summary") -> dict:
        thought = {"type": "reasoning", "summary": [], "content": []} | {field: [{"type": f"{field}_text", "text": reasoning}]}
        said = [{"type": "function_call", "call_id": "c", "name": "lookup", "arguments": "{}"},
                {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": answer}]}] if answer else []
        return {"id": "r", "object": "response", "status": "completed" if answer else "incomplete", "output": [thought, *said]}

    def gpt_oss(reasoning: str, answer: str) -> dict:
        return responses(reasoning, answer, "content")

    def completions(reasoning: str, answer: str) -> dict:  # (a completions endpoint's text, R1's reasoning inline)
        text = f"<think>\n{reasoning}\n</think>\n\n{answer}" if answer else f"<think>\n{reasoning}"
        return {"id": "c", "object": "text_completion", "choices": [{"index": 0, "text": text, "finish_reason": "stop"}]}

    written = [("one two three", "four"), ("five six", "seven eight"), ("nine ten eleven twelve", "")]
    for name, layout in (("deepseek", deepseek), ("claude", claude), ("responses", responses), ("gpt_oss", gpt_oss),
                         ("completions", completions)):
        rows = written if name != "claude" else written[:2]
        (path := tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(layout(*row)) + "\n" for row in rows))
        report = audit(path, load_config(None, {"analyzers": ["duplicates"]}))
        assert report.value("reasoning.reasoning_rate") == 1.0, name
        assert report.rows.sort("row_id")["reasoning_tokens"].to_list() == [len(r.split()) for r, _ in rows]
        assert report.rows.sort("row_id")["reasoning_unfinished"].to_list() == [not a for _, a in rows]


def test_data_with_reasoning_turns_the_analyzer_on_and_other_data_does_not(tmp_path):
    """Responses that hold reasoning in the first rows turn the analyzer on beside the
    default ones; the bundled instructions, a chat without reasoning, an empty ``<think>``
    (Qwen3's answer without thinking) and ``--no-reasoning`` do not."""
    def chat(answer: str) -> list[dict]:
        return [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": answer}]

    def analyzers(frame: pl.DataFrame, **settings) -> list[str]:
        frame.write_parquet(path := tmp_path / "d.parquet")
        return list(audit(path, load_config(None, settings)).config["analyzers"])

    thinking = pl.DataFrame({"messages": [chat("<think>I add them.</think> 4"), chat("5")]})
    assert analyzers(thinking) == ["diversity", "duplicates", "reasoning"]
    assert "reasoning" not in analyzers(thinking, **{"input.reasoning": False})
    assert "reasoning" not in analyzers(pl.DataFrame({"messages": [chat("<think>\n\n</think>\n\n4"), chat("5")]}))
    assert "reasoning" not in analyzers(pl.read_parquet(SAMPLES / "instructions.parquet"))


def test_unfinished_reasoning_is_flagged_shown_escaped_dropped_and_refused_without_a_response(qc, tmp_path, monkeypatch):  # noqa: F811
    """A response whose reasoning never closes, and one with nothing after its reasoning, are
    flagged with their reasons in the review sample (so is one that goes on in Chinese, a
    reason to review); the HTML page, ``qcaudit show`` and the dashboard give the share and
    list how each ends (dataset text, escaped; a long one's last characters);
    ``qcaudit drop-unfinished`` writes the other rows, and those with why (so does
    ``qcaudit.drop_unfinished``). Named on data without reasoning,
    the analyzer says there is none; on data without a response, or under --no-reasoning, it is one line and exit 2,
    with --verbose too, and writes nothing."""
    import qcaudit

    long = "<think>" + " ".join(f"step {i}" for i in range(100))  # (its end shown, after an ellipsis)
    mixed = "<think>Let me add the two numbers carefully.\n所以我们需要计算这两个数的和。</think>\n4"
    answers = ["<think>I add them.</think>\n4", f"<think>{HOSTILE} and on and on", "<think>I add them.</think>\n\n", "just 6", long, mixed]
    rows = [{"messages": [{"role": "user", "content": f"Q{i}?"}, {"role": "assistant", "content": a}]} for i, a in enumerate(answers)]
    (data := tmp_path / "r1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = load_config(None, {"sample.size": 6, "sample.flagged_share": 1.0})
    report = audit(data, config)
    assert report.value("reasoning.unfinished_rate") == pytest.approx(3 / 5)
    assert report.value("reasoning.mixed_script_rate") == pytest.approx(1 / 5)
    assert [row["ending"] for row in report.tables["reasoning"]["unfinished"]] == [answers[1], answers[2], "…" + long[-TAIL_CHARS:]]
    page = render_html(report)
    assert "Reasoning without an answer" in page and "never closed" in page
    assert "<img" not in page and "&lt;img src=x" in page
    write_sample(data, config, review := tmp_path / "review.csv")
    reasons = pl.read_csv(review).sort("row_id")["reason"].to_list()
    assert reasons[1] == "reasoning never closed: no answer after it" and reasons[2] == "no answer after the reasoning"
    assert reasons[5] == "a line of the reasoning is in another script than Latin"
    ran = qc("report", data, "--out", out := tmp_path / "audit", "-q")
    assert ran.code == 0, ran.err
    monkeypatch.setenv("COLUMNS", "200")  # (each row's ending on one line)
    shown = qc("show", out)
    assert "Reasoning without an answer" in shown.out and "<img src=x onerror=alert(1)> **bold** [link]" in shown.out
    at = _page(_app(monkeypatch, out), "Reasoning")
    assert [metric.value for metric in at.metric][:2] == [f"{5 / 6:.1%}", f"{3 / 5:.1%}"]

    ran = qc("drop-unfinished", data, "-o", kept := tmp_path / "kept.jsonl")
    assert ran.code == 0, ran.err
    assert [json.loads(line) for line in kept.read_text().splitlines()] == [rows[i] for i in (0, 3, 5)]
    removed = [json.loads(line) for line in (tmp_path / "kept.removed.jsonl").read_text().splitlines()]
    assert [r["messages"] for r in removed] == [rows[i]["messages"] for i in (1, 2, 4)]
    assert [r["removed_by"] for r in removed] == [reasons[1], reasons[2], reasons[4]]
    split = qcaudit.drop_unfinished(pl.read_ndjson(data))
    assert split.kept["messages"].to_list() == [rows[i]["messages"] for i in (0, 3, 5)] and split.removed.height == 3
    for verbose in ((), ("--verbose",)):
        assert qc("drop-unfinished", data, "--no-reasoning", "-o", tmp_path / "o.jsonl", *verbose).code == 2
    one_line_error(qc("drop-unfinished", data, "--no-reasoning", "-o", tmp_path / "o.jsonl"),
                   "the reasoning analyzer measures the reasoning, which --no-reasoning leaves out")
    assert not (tmp_path / "o.jsonl").exists()

    plain = pl.DataFrame({"messages": [[{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "4"}]]})
    plain.write_parquet(no_reasoning := tmp_path / "plain.parquet")
    named = audit(no_reasoning, load_config(None, {"analyzers": ["reasoning"]}))
    assert named.value("reasoning.reasoning_rate") == 0.0 and "No response holds reasoning" in render_html(named)
    (text := tmp_path / "text.jsonl").write_text(json.dumps({"text": "<think>hm</think> 4"}) + "\n")  # (no response)
    one_line_error(qc("report", text, "--analyzers", "reasoning", "--out", tmp_path / "o"),
                   "needs each row's response: give --response-field")
    assert qc("report", text, "--analyzers", "reasoning", "--out", tmp_path / "o", "--verbose").code == 2
    assert not (tmp_path / "o").exists()
