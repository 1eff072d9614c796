"""The truncation analyzer: generations the data says were cut off, and code blocks never closed."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from qcaudit import audit
from qcaudit.analyzers.truncation import (
    REASONS_SHOWN,
    TAIL_CHARS,
    unclosed_code_block,
    unclosed_code_blocks,
)
from qcaudit.config import load_config
from qcaudit.report.html import render_html
from qcaudit.sampling import write_sample
from tests.test_dashboard import HOSTILE, SAMPLES, _app, _page
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (a fixture)

#: What each API's reason says, as its documentation gives it: cut at the token limit (OpenAI's,
#: vLLM's and TGI's ``length``, Anthropic's ``max_tokens``, Gemini's ``MAX_TOKENS``), stopped by
#: a content filter (OpenAI's ``content_filter``, Gemini's ``SAFETY``, Anthropic's ``refusal``),
#: or ended as the model chose.
_MEANS = {"length": "cut", "max_tokens": "cut", "MAX_TOKENS": "cut", "content_filter": "filtered", "SAFETY": "filtered",
          "refusal": "filtered", "stop": None, "end_turn": None, "STOP": None, "tool_calls": None, "max_output_tokens": "cut",
          "completed": None, "limit": "cut", "eos": None, "ERROR_TOXIC": "filtered", "ERROR_LIMIT": "cut",
          "LENGTH": "cut", "CONTENT_FILTERED": "filtered", "FINISH": None, "model_context_window_exceeded": "cut"}
#: A line of Markdown, indented as CommonMark reads a top-level line (at most 3 spaces), of
#: characters that make fences, breaks and headings, and a fence line of either character.
#: No line opens a list item or a quote: a fence inside one is read as inside the text, while
#: CommonMark closes it where its container ends.
_LINE = st.tuples(st.integers(0, 3), st.text("`~ a>-1.", max_size=8)).map(lambda t: " " * t[0] + t[1]).filter(
    lambda line: not re.match(r" *(?:[-+*]|\d+[.)]|>)(?: |$)", line) and not line.startswith(" " * 4))
_FENCE_LINE = st.tuples(st.integers(0, 3), st.sampled_from("`~"), st.integers(3, 5), st.text("a `~", max_size=4)).map(
    lambda t: " " * t[0] + t[1] * t[2] + t[3])
_COMMONMARK = MarkdownIt("commonmark")


def _inside_a_block_by_commonmark(text: str) -> bool:
    """Whether a line written after ``text`` falls inside a fenced code block, by markdown-it-py."""
    after = "zzafterwards"
    return any(token.type == "fence" and after in token.content for token in _COMMONMARK.parse(f"{text}\n{after}"))


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.one_of(_LINE, _FENCE_LINE), max_size=12))
def test_a_code_block_is_unclosed_where_commonmark_reads_the_text_s_end_inside_it(lines):
    """Against markdown-it-py, a CommonMark parser: the text ends inside a fenced code block
    exactly where a line written after it falls inside one (fences of backticks or tildes, of
    any length, closed only by one as long of the same character; an info string; lines inside
    a block that look like fences, list items or quotes); so does the reading of a column of
    texts, which scans only those that hold a fence's marks."""
    text = "\n".join(lines)
    inside = _inside_a_block_by_commonmark(text)
    assert unclosed_code_block(text) is inside
    assert unclosed_code_blocks(pl.Series([text, None, "plain"])).to_list() == [inside, None, False]  # (the column's reading)


#: Lines that are no fence at the top level.
_PLAIN = _LINE.filter(lambda line: not line.lstrip().startswith(("```", "~~~")))


@st.composite
def _blocks(draw) -> str:
    """Paragraphs and fenced blocks, every block closed but perhaps the last, whose code holds
    fence lines indented 4 to 7 spaces (the code sample an answer quotes in its code)."""
    lines = []
    for last in [False] * draw(st.integers(0, 2)) + [True]:
        lines += draw(st.lists(_PLAIN, max_size=2))
        mark, length = draw(st.sampled_from("`~")), draw(st.integers(3, 5))
        lines.append(" " * draw(st.integers(0, 3)) + mark * length + draw(st.sampled_from(["", "python", " js"])))
        deep = st.tuples(st.integers(4, 7), st.sampled_from("`~"), st.integers(3, 6)).map(lambda t: " " * t[0] + t[1] * t[2])
        lines += draw(st.lists(st.one_of(_PLAIN, deep), max_size=4))
        if not (last and draw(st.booleans())):
            lines.append(" " * draw(st.integers(0, 3)) + mark * draw(st.integers(length, 6)) + draw(st.sampled_from(["", "  "])))
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(text=_blocks())
def test_a_fence_line_indented_as_code_inside_a_block_closes_nothing(text):
    """Against markdown-it-py again: a fence line indented 4 spaces or more inside a block is
    code (Code Alpaca's answers quote samples that end in one), while the block's own closing
    fence, indented 3 at most, closes it."""
    assert unclosed_code_block(text) is _inside_a_block_by_commonmark(text)


def test_a_fence_in_a_list_item_and_windows_line_ends_are_read():
    """A list item's fence, indented deeper than CommonMark's top level, opens and closes a
    block (an answer's numbered steps); a closing fence before a Windows line end closes it."""
    steps = "1. Install it:\n\n    ```bash\n    pip install qcaudit\n    ```\n2. Run it:\n\n    ```bash\n    qcaudit report"
    assert unclosed_code_block(steps) is True
    assert unclosed_code_block(steps + "\n    ```") is False
    assert unclosed_code_block("```python\r\nx = 1\r\n```\r\nDone.") is False
    assert unclosed_code_block(None) is None


def _layout(layout: str, reasons: list[str | None], text: str) -> dict:
    """A row holding ``text`` and why its generations stopped, as each tool saves it."""
    if layout == "flat":
        return {"prompt": "Q?", "response": text, "finish_reason": reasons[0]}
    if layout == "choices":  # (an OpenAI chat completion saved whole; n choices)
        return {"id": "c", "choices": [{"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": reason}
                                       for i, reason in enumerate(reasons)]}
    if layout == "batch":  # (a line of OpenAI's Batch API output)
        return {"custom_id": "r", "response": {"status_code": 200, "body": {"choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": reasons[0]}]}}}
    if layout == "anthropic":  # (a line of Anthropic's Message Batches results)
        return {"custom_id": "r", "result": {"type": "succeeded", "message": {
            "role": "assistant", "content": [{"type": "text", "text": text}], "stop_reason": reasons[0]}}}
    if layout in ("responses", "responses_batch"):  # (OpenAI's Responses API: why it stopped early, null where it completed)
        response = {"id": "r", "object": "response", "status": "completed" if reasons[0] == "completed" else "incomplete",
                    "incomplete_details": None if reasons[0] == "completed" else {"reason": reasons[0]},
                    "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}]}
        return response if layout == "responses" else {"custom_id": "c", "response": {"status_code": 200, "body": response}}
    if layout == "ollama":  # (Ollama's chat response: one turn, and why it stopped)
        return {"model": "m", "message": {"role": "assistant", "content": text}, "done_reason": reasons[0], "done": True}
    if layout == "bedrock":  # (Amazon Bedrock's Converse response: its stopReason)
        return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}}, "stopReason": reasons[0]}
    if layout == "llamacpp":  # (llama.cpp server's /completion: its stop_type)
        return {"content": text, "stop": True, "stop_type": reasons[0], "tokens_predicted": 9}
    if layout == "sglang":  # (SGLang's /generate: its reason an object that names it)
        reason = None if reasons[0] is None else {"type": reasons[0], "length": 9}
        return {"text": text, "meta_info": {"id": "i", "finish_reason": reason, "prompt_tokens": 3}}
    if layout == "tgi":  # (TGI's answer with its details)
        return {"prompt": "Q?", "generated_text": text, "details": {"finish_reason": reasons[0], "generated_tokens": 3}}
    if layout == "gemini":  # (a line of Gemini's Batch API output)
        return {"key": "k", "response": {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                                                         "finishReason": reasons[0], "index": 0}]}}
    if layout == "bedrock_llama":  # (a line of Bedrock's batch inference output of a Llama model)
        return {"recordId": "r", "modelInput": {"prompt": "Q?"}, "modelOutput": {"generation": text, "stop_reason": reasons[0]}}
    if layout == "bedrock_titan":  # (... of a Titan model: its several results)
        return {"recordId": "r", "modelInput": {"inputText": "Q?"}, "modelOutput": {
            "results": [{"outputText": text, "completionReason": reason, "tokenCount": 3} for reason in reasons]}}
    if layout == "vllm":  # (vLLM's outputs saved whole: its stop_reason is the stop string that ended one, no reason)
        return {"prompt": "Q?", "outputs": [{"index": i, "text": text, "finish_reason": reason, "stop_reason": "###"}
                                            for i, reason in enumerate(reasons)]}
    # OpenR1-Math: a chat, and its several generations with their finish reasons
    return {"problem": "Q?", "messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": text}],
            "generations": [text] * len(reasons), "finish_reasons": reasons}


#: How tools save why each generation stopped (:func:`_layout`).
_LAYOUTS = ("flat", "tgi", "sglang", "llamacpp", "ollama", "bedrock", "bedrock_llama", "bedrock_titan", "choices", "batch",
            "anthropic", "gemini", "responses", "responses_batch", "vllm", "openr1")


@settings(max_examples=80, deadline=None)
@given(layout=st.sampled_from(_LAYOUTS),
       rows=st.lists(st.tuples(st.lists(st.one_of(st.none(), st.sampled_from(sorted(_MEANS))), min_size=1, max_size=3),
                               st.booleans()), min_size=1, max_size=12),
       batch_rows=st.integers(1, 5))
def test_stop_reasons_in_each_layout_give_the_rows_cut_off(tmp_path_factory, layout, rows, batch_rows):
    """Rows whose generations stopped for planted reasons, in each way a tool saves them (a
    flat column, TGI's details, SGLang's typed reasons, llama.cpp's stop types, Ollama's and Bedrock's chat responses,
    Bedrock's batch inference output of a Llama and a Titan model, an API's choices, a Batch API line, Anthropic's and Gemini's batch results,
    OpenAI's Responses API's saved whole and in a Batch API line (whose reason where it
    completed is "completed"), vLLM's outputs beside their stop strings, OpenR1's lists),
    found without being named; the
    rows written keep the reasons, not the input's record. Against what each reason means by its API's
    documentation: a row is cut where any of its generations stopped at the token limit,
    filtered where a content filter stopped one; the rates are over the rows with a reason,
    and a row whose code block is left open is counted whatever its reasons. Any batching
    gives the same report."""
    if layout in ("flat", "tgi", "sglang", "llamacpp", "ollama", "bedrock", "bedrock_llama", "batch", "anthropic", "gemini"):  # (one a row)
        rows = [(reasons[:1], open_code) for reasons, open_code in rows]
    if layout in ("responses", "responses_batch"):  # (a response that did not stop early completed)
        rows = [([reasons[0] or "completed"], open_code) for reasons, open_code in rows]
    if layout == "vllm":  # (vLLM says why each output stopped)
        rows = [([reason or "stop" for reason in reasons], open_code) for reasons, open_code in rows]
    texts = ["```python\nprint(1)" if open_code else "Done." for _, open_code in rows]
    path = tmp_path_factory.mktemp("truncation") / "rows.jsonl"
    path.write_text("".join(json.dumps(_layout(layout, reasons, text)) + "\n" for (reasons, _), text in zip(rows, texts, strict=True)))
    report = audit(path, load_config(None, {"analyzers": ["duplicates"]}))
    batched = audit(path, load_config(None, {"analyzers": ["duplicates"], "engine.batch_rows": batch_rows}))
    assert (batched.metrics, batched.tables) == (report.metrics, report.tables) and batched.rows.equals(report.rows)
    assert not [column for column in report.rows.columns if column.startswith("_")]  # (an API's whole answer is its text again)

    given_reasons = [[reason for reason in reasons if reason is not None] for reasons, _ in rows]
    known = [reasons for reasons in given_reasons if reasons]
    completed = layout.startswith("responses") and all(reasons == ["completed"] for reasons in known)  # (incomplete_details all null)
    if not known or completed:  # (JSON's nulls alone are no column of text: nothing says why)
        assert "truncation" not in report.metrics or report.value("truncation.with_stop_reason") == 0
        return
    got = report.rows.sort("row_id")
    assert report.value("truncation.with_stop_reason") == len(known)
    assert got["stop_reason"].to_list() == [", ".join(reasons) if reasons else None for reasons in given_reasons]
    assert got["cut_off"].to_list() == [any(_MEANS[r] == "cut" for r in reasons) if reasons else None for reasons in given_reasons]
    assert got["stopped_by_filter"].to_list() == [any(_MEANS[r] == "filtered" for r in reasons) if reasons else None
                                                  for reasons in given_reasons]
    assert got["code_unclosed"].to_list() == [open_code for _, open_code in rows]
    assert report.value("truncation.unclosed_code_rate") == pytest.approx(sum(o for _, o in rows) / len(rows))
    if known:
        assert report.value("truncation.cut_off_rate") == pytest.approx(
            sum(any(_MEANS[r] == "cut" for r in reasons) for reasons in known) / len(known))
        assert report.value("truncation.content_filter_rate") == pytest.approx(
            sum(any(_MEANS[r] == "filtered" for r in reasons) for reasons in known) / len(known))
        counted = {reason: sum(reason in reasons for reasons in known) for reasons in known for reason in reasons}
        assert {(r["reason"], r["rows"]) for r in report.tables["truncation"]["stop_reasons"]} == set(counted.items())


def test_the_analyzer_is_turned_on_by_a_stop_reason_and_named_without_one_counts_code_alone(tmp_path):
    """Data that says why its generations stopped turns the analyzer on; the bundled sample,
    without such a record, does not. Named on it, the analyzer counts the code blocks left
    open and says that nothing records why the rows stopped; a column of another name is
    read where ``--stop-reason`` names it. Of a column of free text under a reason's name, the
    report keeps the most common reasons and says how many there are."""
    def analyzers(frame: pl.DataFrame) -> list[str]:
        frame.write_parquet(path := tmp_path / "d.parquet")
        return list(audit(path).config["analyzers"])

    assert analyzers(pl.DataFrame({"prompt": ["Q?", "R?"], "response": ["A.", "B."], "finish_reason": ["stop", "length"]})) == [
        "diversity", "duplicates", "truncation"]
    sample = pl.read_parquet(SAMPLES / "instructions.parquet")
    assert "truncation" not in analyzers(sample)
    plain = pl.DataFrame({"instruction": ["Write it.", "Say hi."], "output": ["```python\nprint(1)", "Hi."]})
    plain.write_parquet(path := tmp_path / "plain.parquet")
    named = audit(path, load_config(None, {"analyzers": ["truncation"]}))
    assert named.metrics["truncation"].keys() == {"generations", "with_stop_reason", "unclosed_code_rate"}
    assert named.value("truncation.unclosed_code_rate") == 0.5 and named.rows["cut_off"].to_list() == [None, None]
    assert "does not say why each generation stopped" in render_html(named)
    plain.with_columns(why=pl.Series(["length", "stop"], dtype=pl.Categorical)).write_parquet(path)  # (a Parquet dictionary)
    renamed = audit(path, load_config(None, {"analyzers": ["truncation"], "truncation.stop_reason": "why"}))
    assert renamed.value("truncation.cut_off_rate") == 0.5 and renamed.rows["cut_off"].to_list() == [True, False]
    plain.with_columns(finish_reasons=pl.Series([["stop", "stop"], ["length", "stop"]])).write_parquet(path)  # (OpenR1's)
    several = audit(path, load_config(None, {"analyzers": ["truncation"]}))
    assert several.tables["truncation"]["stop_reasons"] == [{"reason": "stop", "rows": 2}, {"reason": "length", "rows": 1}]

    # a column of free text under a reason's name: the report keeps the most common, says how many there are
    rows = REASONS_SHOWN + 7
    free = pl.DataFrame({"response": [f"A{i}." for i in range(rows)],
                         "stop_reason": ["stop"] * 2 + [f"because {i}" for i in range(rows - 2)]})
    free.write_parquet(path)
    many = audit(path, load_config(None, {"analyzers": ["truncation"]}))
    kept = many.tables["truncation"]["stop_reasons"]
    assert len(kept) == REASONS_SHOWN and kept[0] == {"reason": "stop", "rows": 2}
    assert many.tables["truncation"]["stop_reasons_given"] == rows - 1
    assert f"the {REASONS_SHOWN} most common of the {rows - 1} reasons the data gives" in render_html(many)


def test_a_response_among_several_generations_has_the_reason_of_the_one_it_is(tmp_path):
    """OpenR1-Math's rows: a chat holding one of the row's ``generations``, and a reason for
    each generation in ``finish_reasons``. The response's reason is that of the generation it
    is (a row whose chat holds a finished generation is not cut because another was); where
    it is none of them, every generation's reasons are the row's."""
    def row(answer: str, generations: list[str], reasons: list[str]) -> dict:
        return {"problem": "Q?", "messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": answer}],
                "generations": generations, "finish_reasons": reasons}

    rows = [row("<think>easy</think> 2", ["<think>easy</think> 2", "<think>hmm"], ["stop", "length"]),
            row("<think>hmm", ["<think>easy</think> 2", "<think>hmm"], ["stop", "length"]),
            row("another", ["<think>easy</think> 2", "<think>hmm"], ["stop", "length"])]
    (path := tmp_path / "openr1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    got = audit(path, load_config(None, {"analyzers": ["truncation"]})).rows.sort("row_id")
    assert got["stop_reason"].to_list() == ["stop", "length", "stop, length"]
    assert got["cut_off"].to_list() == [False, True, True]


def test_rows_cut_off_are_flagged_shown_escaped_dropped_and_a_bad_column_refused(qc, tmp_path, monkeypatch):  # noqa: F811
    """Rows cut at the token limit, stopped by a filter, or with a code block never closed are
    flagged with their reasons in the review sample; the HTML page, ``qcaudit show`` and the
    dashboard give the shares and list how each ends (dataset text, escaped; a long one's
    last characters). ``qcaudit drop-truncated`` writes the others with the input's columns,
    and the removed rows with why; ``qcaudit.drop_truncated`` splits them in memory. A stop
    reason column that holds none is one line and exit 2, with --verbose too, and writes
    nothing."""
    import qcaudit

    long = " ".join(f"word{i}" for i in range(100))
    rows = [("Q0?", "Fine.", "stop"), ("Q1?", f"{HOSTILE} and then", "length"), ("Q2?", "I", "content_filter"),
            ("Q3?", "```python\nprint(1)", "stop"), ("Q4?", long, "max_tokens"), ("Q5?", "All done.", None)]
    frame = pl.DataFrame(rows, schema=["prompt", "response", "finish_reason"], orient="row")
    frame.write_parquet(data := tmp_path / "gen.parquet")
    config = load_config(None, {"sample.size": 6, "sample.flagged_share": 1.0})
    report = audit(data, config)
    assert report.value("truncation.cut_off_rate") == pytest.approx(2 / 5)
    assert report.value("truncation.content_filter_rate") == pytest.approx(1 / 5)
    assert [r["ending"] for r in report.tables["truncation"]["cut"]] == [rows[1][1], "I", rows[3][1], "…" + long[-TAIL_CHARS:]]
    page = render_html(report)
    assert "Responses cut off" in page and "stopped at the token limit (finish reason length)" in page
    assert "<img" not in page and "&lt;img src=x" in page
    write_sample(data, config, review := tmp_path / "review.csv")
    reasons = pl.read_csv(review).sort("row_id")["reason"].to_list()
    assert reasons[1:5] == ["stopped at the token limit (finish reason length)", "stopped by a content filter (finish reason content_filter)",
                            "a code block never closes", "stopped at the token limit (finish reason max_tokens)"]
    ran = qc("report", data, "--out", out := tmp_path / "audit", "-q")
    assert ran.code == 0, ran.err
    monkeypatch.setenv("COLUMNS", "200")  # (each row's ending on one line)
    shown = qc("show", out)
    assert "Responses cut off" in shown.out and "<img src=x onerror=alert(1)> **bold** [link]" in shown.out
    at = _page(_app(monkeypatch, out), "Cut-off responses")
    assert [metric.value for metric in at.metric][:3] == [f"{2 / 5:.1%}", f"{1 / 5:.1%}", f"{1 / 6:.1%}"]

    ran = qc("drop-truncated", data, "-o", kept := tmp_path / "kept.parquet")
    assert ran.code == 0, ran.err
    assert pl.read_parquet(kept).equals(frame[[0, 5]])
    removed = pl.read_parquet(tmp_path / "kept.removed.parquet")
    assert removed["prompt"].to_list() == ["Q1?", "Q2?", "Q3?", "Q4?"]
    assert removed["removed_by"].to_list() == reasons[1:5]
    split = qcaudit.drop_truncated(frame)
    assert split.kept.equals(frame[[0, 5]]) and split.removed["prompt"].to_list() == ["Q1?", "Q2?", "Q3?", "Q4?"]

    frame.with_columns(tokens=pl.Series([3, 4, 5, 6, 7, 8])).write_parquet(numbers := tmp_path / "numbers.parquet")
    for verbose in ((), ("--verbose",)):
        ran = qc("report", numbers, "--stop-reason", "tokens", "--out", tmp_path / "o", *verbose)
        assert ran.code == 2 and not (tmp_path / "o").exists()
    one_line_error(qc("report", numbers, "--stop-reason", "tokens", "--out", tmp_path / "o"),
                   "the stop reason column 'tokens' holds Int64")
