"""Tokenizers and normalisation options."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcaudit.errors import QcauditError
from qcaudit.metrics import distinct_n
from qcaudit.text import Tokenization
from tests.reference import distinct


def token_counts(tokenization: Tokenization, texts: list[str]) -> list[int]:
    return tokenization.tokens(pl.Series(texts, dtype=pl.String)).lengths.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40), min_size=1, max_size=8))
def test_whitespace_tokenizer_is_str_split(texts):
    """Any Unicode text: the token hashes equal those of str.split()'s tokens, one by one."""
    tok = Tokenization()
    got = tok.tokens(pl.Series(texts, dtype=pl.String))
    words = [w for t in texts for w in t.split()]
    assert got.lengths.tolist() == [len(t.split()) for t in texts]
    expected = pl.Series(words, dtype=pl.String).hash(0x5EED).to_numpy()
    np.testing.assert_array_equal(got.hashes, expected)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(st.none(), st.text(alphabet="ab \n", max_size=12)), min_size=1, max_size=30),
       rows=st.integers(1, 7), tokenizer=st.sampled_from(["whitespace", "cjk", "regex"]))
def test_a_long_series_tokenised_in_chunks_is_the_same_stream(monkeypatch, texts, rows, tokenizer):
    """A Series longer than TOKENISED_ROWS is tokenised a chunk at a time (a whole
    generation's exploded tokens peaked at four times their size) into the same stream:
    every row's tokens, in order, its row numbered across the chunks."""
    from qcaudit import text

    series = pl.Series(texts, dtype=pl.String)
    whole = Tokenization(tokenizer).tokens(series)
    with monkeypatch.context() as patched:
        patched.setattr(text, "TOKENISED_ROWS", rows)
        chunked = Tokenization(tokenizer).tokens(series)
    np.testing.assert_array_equal(chunked.rows, whole.rows)
    np.testing.assert_array_equal(chunked.hashes, whole.hashes)
    assert chunked.rows.dtype == whole.rows.dtype and chunked.n_rows == whole.n_rows == len(texts)


CJK = st.sampled_from([chr(c) for c in (0x4E00, 0x4E2D, 0x9FFF, 0x3400, 0x4DBF, 0x20000, 0x2A6DF, 0x2B820, 0xF900, 0xFAFF,
                                         0x2F800, 0x2FA1F, 0x3042, 0x30C6, 0xAC00, 0x3002, 0xFF0C, 0x4DC0, 0xA000)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.one_of(CJK, st.characters(codec="utf-8", exclude_categories=["Cs"])), max_size=40),
                min_size=1, max_size=8))
def test_cjk_tokenizer_is_bert_s_chinese_character_split(texts):
    """Any Unicode text: the tokens are those of BERT's BasicTokenizer after its
    ``_tokenize_chinese_chars`` step (a space each side of every CJK ideograph; transformers'
    Python tokenizer, the reference), split as str.split() does; kana, hangul and CJK
    punctuation are not ideographs and stay in words."""
    from transformers.models.bert.tokenization_bert_legacy import BasicTokenizer

    bert = BasicTokenizer(tokenize_chinese_chars=True)
    words = [bert._tokenize_chinese_chars(t).split() for t in texts]
    got = Tokenization("cjk").tokens(pl.Series(texts, dtype=pl.String))
    assert got.lengths.tolist() == [len(w) for w in words]
    expected = pl.Series([w for row in words for w in row], dtype=pl.String).hash(0x5EED).to_numpy()
    np.testing.assert_array_equal(got.hashes, expected)


def test_regex_tokenizer_default_pattern_matches_python_re():
    texts = ["Hello, world! It's 3.14 -- ok?", "no-punct here", ""]
    expected = [len(re.findall(r"\w+|[^\w\s]", t)) for t in texts]
    assert token_counts(Tokenization("regex"), texts) == expected
    assert token_counts(Tokenization(r"regex:[a-z]+"), ["ab1cd EF"]) == [2]


def test_lowercase_and_punctuation_options_change_counts_and_signature():
    texts = ["The cat.", "the cat!"]
    assert distinct_n(texts, 1) == pytest.approx(4 / 4)
    assert distinct_n(texts, 1, lowercase=True) == pytest.approx(3 / 4)
    assert distinct_n(texts, 1, lowercase=True, strip_punctuation=True) == pytest.approx(2 / 4)
    sig = Tokenization(lowercase=True, strip_punctuation=True).signature_fields()
    assert sig == "tok:whitespace|lc:yes|punct:strip"


def test_bad_tokenizer_names_are_user_errors(tmp_path):
    with pytest.raises(QcauditError, match="unknown tokenizer"):
        Tokenization("spacy")
    with pytest.raises(QcauditError, match="is neither a folder nor a name your Hugging Face cache holds"):
        Tokenization(f"hf:{tmp_path / 'missing'}")
    for empty in ("hf:", "hf: "):  # not the current directory
        with pytest.raises(QcauditError, match="give the folder after hf:"):
            Tokenization(empty)
    with pytest.raises(QcauditError, match="invalid pattern"):
        Tokenization("regex:(unclosed").tokens(pl.Series(["a"]))


@pytest.fixture(scope="module")
def word_level_tokenizer(tmp_path_factory):
    """A Hugging Face tokenizer trained here on a few sentences, saved to a local folder."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    corpus = ["the cat sat on the mat", "a dog sat on a log", "the dog and the cat"]
    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(corpus, trainers.WordLevelTrainer(special_tokens=["[UNK]"]))
    path = tmp_path_factory.mktemp("tok")
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]").save_pretrained(path)
    return path


def test_a_long_row_is_split_without_a_warning_of_the_models_length(word_level_tokenizer, tmp_path):
    """A tokenizer saved with its model's length (BERT's 512) made transformers warn that a
    longer row "will result in indexing errors": the diversity metrics only split the text."""
    import logging

    from transformers import AutoTokenizer

    short = tmp_path / "short"
    AutoTokenizer.from_pretrained(word_level_tokenizer, model_max_length=4).save_pretrained(short)
    texts = ["the cat sat on the mat and the dog sat on the log", "a dog sat"]
    warned: list[str] = []
    listener = logging.Handler()
    listener.emit = lambda record: warned.append(record.getMessage())  # (transformers' own handler holds the stderr it found)
    logging.getLogger("transformers").addHandler(listener)
    try:
        assert distinct_n(texts, 1, tokenizer=f"hf:{short}") == distinct_n(texts, 1, tokenizer=f"hf:{word_level_tokenizer}")
    finally:
        logging.getLogger("transformers").removeHandler(listener)
    assert not [said for said in warned if "Token indices sequence length" in said], warned


def test_hugging_face_tokenizer_from_local_path(word_level_tokenizer):
    from transformers import AutoTokenizer

    texts = ["the cat sat on the log", "a zebra sat", "the the the"]
    local = AutoTokenizer.from_pretrained(word_level_tokenizer, local_files_only=True)
    ids = [[str(i) for i in local(t, add_special_tokens=False)["input_ids"]] for t in texts]
    for n in (1, 2):
        got = distinct_n(texts, n, tokenizer=f"hf:{word_level_tokenizer}")
        assert got == pytest.approx(distinct(ids, n))
    assert Tokenization(f"hf:{word_level_tokenizer}").signature_fields().startswith("tok:hf(")


def test_a_hugging_face_tokenizer_by_the_name_the_cache_holds_it_under(word_level_tokenizer, tmp_path):
    """``hf:OWNER/NAME`` reads the tokenizer a Hugging Face cache holds, offline, as the model
    flags take a name (it was refused, "not a directory"); the same tokens as its folder. A
    name the cache lacks is refused in one line. (A process of its own: the libraries read
    HF_HUB_CACHE as they are imported.)"""
    import json
    import os
    import shutil
    import subprocess
    import sys

    snapshot = tmp_path / "hub" / "models--someone--words" / "snapshots" / "0123abcd"
    shutil.copytree(word_level_tokenizer, snapshot)
    repository = tmp_path / "hub" / "models--someone--words"
    (repository / "refs").mkdir()
    (repository / "refs" / "main").write_text("0123abcd")
    (repository / ".no_exist" / "0123abcd").mkdir(parents=True)  # (how a download records a file the repository lacks)
    (repository / ".no_exist" / "0123abcd" / "config.json").touch()
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"text": t}) + "\n" for t in ["the cat sat on the mat", "a dog sat", "the the dog"]))
    environment = os.environ | {"HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HUB_OFFLINE": "1"}

    def report(tokenizer: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "qcaudit", "report", str(data), "--tokenizer", tokenizer, "--analyzers",
                               "diversity", "--json", "-q"], capture_output=True, text=True, env=environment, cwd=tmp_path,
                              check=False)

    by_name, by_folder = report("hf:someone/words"), report(f"hf:{word_level_tokenizer}")
    assert by_name.returncode == 0 and by_folder.returncode == 0, by_name.stderr + by_folder.stderr
    named, foldered = json.loads(by_name.stdout)["metrics"], json.loads(by_folder.stdout)["metrics"]
    assert named["diversity"]["distinct_1"]["value"] == foldered["diversity"]["distinct_1"]["value"] < 1
    absent = report("hf:someone/absent")
    assert absent.returncode == 2 and "is neither a folder nor a name your Hugging Face cache holds" in absent.stderr
