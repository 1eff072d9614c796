"""How each kind of column holds its text, as Polars expressions: plain text, categories,
bytes, lists of strings, the turns of a chat (OpenAI's, ShareGPT's, Gemini's layouts, with
tool calls and content parts), OpenAI's ``choices``, Self-Instruct's instances, content
blocks, lists of answers. :func:`column_text` is any column's text; the chat functions read a chat's turns,
its prompt and its answer. Which columns hold a row's text is :mod:`qcaudit.io`'s choice."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection
from typing import NamedTuple

import polars as pl

from qcaudit.errors import QcauditError

#: The layouts of a chat column's turns, (role field, content field): OpenAI's ``messages``,
#: ShareGPT's ``conversations``, whose roles ``human`` and ``gpt`` read as ``user`` and
#: ``assistant``, and Gemini's ``contents`` (Vertex AI's tuning files), whose ``model`` reads
#: as ``assistant``; roles in any case (Cohere's ``User`` and ``Chatbot``: ``user``,
#: ``assistant``; ``--role`` takes either name). A turn's content may also be a list of
#: OpenAI's content parts (``{type, text}``), as Gemini's ``parts`` always are
#: (``{text}``): its text parts are the turn's text.
CHAT_LAYOUTS = (("role", "content"), ("from", "value"), ("role", "parts"))
#: A chat turn's field of the tools it calls (OpenAI's function calling), and of the one
#: function it calls in OpenAI's legacy form.
TOOL_CALLS, FUNCTION_CALL = "tool_calls", "function_call"
#: A turn's field of the refusal that OpenAI's API returns in place of the content (structured
#: outputs): the turn's text where it has no content.
REFUSAL = "refusal"
#: A turn's field of the reasoning that a reasoning model wrote before its answer, the first
#: that the turns have as text: DeepSeek's API and Qwen3's chat template
#: (``reasoning_content``), vLLM's and OpenRouter's (``reasoning``), the gpt-oss chat template
#: (``thinking``; Anthropic's ``thinking`` content blocks are read by :func:`text_of_parts`).
#: The reasoning is the turn's text, before its content, as those templates render it and as
#: a DeepSeek-R1 answer holds its ``<think>`` inline: it is most of what a distilled
#: reasoning dataset's model wrote, and where its repetition and leaks are.
REASONING_FIELDS = ("reasoning_content", "reasoning", "thinking")
#: The marks that open and close reasoning written inline in an answer: DeepSeek-R1's and
#: Qwen's ``<think>...</think>``, OpenThoughts' and Bespoke-Stratos'
#: ``<|begin_of_thought|>...<|end_of_thought|>``, the ``<reasoning>...</reasoning>`` of GRPO's
#: format (TRL's and Unsloth's examples, before an ``<answer>``), Magistral's
#: ``[THINK]...[/THINK]``, Kimi's ``◁think▷...◁/think▷``, Seed-OSS's ``<seed:think>...</seed:think>``.
REASONING_MARKS = (("<think>", "</think>"), ("<|begin_of_thought|>", "<|end_of_thought|>"), ("<reasoning>", "</reasoning>"),
                   ("[THINK]", "[/THINK]"), ("◁think▷", "◁/think▷"), ("<seed:think>", "</seed:think>"))
#: The reasoning an answer writes inline (:data:`REASONING_MARKS`) and the white space after it
#: (one cut short: from its opening mark to the end), then, where the template wrote the
#: opening mark into the prompt, an answer's start up to a closing mark that none opens.
_THINKING_INLINE = ("(?s)(?:" + "|".join(f"{pl.escape_regex(opening)}.*?(?:{pl.escape_regex(closing)}|$)"
                                          for opening, closing in REASONING_MARKS) + r")\s*")
_THINKING_UNOPENED = "(?s)^.*?(?:" + "|".join(pl.escape_regex(closing) for _, closing in REASONING_MARKS) + r")\s*"
#: Roles as other layouts name them -> OpenAI's: ShareGPT's (with LLaMA-Factory's function
#: calling: the assistant's ``function_call``, the tool's ``observation``), Gemini's, Cohere's,
#: OpenAI's legacy ``function`` (a function's result), and, in conversations written as text,
#: the sections of Alpaca's prompt template (``### Instruction:``, ``### Input:``,
#: ``### Response:``), the harmony format's tool results (``<|start|>functions.name``) and
#: Glaive's (``FUNCTION RESPONSE:``).
OTHER_ROLE_NAMES = {"human": "user", "gpt": "assistant", "function_call": "assistant", "observation": "tool",
                    "model": "assistant", "chatbot": "assistant", "function": "tool",
                    "instruction": "user", "input": "user", "response": "assistant", "functions": "tool",
                    "function response": "tool"}
#: Roles whose turns set a chat up rather than make its exchange: OpenAI's ``system`` and its
#: newer name ``developer`` (ShareGPT's and Cohere's ``system`` too). Their text is mostly one
#: template shared by every row; read into each row's text it would make the rows look alike
#: to every diversity, duplicate and embedding metric (Llama 2's default system prompt took
#: 300 GSM8K chats' Self-BLEU-4 from 0.13 to 0.60: ``benchmarks/bench_system_prompt.py``). A
#: chat's text leaves them out unless ``--role`` names them.
SETUP_ROLES = ("system", "developer")
FIELD_SEPARATOR = "\n"
#: The field that types each item of the list OpenAI's Responses API answers with (``output``)
#: and takes (``input``): a ``message`` turn, or an item without a role, whose role is read
#: here: a ``reasoning`` item (its ``summary`` parts, and the ``content`` parts of an open
#: model's full reasoning, vLLM's gpt-oss), the assistant's reasoning, read before its answer
#: as a turn's reasoning field is; a ``function_call`` (``name``, ``arguments``), the
#: assistant's call; a ``function_call_output`` (its ``output``), the tool's result.
ITEM_TYPE, REASONING_ITEM, CALL_ITEM, CALL_RESULT_ITEM = "type", "reasoning", "function_call", "function_call_output"
ITEM_ROLES = {REASONING_ITEM: "assistant", CALL_ITEM: "assistant", CALL_RESULT_ITEM: "tool"}


class ChatLayout(NamedTuple):
    """How a chat column's turns hold their role and content: the two field names, the
    content's type (text, or a list of content parts), the types of the turns'
    ``tool_calls`` and ``function_call`` where they have them (OpenAI's function calling, and
    its legacy form), the name of their reasoning field (:data:`REASONING_FIELDS`) where
    they have one, the turns' own type where they are the Responses API's items
    (:data:`ITEM_TYPE`): their fields' types, and whether they hold a :data:`REFUSAL`."""

    role: str
    content: str
    content_dtype: pl.DataType
    tool_calls_dtype: pl.DataType | None = None
    function_call_dtype: pl.DataType | None = None
    reasoning: str | None = None
    items: dict[str, pl.DataType] | None = None
    refusal: bool = False


def chat_layout(dtype: pl.DataType) -> ChatLayout | None:
    """The layout of a chat column's turns; None for another column."""
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return None
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    reasoning = next((name for name in REASONING_FIELDS if fields.get(name) == pl.String), None)
    items = fields if fields.get(ITEM_TYPE) == pl.String else None
    refusal = fields.get(REFUSAL) == pl.String
    return next((ChatLayout(role, content, fields[content], fields.get(TOOL_CALLS), fields.get(FUNCTION_CALL), reasoning, items, refusal)
                 for role, content in CHAT_LAYOUTS if role in fields and content in fields), None)


def reasoning_read(layout: ChatLayout) -> str | None:
    """Where a chat's turns hold the reasoning that their text reads before their content, as
    the load line names it: the turns' field (:data:`REASONING_FIELDS`), or Anthropic's
    ``thinking`` blocks or Gemini's thought parts among content parts; None where they hold none."""
    if layout.reasoning:
        return layout.reasoning
    if layout.items and is_text_parts(layout.items.get("summary")):
        return "reasoning items"
    parts = {f.name: f.dtype for f in layout.content_dtype.inner.fields} if is_text_parts(layout.content_dtype) else {}
    if parts.get("thinking") == pl.String:
        return "thinking blocks"
    return "thought parts" if parts.get("thought") == pl.Boolean else None


def without_reasoning(text: pl.Expr) -> pl.Expr:
    """``text`` without the reasoning written inline in it (:data:`_THINKING_INLINE`), for
    ``--no-reasoning``, which audits a reasoning model's answers without their reasoning."""
    return text.str.replace_all(_THINKING_INLINE, "").str.replace(_THINKING_UNOPENED, "")


def is_chat(dtype: pl.DataType) -> bool:
    """Whether a column of ``dtype`` is a chat: a list of turns with a role and a content
    (OpenAI's messages, ShareGPT's conversations)."""
    return chat_layout(dtype) is not None


def is_turn(dtype: pl.DataType) -> bool:
    """Whether a column of ``dtype`` holds one turn of a chat, a role and a content, saved
    alone (LLaMA-Factory's preference answers: ``{"from": "gpt", "value": ...}``)."""
    return isinstance(dtype, pl.Struct) and is_chat(pl.List(dtype))


def turn_role(layout: ChatLayout) -> pl.Expr:
    """A turn's role (inside ``list.eval``) as OpenAI names it: ShareGPT's, Gemini's and
    Cohere's names read as OpenAI's, in any case; a Responses API item's without one, its
    type's (:data:`ITEM_ROLES`)."""
    role = pl.element().struct.field(layout.role).cast(pl.String).str.to_lowercase().replace(OTHER_ROLE_NAMES)
    if layout.items is None:
        return role
    return pl.coalesce(role, pl.element().struct.field(ITEM_TYPE).replace_strict(ITEM_ROLES, default=None, return_dtype=pl.String))


def is_text_parts(dtype: pl.DataType) -> bool:
    """Whether ``dtype`` is a list of OpenAI's content parts (``{type, text}``; an image
    part's ``text`` is null)."""
    return isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct) and "text" in {f.name for f in dtype.inner.fields}


def turn_content(layout: ChatLayout, reasoning: bool = True) -> pl.Expr:
    """A turn's text (inside ``list.eval``): its reasoning (:data:`REASONING_FIELDS`; not where
    the content holds it), then its content, or its text parts joined by newlines (or where
    it has none, its :data:`REFUSAL`), then the
    tool calls it makes (:func:`_tool_calls_text`), a line each; of these, the empty are left out.
    Without ``reasoning``: no reasoning field, no thinking block, none inline (:func:`without_reasoning`).

    Where some turns' content is text and others' a list of parts (OpenAI's vision format:
    the user's turn in parts, the assistant's as text), a JSON lines reader gives every
    content as text, the lists written as JSON: those are read back as their text parts."""
    content = pl.element().struct.field(layout.content)
    if is_text_parts(layout.content_dtype):
        content = text_of_parts(content, layout.content_dtype, reasoning)
    else:
        content = content.cast(pl.String)
        written_parts = pl.when(content.str.starts_with("[")).then(content)  # (others null: not passed to Python)
        read = functools.partial(_text_of_written_parts, reasoning=reasoning)
        content = pl.coalesce(written_parts.map_elements(read, return_dtype=pl.String), content)
    if layout.items is not None:
        content = _item_text(content, layout.items, reasoning)
    if layout.refusal:
        content = pl.coalesce(non_empty(content), pl.element().struct.field(REFUSAL), content)
    if not reasoning:
        content = without_reasoning(content)
    legacy = isinstance(layout.function_call_dtype, pl.Struct)
    legacy_call = _call_text(pl.element().struct.field(FUNCTION_CALL), layout.function_call_dtype) if legacy else None
    calls = [call for call in (_tool_calls_text(layout.tool_calls_dtype), legacy_call) if call is not None]
    thought = []
    if layout.reasoning and reasoning:  # (not where the content holds it already: an export that kept R1's <think> inline too)
        given = pl.element().struct.field(layout.reasoning).cast(pl.String)
        thought = [pl.when(content.str.contains(given, literal=True).fill_null(False)).then(None).otherwise(given)]
    if not (thought or calls):
        return content
    said = pl.concat_str([non_empty(piece) for piece in (*thought, content, *calls)], separator=FIELD_SEPARATOR, ignore_nulls=True)
    return pl.when(said.str.len_bytes() > 0).then(said).otherwise(content)


def _item_text(content: pl.Expr, fields: dict[str, pl.DataType], reasoning: bool) -> pl.Expr:
    """A Responses API item's text (inside ``list.eval``; ``content``: its content's, ``fields``:
    the items'), by its type (:data:`ITEM_TYPE`): a reasoning item's summary and content
    (none without ``reasoning``), a call's ``name(arguments)``, a call's result's ``output``."""
    kind = pl.element().struct.field(ITEM_TYPE)
    summary = [text_of_parts(pl.element().struct.field("summary"), fields["summary"])] if is_text_parts(fields.get("summary")) else []
    thought = pl.concat_str([non_empty(piece) for piece in (*summary, content)], separator=FIELD_SEPARATOR, ignore_nulls=True)
    said = pl.when(kind == REASONING_ITEM).then(non_empty(thought) if reasoning else None)
    if (call := _call_text(pl.element(), pl.Struct(fields))) is not None:
        said = said.when(kind == CALL_ITEM).then(call)
    if fields.get("output") == pl.String:
        said = said.when(kind == CALL_RESULT_ITEM).then(pl.element().struct.field("output"))
    return said.otherwise(content)


def _tool_calls_text(dtype: pl.DataType | None) -> pl.Expr | None:
    """A turn's tool calls (inside ``list.eval``) as text, ``name(arguments)`` a line each
    (``get_weather({"city": "Paris"})``), null where it makes none: in function-calling data
    the call is what the assistant wrote. OpenAI's ``{function: {name, arguments}}`` and the
    plain ``{name, arguments}`` chat templates accept; arguments as JSON text, or an object
    (written with the keys Polars gives every call's object, null where a call has none).
    None for turns without tool calls, or calls of another shape."""
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return None
    nested = isinstance(function := {f.name: f.dtype for f in dtype.inner.fields}.get("function"), pl.Struct)  # (OpenAI's {id, type, function})
    rendered = _call_text(pl.element().struct.field("function"), function) if nested else _call_text(pl.element(), dtype.inner)
    if rendered is None:
        return None
    text = pl.element().struct.field(TOOL_CALLS).list.eval(rendered.drop_nulls()).list.join(FIELD_SEPARATOR)
    return pl.when(text.str.len_bytes() > 0).then(text)


def _call_text(call: pl.Expr, dtype: pl.Struct, arguments: str = "arguments") -> pl.Expr | None:
    """A call of a function or tool (a struct of ``dtype``: its ``name`` and its ``arguments``
    field, JSON text or an object) as ``name(arguments)``; null where it has no name; None
    where ``dtype`` has no name field."""
    fields = {f.name: f.dtype for f in dtype.fields}
    if "name" not in fields:
        return None
    given = call.struct.field(arguments) if arguments in fields else pl.lit("")
    given = given.struct.json_encode() if isinstance(fields.get(arguments), pl.Struct) else given.cast(pl.String)
    return pl.concat_str([call.struct.field("name").cast(pl.String), pl.lit("("), given.fill_null(""), pl.lit(")")])


def text_of_parts(parts: pl.Expr, dtype: pl.DataType, reasoning: bool = True) -> pl.Expr:
    """A list of content parts (of ``dtype``) as its text, a part a line: OpenAI's and Gemini's
    text parts and Anthropic's text blocks; the calls a model makes in them, ``name(arguments)``
    (Anthropic's ``tool_use`` blocks, Gemini's ``functionCall`` parts); the tools' results
    (the text of Anthropic's ``tool_result`` blocks, Gemini's ``functionResponse`` as JSON);
    the reasoning of Anthropic's ``thinking`` blocks (a redacted one's is encrypted: no text)
    and Gemini's thought summaries (its parts marked ``thought``), unless not ``reasoning``.
    Empty and missing parts are left out, as a list of answers' are (summarize_from_feedback's
    ``summaries``, ``{text, policy, note}``, read so too)."""
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    each = [pl.element().struct.field("text").cast(pl.String)]
    if "input" in fields:  # (Anthropic's tool_use: {type, id, name, input})
        each.append(_call_text(pl.element(), dtype.inner, arguments="input"))
    if isinstance(fields.get("functionCall"), pl.Struct):  # (Gemini's: {functionCall: {name, args}})
        each.append(_call_text(pl.element().struct.field("functionCall"), fields["functionCall"], arguments="args"))
    answer = fields.get("functionResponse")
    answered = {f.name: f.dtype for f in answer.fields} if isinstance(answer, pl.Struct) else {}
    if "response" in answered:  # (Gemini's: {functionResponse: {name, response}}, the tool's result)
        response = pl.element().struct.field("functionResponse").struct.field("response")
        each.append(response.struct.json_encode() if isinstance(answered["response"], pl.Struct) else response.cast(pl.String))
    if fields.get("content") == pl.String:  # (Anthropic's tool_result: {type, tool_use_id, content})
        each.append(pl.element().struct.field("content"))
    if fields.get("thinking") == pl.String and reasoning:  # (Anthropic's extended thinking: {type, thinking, signature})
        each.append(pl.element().struct.field("thinking"))
    said = pl.coalesce([part for part in each if part is not None])
    if fields.get("thought") == pl.Boolean and not reasoning:  # (Gemini's thought summaries: {text, thought: true})
        said = pl.when(~pl.element().struct.field("thought").fill_null(False)).then(said)
    return parts.list.eval(said.filter(said.str.len_bytes() > 0)).list.join(FIELD_SEPARATOR)


def _text_of_written_parts(content: str, reasoning: bool = True) -> str | None:
    """The text parts, joined by newlines, of a list of OpenAI's content parts written as
    JSON (every item an object with a ``type``; without ``reasoning``, its thinking blocks left
    out); None for any other text, a list of strings or of other objects among it."""
    try:
        parts = json.loads(content)
    except ValueError:
        return None
    if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) and isinstance(p.get("type"), str) for p in parts):
        return None
    read = [part for part in parts if reasoning or part["type"] != "thinking"]
    return FIELD_SEPARATOR.join(text for text in map(_written_part_text, read) if text)  # (as text_of_parts, the empty left out)


def _written_part_text(part: dict) -> str | None:
    """One content part's text as :func:`text_of_parts` reads it: its text, the call of a
    ``tool_use`` block, a ``tool_result`` block's text, a ``thinking`` block's reasoning."""
    if isinstance(part.get("text"), str):
        return part["text"]
    if part["type"] == "thinking" and isinstance(part.get("thinking"), str):
        return part["thinking"]
    if part["type"] == "tool_use" and isinstance(part.get("name"), str):
        given = part.get("input")
        return f"{part['name']}({given if isinstance(given, str) else json.dumps(given, separators=(',', ':'), ensure_ascii=False)})"
    return part["content"] if part["type"] == "tool_result" and isinstance(part.get("content"), str) else None


def _utf8_or_null(values: pl.Series) -> pl.Series:
    """Bytes as text where they are UTF-8, else null: Polars' cast when every value is UTF-8;
    it fails on the first that is not, and then each value is decoded on its own."""
    try:
        return values.cast(pl.String)
    except pl.exceptions.ComputeError:
        pass

    def decoded(raw: bytes | None) -> str | None:
        try:
            return None if raw is None else raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    return pl.Series(values.name, [decoded(raw) for raw in values.to_list()], dtype=pl.String)


def is_plain_text(dtype: pl.DataType) -> bool:
    """Whether a column holds plain text: strings, or categories of them (pandas' category
    dtype, an Arrow dictionary of strings, reads as Categorical)."""
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def sole_text_column(schema: pl.Schema, names: list[str], headed_delimited: bool) -> str | None:
    """The input's one column (of ``names``) where it holds text, whatever its name: pandas'
    ``DataFrame(texts)`` names it 0, a file of ``{"sentence": ...}`` rows "sentence". None
    for a CSV or TSV file read with a header line (``headed_delimited``), whose one column's
    name may be its first text, and for a column with no name."""
    if len(names) != 1 or not names[0] or headed_delimited:
        return None
    return names[0] if is_plain_text(schema[names[0]]) else None


def column_text(name: str, dtype: pl.DataType, roles: tuple[str, ...] = (),
                left_out: tuple[str, ...] = (), reasoning: bool = True) -> pl.Expr | None:
    """A column's text, however it is stored: text or categories (pandas' category dtype reads
    as Categorical), bytes where they are UTF-8 (some writers store text so), a list of
    strings one a line (paragraphs, sentences) or of such lists (a multi-turn history's
    rounds), the turns of a chat (those of ``roles``; without, all but those of
    ``left_out``), Self-Instruct's instances, OpenAI's ``choices`` and Gemini's
    ``candidates``, a list of text parts or content blocks, a list of answers
    (:func:`_answers_text`); None for a column that holds no text
    (numbers, structs). Without ``reasoning``, a text's, a list's texts', a chat's and content
    blocks' reasoning is left out (:func:`without_reasoning`)."""
    if dtype == pl.Null or is_plain_text(dtype):
        return pl.col(name).cast(pl.String) if reasoning else without_reasoning(pl.col(name).cast(pl.String))
    if dtype == pl.Binary:
        return pl.col(name).map_batches(_utf8_or_null, return_dtype=pl.String)
    if isinstance(dtype, pl.List) and dtype.inner == pl.String:
        texts = pl.col(name) if reasoning else pl.col(name).list.eval(without_reasoning(pl.element()))
        return texts.list.join(FIELD_SEPARATOR, ignore_nulls=True)
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.List) and dtype.inner.inner == pl.String:
        # (LLaMA-Factory's Alpaca ``history``: earlier rounds as [question, answer] lists)
        lines = pl.col(name).list.eval(pl.element().list.eval(pl.element().filter(pl.element() != "")).list.join(FIELD_SEPARATOR))
        return lines.list.eval(pl.element().filter(pl.element() != "")).list.join(FIELD_SEPARATOR)
    if is_chat(dtype):
        return chat_text(name, dtype, roles, left_out, reasoning)
    if is_instances(dtype):
        return _instances_text(name)
    if _is_choices(dtype):
        return _choices_text(name, dtype, roles, left_out, reasoning)
    if is_text_parts(dtype):  # (content blocks, as Anthropic's messages hold them)
        return text_of_parts(pl.col(name), dtype, reasoning)
    if (field := answer_field(dtype)) is not None:
        return _answers_text(name, field, reasoning)
    return None


#: The field of each object in a list of answers that holds its text (:func:`answer_field`) ...
ANSWER_FIELDS = ("response", "answer", "completion", "output", "generation")
#: ... else, where none of them is text, a field of these plainer names (Titan's ``outputText``).
PLAIN_ANSWER_FIELDS = ("text", "outputText")


def answer_field(dtype: pl.DataType) -> str | None:
    """The text field of a list of answers, objects that hold their text in one field of
    :data:`ANSWER_FIELDS` beside others that say where it came from (UltraFeedback's
    ``completions``: ``{model, response, annotations, ...}``; Nectar's ``answers``: ``{answer,
    model, rank}``), else in one of :data:`PLAIN_ANSWER_FIELDS` (OpenAI's summarize_from_feedback
    ``summaries``: ``{text, policy, note}``; vLLM's ``outputs``: ``{text, token_ids, ...}``);
    None for any other column, or where more than one field of :data:`ANSWER_FIELDS` is text."""
    if not (isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)):
        return None
    texts = [f.name for f in dtype.inner.fields if f.dtype == pl.String]
    named = [name for name in texts if name in ANSWER_FIELDS]
    if not named:
        return next((name for name in PLAIN_ANSWER_FIELDS if name in texts), None)
    return named[0] if len(named) == 1 else None


def is_answer_list(dtype: pl.DataType) -> bool:
    """Whether a column of ``dtype`` holds a list of answers: texts (distilabel's
    ``generations``) or objects with one text field (:func:`answer_field`)."""
    return dtype == pl.List(pl.String) or answer_field(dtype) is not None


def _answers_text(name: str, field: str, reasoning: bool = True) -> pl.Expr:
    """Each answer's text, in order, one a line, as a list of strings joins (empty and
    missing answers left out); without ``reasoning``, without their inline reasoning."""
    answer = pl.element().struct.field(field) if reasoning else without_reasoning(pl.element().struct.field(field))
    return pl.col(name).list.eval(answer.filter(answer.str.len_bytes() > 0)).list.join(FIELD_SEPARATOR)


def is_api_text(dtype: pl.DataType) -> bool:
    """Whether a column of :data:`qcaudit.io.API_TEXT_COLUMNS` holds what an API wrote there: answers,
    a chat, content blocks (MMLU's ``choices``, a list of strings, is not an API's)."""
    return _is_choices(dtype) or is_chat(dtype) or is_text_parts(dtype)


#: Fields of which an API's generation has one at least: its index among the request's, and
#: why it stopped (OpenAI's name, Gemini's; that of Mistral's and DeepSeek's models on Bedrock).
GENERATION_MARKS = ("index", "finish_reason", "finishReason", "stop_reason")
#: The field of an API's generation that holds the turn it generated: OpenAI's ``message``
#: (a role and its content), Gemini's ``content`` (a role and its parts).
GENERATED_TURNS = ("message", "content")


def _is_choices(dtype: pl.DataType) -> bool:
    """Whether ``dtype`` is the list of generations an API returns (each with a field of
    :data:`GENERATION_MARKS`): OpenAI's ``choices``, objects with a ``message`` (chat
    completions) or a ``text`` (completions), and Gemini's ``candidates``, objects with a
    ``content`` turn."""
    if not (isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)):
        return False
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    return any(mark in fields for mark in GENERATION_MARKS) and (_generated_turn(fields) is not None or fields.get("text") == pl.String)


def _generated_turn(fields: dict[str, pl.DataType]) -> str | None:
    """The field of :data:`GENERATED_TURNS` among a generation's ``fields`` that is a chat's turn."""
    return next((name for name in GENERATED_TURNS if name in fields and is_turn(fields[name])), None)


def generation_layout(dtype: pl.DataType) -> ChatLayout | None:
    """The layout of the turns that an API's list of generations holds (:func:`_is_choices`),
    as a chat's turns are laid out; None for another column, or completions' texts."""
    if not _is_choices(dtype):
        return None
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    turn = _generated_turn(fields)
    return None if turn is None else chat_layout(pl.List(fields[turn]))


def turns_layout(dtype: pl.DataType) -> ChatLayout | None:
    """The layout of the turns a column holds, each with a role: a chat's, or an API's
    generations' (:func:`generation_layout`); None for a column without roles."""
    return chat_layout(dtype) or generation_layout(dtype)


def _choices_text(name: str, dtype: pl.DataType, roles: tuple[str, ...] = (), left_out: tuple[str, ...] = (),
                  reasoning: bool = True) -> pl.Expr:
    """Each generation's text, one a line: its turn's, as a chat's turns read (those of
    ``roles``, as :func:`chat_text` chooses them; its reasoning field first, DeepSeek's API's
    ``reasoning_content``; its tool calls; Gemini's parts), or its ``text`` (without
    ``reasoning``, without the reasoning written inline in it)."""
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    turn = _generated_turn(fields)
    if turn is None:
        text = pl.element().struct.field("text").cast(pl.String)
        return joined_turns(pl.col(name).list.eval((text if reasoning else without_reasoning(text)).drop_nulls()))
    return _turns_text(pl.col(name).list.eval(pl.element().struct.field(turn)), generation_layout(dtype), roles, left_out, reasoning)


def is_instances(dtype: pl.DataType) -> bool:
    """Whether ``dtype`` is a list of Self-Instruct's instances (``{input, output}``)."""
    return isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct) and {"input", "output"} <= {f.name for f in dtype.inner.fields}


def _instances_text(name: str) -> pl.Expr:
    """Every instance's input and output, in order, joined by newlines (empty ones left out)."""
    fields = [non_empty(pl.element().struct.field(field).cast(pl.String)) for field in ("input", "output")]
    instances = pl.col(name).list.eval(pl.concat_str(fields, separator=FIELD_SEPARATOR, ignore_nulls=True))
    return instances.list.eval(pl.element().filter(pl.element().str.len_bytes() > 0)).list.join(FIELD_SEPARATOR)


def non_empty(text: pl.Expr) -> pl.Expr:
    """An empty field joins as a missing one: no doubled separators."""
    return pl.when(text.str.len_bytes() > 0).then(text)


def chat_text(name: str, dtype: pl.DataType, roles: tuple[str, ...] = (), left_out: tuple[str, ...] = (),
              reasoning: bool = True) -> pl.Expr:
    """The contents of chat column ``name``'s turns of ``roles`` (without, every turn but
    those of ``left_out``), one a line, without the roles' names; ShareGPT's roles read as
    OpenAI's, a role by either name, in any case (--role Assistant, --role gpt on ShareGPT's)."""
    layout = chat_layout(dtype)
    if layout.content_dtype not in (pl.String, pl.Null) and not is_text_parts(layout.content_dtype):
        raise QcauditError(f"column {name!r}: message content is {layout.content_dtype}, not text or text parts")
    return _turns_text(pl.col(name), layout, roles, left_out, reasoning)


def _turns_text(turns: pl.Expr, layout: ChatLayout, roles: tuple[str, ...], left_out: tuple[str, ...], reasoning: bool) -> pl.Expr:
    """The contents of the chat ``turns`` (of ``layout``) of ``roles``, as :func:`chat_text` reads them."""
    raw = pl.element().struct.field(layout.role).cast(pl.String).str.to_lowercase()
    content = kept_turns(turn_content(layout, reasoning), lambda names: turn_role(layout).is_in(names) | raw.is_in(names), roles, left_out)
    return joined_turns(turns.list.eval(content.drop_nulls()))


def kept_turns(contents: pl.Expr, role_in: Callable[[list[str]], pl.Expr], roles: Collection[str] = (),
               left_out: Collection[str] = ()) -> pl.Expr:
    """The turns' ``contents`` (inside ``list.eval``) of ``roles``, or without, of every role
    but ``left_out``'s; ``role_in(names)``: whether a turn's role is one of the lower-case
    ``names`` (a turn without a role is of none). A chat column's and a conversation written
    as text's turns are chosen so."""
    if not (roles or left_out):
        return contents
    named = role_in([role.lower() for role in roles or left_out]).fill_null(False)
    return contents.filter(named if roles else named.not_())


def joined_turns(contents: pl.Expr) -> pl.Expr:
    """Turns' contents one a line, empty ones (ShareGPT's blank system turns) left out so that
    no line is blank; null where no turn has any."""
    said = contents.list.eval(pl.element().filter(pl.element().str.len_bytes() > 0))
    return pl.when(contents.list.len() > 0).then(said.list.join(FIELD_SEPARATOR))


def part_text(name: str, dtype: pl.DataType, reasoning: bool = True) -> pl.Expr:
    """A prompt field's or an answer column's text (:func:`column_text`); a column of another
    kind, a number, as Polars writes it."""
    text = column_text(name, dtype, reasoning=reasoning)
    return pl.col(name).cast(pl.String) if text is None else text


def chat_answer(name: str, dtype: pl.DataType, reasoning: bool = True) -> pl.Expr:
    """The content of the last assistant turn of chat column ``name``; of Responses API items
    (:data:`ITEM_TYPE`), the last run of the assistant's (its reasoning, calls and message),
    joined by newlines."""
    layout = chat_layout(dtype)
    content, is_answer = turn_content(layout, reasoning), turn_role(layout) == "assistant"
    if layout.items is not None:
        return joined_turns(pl.col(name).list.eval(content.filter(_last_run(is_answer)).drop_nulls()))
    return last_answer(pl.col(name), content, is_answer)


def chat_prompt(name: str, layout: ChatLayout, reasoning: bool = True) -> pl.Expr:
    """The contents of the turns before the last assistant turn (of Responses API items,
    before its last run of the assistant's), joined by newlines."""
    content, is_answer = turn_content(layout, reasoning), turn_role(layout) == "assistant"
    if layout.items is not None:
        answer = _last_run(is_answer)
        before = pl.int_range(pl.len()) < pl.int_range(pl.len()).filter(answer).first().fill_null(pl.len())
        return joined_turns(pl.col(name).list.eval(content.filter(before).drop_nulls()))
    return turns_before_answer(pl.col(name), content, is_answer)


def _last_run(is_answer: pl.Expr) -> pl.Expr:
    """Whether each turn (inside ``list.eval``) is of the last run of turns that ``is_answer``:
    what a model answered in Responses API items (a reasoning item, calls, a message)."""
    is_answer = is_answer.fill_null(False)
    runs = is_answer.not_().cum_sum()  # (the same number along a run of answers)
    return is_answer & (runs == runs.filter(is_answer).last())


def last_answer(turns: pl.Expr, content: pl.Expr, is_answer: pl.Expr) -> pl.Expr:
    """The ``content`` (of a turn, inside ``list.eval``) of the last of ``turns`` that
    ``is_answer``: a chat's answer, for a chat column and a conversation written as text."""
    return turns.list.eval(content.filter(is_answer)).list.last()


def turns_before_answer(turns: pl.Expr, content: pl.Expr, is_answer: pl.Expr) -> pl.Expr:
    """The ``content`` of the ``turns`` before the last that ``is_answer`` (of all, where none
    is), joined by newlines: a chat's prompt, every speaker's turns, the system's too."""
    answers = turns.list.eval(is_answer)
    last = turns.list.len() - 1 - answers.list.reverse().list.arg_max()
    before = pl.when(answers.list.any()).then(turns.list.head(last)).otherwise(turns)
    return joined_turns(before.list.eval(content.drop_nulls()))
