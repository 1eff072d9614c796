"""Conversations written as plain text, each turn opened by its speaker's marker.

Many chat datasets hold a conversation as one string: Anthropic's HH-RLHF
(``"\\n\\nHuman: ...\\n\\nAssistant: ..."``), OpenAssistant Guanaco
(``"### Human: ... ### Assistant: ..."``), and text rendered with a chat template, ChatML
(``"<|im_start|>user\\n...<|im_end|>"``), Llama 2's (``"<s>[INST] ... [/INST] ... </s>"``),
Llama 3's (``"<|start_header_id|>user<|end_header_id|>\\n\\n...<|eot_id|>"``), Vicuna's
(``"USER: ... ASSISTANT: ...</s>"``), Gemma's, Phi's, Zephyr's, DeepSeek's, Command R's and
OpenAI's harmony format (gpt-oss's), and Alpaca's prompt template (``"### Instruction:\\n...
\\n\\n### Response:\\n..."``). ``--role`` reads the turns of some speakers from such a column as
it reads them from a chat column; without it, a column whose values are such conversations
is read as every speaker's turns but the system's, as a chat column is, and a value that
holds no marker as it is written. Speakers are named as the text names them, in lower case
(``human``, ``assistant``); the caller maps them to OpenAI's names.

The turns are cut in Polars expressions, not row by row in Python: Llama 2's markers, which
name no speaker, are first written as the ChatML markers they stand for; then each marker
is replaced by a control character, the speaker and another control character, and the
text split at the first. Those two characters are removed from the text beforehand, so a
value cannot forge a turn with them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import polars as pl

from qcaudit.text_columns import (
    kept_turns,
    last_answer,
    turns_before_answer,
    without_reasoning,
)

#: A turn's opening marker, one speaker group per layout: HH-RLHF's (at the start or after a
#: blank line), Guanaco's, ChatML's (Phi-4's with ``<|im_sep|>``), Llama 3's, Vicuna's (after
#: white space; Glaive's function-calling data's too, with its ``SYSTEM:`` and ``FUNCTION
#: RESPONSE:`` at a line's start), Alpaca's prompt template's (at a line's start: ``### Instruction:``,
#: ``### Input:``, ``### Response:``), Gemma's (``<start_of_turn>model``), Phi-3's and
#: Zephyr's (``<|user|>``), DeepSeek's (``<｜User｜>``, full-width bars), Command R's
#: (``<|START_OF_TURN_TOKEN|><|USER_TOKEN|>``) and OpenAI's harmony format, gpt-oss's
#: (``<|start|>assistant<|channel|>final<|message|>``: a turn of any channel, a tool's
#: ``functions.name`` as ``functions``).
_TURN = (r"(?:^|\n\n)(Human|Assistant): ?|### (Human|Assistant): ?|<\|im_start\|>(\w+)(?:\n|<\|im_sep\|>)"
         r"|<\|start_header_id\|>(\w+)<\|end_header_id\|>\n*|(?:^|\s)(USER|ASSISTANT): ?|(?m:^)(SYSTEM|FUNCTION RESPONSE): ?"
         r"|(?m:^)### (Instruction|Input|Response):[ \t]*\n?|<start_of_turn>(\w+)\n?|<\|(system|user|assistant)\|>\n?"
         r"|<｜(User|Assistant)｜>|<\|START_OF_TURN_TOKEN\|><\|(SYSTEM|USER|CHATBOT)_TOKEN\|>"
         r"|<\|start\|>(\w+)(?:[^<]|<\|(?:channel|constrain)\|>)*<\|message\|>")
#: Markers that name no speaker, as the ChatML turns they open: Llama 2's ``[INST]`` the
#: user's, ``[/INST]`` the assistant's, ``<<SYS>>`` the system's, and ``<</SYS>>`` the user's
#: again (the system prompt sits inside the first user turn); DeepSeek's opening
#: ``<｜begin▁of▁sentence｜>`` the system's (its template writes the system prompt next, before
#: the first ``<｜User｜>``).
_UNNAMED = (("[INST]", "<|im_start|>user\n"), ("[/INST]", "<|im_start|>assistant\n"),
            ("<<SYS>>", "<|im_start|>system\n"), ("<</SYS>>", "<|im_start|>user\n"),
            ("<｜begin▁of▁sentence｜>", "<|im_start|>system\n"))
#: What a template writes around turns that is no one's text (GPT-2's and Qwen's end of
#: text, ``<|endoftext|>``, closes each of Glaive's answers); and the sentence marks that
#: Llama 2's, Vicuna's and Zephyr's templates write, made spaces in values that hold their markers.
_TEMPLATE_ONLY = (r"<\|im_end\|>\n?|<\|eot_id\|>|<\|endoftext\|>|<\|begin_of_text\|>|<end_of_turn>\n?|<bos>|<\|end\|>\n?|<\|return\|>|<\|call\|>"
                  r"|<｜end▁of▁sentence｜>|<\|END_OF_TURN_TOKEN\|>|<BOS_TOKEN>")
_SENTENCE_MARKS, _MARKED_SO = r"</?s>", r"\[INST\]|USER:|ASSISTANT:|<\|(?:system|user|assistant)\|>"
_TURN_START, _SPEAKER_END = "\x00", "\x01"
#: A turn of the harmony format's ``analysis`` channel, where gpt-oss reasons (to its ``<|end|>``,
#: or the text's end where it was cut short).
_HARMONY_ANALYSIS = r"(?s)<\|start\|>assistant<\|channel\|>analysis<\|message\|>.*?(?:<\|end\|>|$)"
#: :data:`_TURN`'s speaker groups, one of which a marker fills.
_SPEAKER_GROUPS = range(1, re.compile(_TURN).groups + 1)
#: What names the layouts: an error names them for a column that holds none.
LAYOUTS = ("HH-RLHF's '\\n\\nHuman: ', Guanaco's '### Human: ', ChatML's '<|im_start|>user', Llama 2's '[INST]', "
           "Llama 3's '<|start_header_id|>user', Vicuna's 'USER: ', Alpaca's '### Instruction:', Gemma's '<start_of_turn>user', "
           "Phi-3's and Zephyr's '<|user|>', DeepSeek's '<｜User｜>', Command R's '<|USER_TOKEN|>', harmony's '<|start|>user'")


def without_closing_marks(text: pl.Expr) -> pl.Expr:
    """An answer written for a prompt rendered by a chat template (Llama-Nemotron's ``output``,
    TRL's completion exported for training) without the marks the template closes it with
    (``<|eot_id|>``, ``<|im_end|>``, ``</s>``, ...) at its end: they are no one's text, as in
    the prompt's turns."""
    return text.str.replace(f"(?:\\s*(?:{_TEMPLATE_ONLY}|{_SENTENCE_MARKS}))+\\s*$", "")


def looks_like_transcripts(values: pl.Series) -> bool:
    """Whether every value with text in ``values`` (a sample of a column) holds a turn
    of a second speaker after a first: a value with one turn alone is likelier prose that
    mentions "Human:" than a conversation."""
    said = values.drop_nulls().to_frame("said").filter(pl.col("said").str.contains(r"\S"))
    turns = said.select(_marked(pl.col("said")).str.count_matches(_TURN_START, literal=True))
    return not said.is_empty() and bool((turns.to_series() >= 2).all())


def written_turns(text: pl.Expr, reasoning: bool = True) -> pl.Expr:
    """A conversation's turns as a list, each with its speaker marked (:func:`transcript_turns`
    reads them); empty where the text holds no marker. Text before the first marker is no turn.
    Without ``reasoning``, the harmony format's ``analysis`` turns (gpt-oss's reasoning) are none."""
    if not reasoning:
        text = text.str.replace_all(_HARMONY_ANALYSIS, "")
    return _marked(text).str.split(_TURN_START).list.slice(1)


def transcript_turns(turns: pl.Expr, roles: Collection[str], role_names: Mapping[str, str],
                     left_out: Collection[str] = (), reasoning: bool = True) -> pl.Expr:
    """The contents of the :func:`written_turns` ``turns`` of ``roles`` (without, of every
    speaker but ``left_out``'s) as a list, each stripped of surrounding white space (without
    ``reasoning``, of its inline reasoning too); a speaker matches by its name in the text or
    by the name ``role_names`` maps it to (``human`` -> ``user``), in any case."""
    speaker = _speaker(pl.element())
    content = kept_turns(_said(pl.element(), reasoning), lambda names: speaker.is_in(names) | speaker.replace(dict(role_names)).is_in(names),
                         roles, left_out)
    return turns.list.eval(content)


def transcript_prompt(turns: pl.Expr, role_names: Mapping[str, str], reasoning: bool = True) -> pl.Expr:
    """The prompt of each conversation of :func:`written_turns` ``turns``, as a chat
    column's: every turn before the last answer (:func:`_is_answer`), joined by newlines."""
    return turns_before_answer(turns, _said(pl.element(), reasoning), _is_answer(role_names))


def transcript_answer(turns: pl.Expr, role_names: Mapping[str, str], reasoning: bool = True) -> pl.Expr:
    """The answer of each conversation of :func:`written_turns` ``turns``, as a chat
    column's: its last (:func:`_is_answer`)."""
    return last_answer(turns, _said(pl.element(), reasoning), _is_answer(role_names))


def _is_answer(role_names: Mapping[str, str]) -> pl.Expr:
    """Whether a turn (inside ``list.eval``) is an answer: the assistant's (the speaker that
    ``role_names`` maps to ``assistant``), and says something. A template opens an empty one
    after the last question of a prompt rendered for generation (ChatML's
    ``<|im_start|>assistant\\n``, Llama 2's ``[/INST]``): that conversation has no answer yet."""
    return (_speaker(pl.element()).replace(dict(role_names)) == "assistant") & (_content(pl.element()).str.len_bytes() > 0)


def speakers(text: pl.Expr, role_names: Mapping[str, str]) -> pl.Expr:
    """Each turn's speaker as ``role_names`` maps it (``human`` -> ``user``), as a list."""
    return written_turns(text).list.eval(_speaker(pl.element()).replace(dict(role_names)))


def _marked(text: pl.Expr) -> pl.Expr:
    cleaned = text.str.replace_all(f"[{_TURN_START}{_SPEAKER_END}]", "").str.replace_all(_TEMPLATE_ONLY, "")
    cleaned = pl.when(cleaned.str.contains(_MARKED_SO)).then(cleaned.str.replace_all(_SENTENCE_MARKS, " ")).otherwise(cleaned)
    for marker, chatml in _UNNAMED:
        cleaned = cleaned.str.replace_all(marker, chatml, literal=True)
    return cleaned.str.replace_all(_TURN, _TURN_START + "".join(f"${{{group}}}" for group in _SPEAKER_GROUPS) + _SPEAKER_END)


def _said(turn: pl.Expr, reasoning: bool) -> pl.Expr:
    """A turn's content (:func:`_content`), without its inline reasoning unless ``reasoning``."""
    return _content(turn) if reasoning else without_reasoning(_content(turn)).str.strip_chars()


def _content(turn: pl.Expr) -> pl.Expr:
    return turn.str.replace(f"^[^{_SPEAKER_END}]*{_SPEAKER_END}", "").str.strip_chars()


def _speaker(turn: pl.Expr) -> pl.Expr:
    return turn.str.extract(f"^([^{_SPEAKER_END}]*){_SPEAKER_END}").str.to_lowercase()
