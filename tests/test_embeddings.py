"""The embeddings analyzer end to end: its numbers are the geometry functions' on the same
embeddings; categories, reference coverage, the map in the HTML (escaped)."""

from __future__ import annotations

import functools
import json
import os
from collections import Counter

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qcaudit.cli import app
from qcaudit.embed import TEXT_HASH_SEED, Encoder
from qcaudit.metrics import mean_pairwise_cosine, prdc, vendi_score
from tests.conftest import SAMPLES


def test_embeddings_analyzer_numbers_and_outputs(runner, tmp_path):
    rows = pl.read_parquet(SAMPLES / "instructions.parquet").head(120).with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("<img src=x onerror=alert(1)> hello"))
        .otherwise(pl.col("output")).alias("output")
    )
    data, reference = tmp_path / "d.parquet", tmp_path / "ref.parquet"
    rows.write_parquet(data)
    pl.read_parquet(SAMPLES / "instructions_clean.parquet").head(80).write_parquet(reference)
    out = tmp_path / "audit"
    result = runner.invoke(app, ["report", str(data), "--text-column", "output", "--reference", str(reference),
                                 "--analyzers", "duplicates", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    metrics = {k: v["value"] for k, v in json.loads(result.output)["metrics"]["embeddings"].items()}

    X = Encoder(device="cpu").encode(rows["output"])
    assert metrics["vendi_1"] == pytest.approx(vendi_score(X), rel=1e-6)
    assert metrics["vendi_inf"] == pytest.approx(vendi_score(X, q=np.inf), rel=1e-6)
    assert metrics["mean_pairwise_cosine"] == pytest.approx(mean_pairwise_cosine(X), rel=1e-6)
    R = Encoder(device="cpu").encode(pl.read_parquet(reference)["output"])
    # Samples are the whole sets here (under the sample size), taken in a seeded order.
    expected = prdc(R, X, 5)
    for name in ("precision", "recall", "density", "coverage"):
        assert metrics[f"prdc_{name}"] == pytest.approx(expected[name], abs=1e-9)
    assert 0 < metrics["cluster_entropy_normalized"] <= 1

    report = json.loads((out / "report.json").read_text())
    points = report["tables"]["embeddings"]["map"]
    duplicates = set(pl.read_parquet(out / "rows.parquet").filter(~pl.col("near_dup_kept"))["row_id"])
    assert duplicates and {p["row_id"] for p in points if p["flag"] == "near duplicate"} <= duplicates
    assert any(p["flag"] for p in points)
    balance = report["tables"]["embeddings"]["category_balance"]
    assert balance["counts"] == dict(rows["category"].value_counts().iter_rows())
    assert set(pl.read_parquet(out / "rows.parquet").columns) >= {"embedding_cluster", "category"}
    html = (out / "report.html").read_text()
    assert "embedding map" in html and "<img src=x" not in html and 'id="category-balance"' in html


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 80).map(str)), min_size=1, max_size=300))
@example([str(i % 70) for i in range(150)])  # (more categories than are kept)
def test_the_balance_by_category_keeps_the_largest_and_judges_them_all(labels):
    """Of a column with many categories (free text under the name), the report keeps the
    largest :data:`CATEGORIES_SHOWN` and how many there are; the entropy is the whole
    distribution's, as scipy computes it (a missing label is a category of its own)."""
    from scipy.stats import entropy

    from qcaudit.analyzers.embeddings import (
        CATEGORIES_SHOWN,
        Embeddings,
        _category_balance,
    )
    from qcaudit.views import RankedRows

    balance = _category_balance(pl.Series("category", labels, dtype=pl.String))
    sizes = Counter("(none)" if label is None else label for label in labels)
    assert balance["categories"] == len(sizes) and len(balance["counts"]) == min(len(sizes), CATEGORIES_SHOWN)
    assert sorted(balance["counts"].values(), reverse=True) == sorted(sizes.values(), reverse=True)[:CATEGORIES_SHOWN]
    assert all(sizes[name] == rows for name, rows in balance["counts"].items())
    assert balance["entropy"] == pytest.approx(entropy(list(sizes.values())))
    tables = {"map": [], "cluster_sizes": [], "cosine_histogram": {"edges": [0.0, 1.0], "counts": [0]}, "category_balance": balance}
    table = next(view for view in Embeddings.views(tables, {}, {}) if isinstance(view, RankedRows))
    assert (f"of {len(sizes):,} categories" in table.caption) == (len(sizes) > CATEGORIES_SHOWN)


def test_a_reference_that_cannot_be_used_fails_before_any_row_is_embedded(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(Encoder, "_encode", lambda *a, **k: pytest.fail("rows were embedded before the reference was read"))
    data = tmp_path / "d.parquet"
    pl.read_parquet(SAMPLES / "instructions_clean.parquet").head(40).write_parquet(data)
    numbers, short = tmp_path / "numbers.jsonl", tmp_path / "short.parquet"
    numbers.write_text('{"n": 1}\n{"n": 2}\n')
    pl.DataFrame({"output": ["one row", "two rows"]}).write_parquet(short)
    for reference, message in ((numbers, f"reference {numbers}: no text column found"), (short, f"reference {short}: needs more than 5 rows")):
        result = runner.invoke(app, ["report", str(data), "--text-column", "output", "--reference", str(reference),
                                     "--out", str(tmp_path / "never")])
        assert result.exit_code == 2 and message in result.output and result.output.strip().count("\n") == 0, result.output
    assert not (tmp_path / "never").exists()


def test_a_reference_is_read_for_its_text_alone_beside_preference_pairs(tmp_path):
    from qcaudit.context import RunContext
    from qcaudit.io import TextSelection

    reference = tmp_path / "corpus.parquet"
    pl.DataFrame({"text": ["first document", "second one"]}).write_parquet(reference)
    pairs = TextSelection(prompt=("prompt",), chosen="chosen", rejected="rejected")
    rows = RunContext(selection=pairs).texts_of(reference)  # was: unknown column 'rejected'
    assert rows["text"].to_list() == ["first document", "second one"]


def test_a_reference_of_another_layout_is_read_as_its_own_columns_say(tmp_path):
    """Synthetic Alpaca rows read with --fields instruction,output beside real data written as
    chats: the reference lacks those columns, so its text is its chats', with a warning."""
    import logging

    from qcaudit.context import RunContext
    from qcaudit.io import TextSelection

    reference = tmp_path / "chats.parquet"
    pl.DataFrame({"messages": [[{"role": "user", "content": "Sum 2 and 3."}, {"role": "assistant", "content": "5"}]]}
                 ).write_parquet(reference)
    logger, warnings = logging.getLogger("qcaudit"), []
    handler = logging.Handler()
    handler.emit = lambda record: warnings.append(record.getMessage())
    logger.addHandler(handler)
    try:
        for selection in (TextSelection(fields=("instruction", "output")), TextSelection(text_column="messages", roles=("user",))):
            rows = RunContext(selection=selection).texts_of(reference)
            expected = "Sum 2 and 3.\n5" if selection.fields else "Sum 2 and 3."
            assert rows["text"].to_list() == [expected]
    finally:
        logger.removeHandler(handler)
    assert len(warnings) == 1 and f"reference {reference}: unknown column 'instruction'" in warnings[0]
    assert warnings[0].endswith("its text is read as its own columns say: column 'messages'")


def test_data_too_small_for_prdc_against_a_reference_is_one_line(runner, tmp_path):
    data = tmp_path / "d.parquet"
    pl.read_parquet(SAMPLES / "instructions_clean.parquet").head(3).write_parquet(data)
    result = runner.invoke(app, ["report", str(data), "--text-column", "output", "--reference", str(SAMPLES / "instructions.parquet"),
                                 "--out", str(tmp_path / "never")])
    assert result.exit_code == 2, result.output  # was an internal error: kth(=5) out of bounds (3)
    assert "PRDC against the reference needs more than 5 rows with text (prdc_k) in the data too; found 3" in result.output
    assert not (tmp_path / "never").exists()


def test_semantic_duplicates_link_close_rows_within_clusters():
    from qcaudit.analyzers.embeddings import semantic_duplicates

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 16))
    X[200:210] = X[:10] + rng.normal(scale=0.01, size=(10, 16))  # near copies of rows 0..9
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    labels = np.zeros(300, dtype=np.int64)
    labels[150:] = 1  # copies sit in another cluster than their originals ...
    assert (semantic_duplicates(X, labels, 0.01).cluster[200:210] == np.arange(200, 210)).all()
    labels[:] = 0  # ... and are found once they share one
    found = semantic_duplicates(X, labels, 0.01)
    assert (found.cluster[200:210] == np.arange(10)).all()
    brute = {(i, j) for i in range(300) for j in range(i + 1, 300) if X[i] @ X[j] > 0.99}
    assert brute == {(i, 200 + i) for i in range(10)}
    assert (found.size > 1).sum() == 20


def test_the_onnx_int8_backend_stays_close_to_sentence_transformers_and_is_cached_apart(tmp_path, monkeypatch):
    from sentence_transformers import SentenceTransformer

    from qcaudit.embed import default_model_path
    from qcaudit.store import VectorStore

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    texts = pl.read_parquet(SAMPLES / "instructions.parquet")["output"].unique(maintain_order=True).head(200)
    reference = SentenceTransformer(str(default_model_path()), device="cpu").encode(texts.to_list(), normalize_embeddings=True)
    fast = Encoder(device="cpu", runtime="onnx-int8")
    vectors = fast.encode(texts)
    cosine = (vectors * reference).sum(axis=1)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosine.min() > 0.95 and cosine.mean() > 0.985, (cosine.min(), cosine.mean())
    assert fast.signature.endswith("/onnx-int8") and Encoder(device="cpu", runtime="torch").signature.endswith("/torch-fp32")
    assert Encoder(device="cpu").signature == fast.signature  # auto: onnx-int8 on CPU
    alone = Encoder(device="cpu", runtime="onnx-int8", use_cache=False).encode(texts[7:8])
    assert np.array_equal(alone[0], vectors[7])  # a text's vector does not depend on the texts around it
    from qcaudit.onnx_encoder import OnnxSentenceModel

    one, three = (OnnxSentenceModel.cached(default_model_path(), fast.key, workers, "default") for workers in (1, 3))
    ids = fast.tokenize(texts.to_list())
    assert np.array_equal(one.encode(ids), three.encode(ids))  # parallel calls keep order and values
    assert np.array_equal(one.encode(ids[:1])[0], vectors[0])
    keys = pl.DataFrame({"t": texts}).select(pl.col("t").hash(TEXT_HASH_SEED))["t"].to_numpy()
    assert VectorStore(fast.store_name, fast.dimension, "t").get(keys)[0].all()
    assert not VectorStore(f"embedding/{fast.key}/torch-fp32", fast.dimension, "t").get(keys)[0].any()


def test_the_int8_session_runs_its_layer_norms_unfused_and_ignores_vectors_of_the_fused_one(tmp_path, monkeypatch):
    """ONNX Runtime's fused SkipLayerNormalization is slow on CPU, so the session leaves the
    residual additions and layer norms apart (the graph it runs holds none); the vectors of
    a cache made when it fused them, which round otherwise, are not used."""
    import onnx
    import onnxruntime

    from qcaudit.embed import default_model_path
    from qcaudit.onnx_encoder import OnnxSentenceModel, session
    from qcaudit.store import VectorStore

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    texts = pl.Series(["How many apples does Ann have if she gives away three of her twelve?", "Sort a list of numbers."])
    encoder = Encoder(device="cpu", runtime="onnx-int8")
    model = OnnxSentenceModel.cached(default_model_path(), encoder.key, 1, "default")
    file = model.model_file
    session(file, tmp_path / "optimised.onnx")
    ops = Counter(node.op_type for node in onnx.load(str(tmp_path / "optimised.onnx")).graph.node)
    assert ops["SkipLayerNormalization"] == 0 and ops["LayerNormalization"] == 13, ops  # the embeddings' and 2 a layer
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    fused = onnxruntime.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
    ids = encoder.tokenize(texts.to_list())
    model_fused = OnnxSentenceModel(file, default_model_path(), 1)
    model_fused.session = fused
    before = model_fused.encode(ids)
    keys = pl.DataFrame({"t": texts}).select(pl.col("t").hash(TEXT_HASH_SEED))["t"].to_numpy()
    VectorStore(f"embedding/{encoder.key}/onnx-int8", encoder.dimension, "t").put(keys, before)
    vectors = encoder.encode(texts)
    assert not np.array_equal(vectors, before)
    assert np.array_equal(vectors, model.encode(ids))


def test_the_torch_backend_gives_sentence_transformers_vectors_from_tokens_made_apart(tmp_path, monkeypatch):
    """The torch backend runs the model on token ids (so that an engine can tokenise on other
    workers): its vectors are those of sentence-transformers' own encode, and the same
    whether the encoder tokenised or was given the ids."""
    from sentence_transformers import SentenceTransformer

    from qcaudit.embed import default_model_path

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    texts = pl.concat([
        pl.read_parquet(SAMPLES / "instructions.parquet")["output"].unique(maintain_order=True).head(150),
        pl.Series(["", "word " * 400, "Ünïcode — 数学 ✓"]),  # empty, past the 256-token limit, non-ASCII
    ])
    reference = SentenceTransformer(str(default_model_path()), device="cpu").encode(texts.to_list(), normalize_embeddings=True)
    encoder = Encoder(device="cpu", runtime="torch", batch_size=16, use_cache=False)
    ids = encoder.tokenize(texts.to_list())
    assert max(len(one) for one in ids) == 256
    vectors = encoder.encode(texts)
    assert np.abs(vectors - reference).max() < 1e-5
    assert np.array_equal(encoder.encode(texts, tokens=ids), vectors)
    onnx = Encoder(device="cpu", runtime="onnx-int8", use_cache=False)
    assert np.array_equal(onnx.encode(texts, tokens=onnx.tokenize(texts.to_list())), onnx.encode(texts))


def test_the_next_chunk_is_tokenised_on_another_thread_while_the_model_runs(monkeypatch):
    """Tokenising overlaps the model (on a GPU the model would otherwise wait on it): every
    chunk's ids come from one background thread, and the vectors are those of tokenising
    in line, chunk by chunk."""
    import threading

    from qcaudit.embed import CHUNK

    texts = pl.read_parquet(SAMPLES / "instructions.parquet")["output"].unique(maintain_order=True).head(2 * CHUNK + 10)
    encoder = Encoder(device="cpu", runtime="onnx-int8", use_cache=False)
    in_line = encoder.encode(texts, tokens=encoder.tokenize(texts.to_list()))
    threads = []
    tokenize = Encoder.tokenize
    monkeypatch.setattr(Encoder, "tokenize", lambda self, chunk: (threads.append(threading.current_thread()), tokenize(self, chunk))[1])
    overlapped = encoder.encode(texts)
    assert len(threads) == 3 and len(set(threads)) == 1 and threads[0] is not threading.main_thread()
    assert np.array_equal(overlapped, in_line)


def test_a_batch_larger_than_a_chunk_is_not_cut_short_by_it(monkeypatch):
    """A GPU wants batches of hundreds of texts: a chunk (the texts tokenised at a time)
    holds four batches when that is more than :data:`CHUNK`, so the model gets whole batches;
    unset, the batch is 32 on CPU."""
    from qcaudit import embed

    calls = []
    run = embed._torch_vectors
    monkeypatch.setattr(embed, "_torch_vectors", lambda model, ids, size, *rest: (calls.append((len(ids), size)), run(model, ids, size, *rest))[1])
    batch = embed.CHUNK // 4 + 6
    texts = pl.read_parquet(SAMPLES / "instructions.parquet")["output"].unique(maintain_order=True).head(4 * batch + 20)
    embed.Encoder(device="cpu", runtime="torch", batch_size=batch, use_cache=False).encode(texts)
    assert calls == [(4 * batch, batch), (20, batch)]
    calls.clear()
    embed.Encoder(device="cpu", runtime="torch", use_cache=False).encode(texts.head(40))
    assert calls == [(40, 32)]


def test_a_model_without_its_reading_config_is_read_as_sentence_transformers_reads_it(tmp_path):
    """Without ``sentence_bert_config.json`` the encoder reads as many tokens as
    sentence-transformers does (here 512, not the bundled config's 256): the same ids as its
    own preprocessing, and the same vectors."""
    import shutil

    from sentence_transformers import SentenceTransformer

    from qcaudit.embed import default_model_path

    folder = tmp_path / "model"
    shutil.copytree(default_model_path(), folder, ignore=shutil.ignore_patterns("sentence_bert_config.json", "*.safetensors"))
    (folder / "model.safetensors").symlink_to(default_model_path() / "model.safetensors")
    texts = ["word " * 700, "a short one", "Ünïcode — 数学 ✓"]
    reference = SentenceTransformer(str(folder), device="cpu")
    encoder = Encoder(model=str(folder), device="cpu", runtime="torch", use_cache=False)
    ids = encoder.tokenize(texts)
    expected = reference.preprocess(texts)
    assert [len(one) for one in ids] == expected["attention_mask"].sum(dim=1).tolist() and len(ids[0]) == 512
    assert all(one == row[: len(one)] for one, row in zip(ids, expected["input_ids"].tolist(), strict=True))
    assert np.abs(encoder.encode(pl.Series(texts)) - reference.encode(texts, normalize_embeddings=True)).max() < 1e-5


def tiny_multilingual_model(folder):
    """A randomly initialised two-layer XLM-R sentence model (mean pooling, normalised), saved
    by the installed sentence-transformers (its current pooling config format), on a Unigram
    tokenizer trained here on English and Chinese sentences: the architecture and tokenizer
    of the multilingual models a user gives by path."""
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import (
        Tokenizer,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    corpus = ["How many apples does Ann have?", "安有多少个苹果？", "Sort a list of numbers.", "对数字列表进行排序。"] * 20
    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer, tokenizer.pre_tokenizer = normalizers.NFKC(), pre_tokenizers.Metaspace()
    tokenizer.train_from_iterator(corpus, trainers.UnigramTrainer(vocab_size=120, unk_token="<unk>",
                                                                  special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"]))
    tokenizer.post_processor = processors.RobertaProcessing(("</s>", tokenizer.token_to_id("</s>")), ("<s>", tokenizer.token_to_id("<s>")))
    fast = XLMRobertaTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>", model_max_length=128)
    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=len(fast), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=64, max_position_embeddings=130, type_vocab_size=1,
                              pad_token_id=fast.pad_token_id, bos_token_id=fast.bos_token_id, eos_token_id=fast.eos_token_id)
    XLMRobertaModel(config).save_pretrained(folder / "hf")
    fast.save_pretrained(folder / "hf")
    try:
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            Pooling,
            Transformer,
        )
    except ImportError:  # sentence-transformers before 6
        from sentence_transformers.models import Normalize, Pooling, Transformer
    modules = [Transformer(str(folder / "hf")), Pooling(config.hidden_size, "mean"), Normalize()]
    SentenceTransformer(modules=modules, device="cpu").save(str(folder / "model"))
    return folder / "model"


def test_a_multilingual_model_given_by_path_runs_on_both_backends(tmp_path, monkeypatch):
    """An XLM-R model saved by the installed sentence-transformers (6.x writes its pooling as
    ``"pooling_mode": "mean"``) gets the onnx-int8 backend on CPU by default, and both
    backends give sentence-transformers' vectors, Chinese text and texts past the model's
    128 positions included."""
    from sentence_transformers import SentenceTransformer

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    path = tiny_multilingual_model(tmp_path)
    texts = ["How many apples does Ann have?", "安有多少个苹果？", "排序 " * 300, "", "Sort them."]
    reference = SentenceTransformer(str(path), device="cpu").encode(texts, normalize_embeddings=True)
    auto = Encoder(model=str(path), device="cpu", use_cache=False)
    assert auto.backend == "onnx-int8" and auto.signature.startswith(f"model:{path}@")
    chinese = auto.tokenize(texts[1:2])[0]
    assert len(chinese) > 3 and set(chinese[1:-1]) != {auto._tokenizer.unk_token_id}
    exact = Encoder(model=str(path), device="cpu", runtime="torch", use_cache=False).encode(pl.Series(texts))
    assert np.abs(exact - reference).max() < 1e-5
    cosine = np.einsum("ij,ij->i", auto.encode(pl.Series(texts)), reference)
    assert cosine.min() > 0.99, cosine


def test_rows_in_another_script_are_warned_of_with_the_default_encoder_only(tmp_path, monkeypatch):
    """The default encoder is English only: rows written in another script crowd together
    (different questions in Chinese at cosine 0.62 to each other, 0.37 in English), and a
    translation lands far from its item. The embeddings and contamination sections say so
    (in report.json and in the HTML); with a (multilingual) model given by path neither does."""
    from qcaudit.pipeline import audit
    from qcaudit.report.html import render_html

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    bench = tmp_path / "bench.jsonl"
    pl.DataFrame({"question": ["安有三个苹果，又买了两个。她现在有多少个苹果？", "How many apples does Ann have now?"]}).write_ndjson(bench)
    rows = pl.DataFrame({"text": ["安原来有三个苹果，后来又买了两个。现在一共有几个？", "Sort a list of numbers.", "Name three colours."]})
    said = {}
    for model in ("all-MiniLM-L6-v2", str(tiny_multilingual_model(tmp_path))):
        report = audit(rows, analyzers="contamination,embeddings", benchmarks={"zh": str(bench)},
                       settings={"contamination.methods": ["semantic"], "embedding.model": model, "embeddings.clusters": 2})
        said[model] = {section: [w.split(" are written")[0] for w in report.tables[section].get("warnings", []) if "another script" in w]
                       for section in ("contamination", "embeddings")}
        if model == "all-MiniLM-L6-v2":
            page = render_html(report)
            assert page.count("the embeddings analyzer reads them with the default encoder") == 1
            assert page.count("the semantic method reads them with the default encoder") == 2
    assert list(said.values()) == [
        {"contamination": ["1 of 3 rows", "1 of 2 items of benchmark 'zh'"], "embeddings": ["1 of 3 rows"]},
        {"contamination": [], "embeddings": []}]


def test_a_language_model_given_as_the_encoder_is_refused_in_one_line(runner, tmp_path):
    """A causal LM folder (a judge model, say) as ``[embedding] model`` stops the run with one
    line and exit 2 instead of being mean-pooled; a plain encoder saved without
    sentence-transformers' files is still accepted (sentence-transformers mean-pools it)."""
    from qcaudit.errors import QcauditError
    from tests.tiny_lms import untrained_gpt2

    language_model = untrained_gpt2(tmp_path / "lm")
    with pytest.raises(QcauditError, match=r"is a language model \(GPT2LMHeadModel\), not a sentence encoder"):
        Encoder(model=str(language_model), device="cpu").path
    plain_encoder = tiny_multilingual_model(tmp_path / "multilingual").parent / "hf"  # XLMRobertaModel, no modules.json
    assert not (plain_encoder / "modules.json").exists()
    assert Encoder(model=str(plain_encoder), device="cpu", use_cache=False).encode(pl.Series(["a", "b"])).shape[0] == 2

    data = tmp_path / "rows.parquet"
    pl.DataFrame({"text": ["How many apples does Ann have?", "Sort a list."]}).write_parquet(data)
    (tmp_path / "qcaudit.toml").write_text(f'[embedding]\nmodel = "{language_model}"\n')
    result = runner.invoke(app, ["report", str(data), "--analyzers", "embeddings", "--config", str(tmp_path / "qcaudit.toml"),
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "is a language model" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@functools.cache
def _transformers_tokenizer():
    """The packaged model's tokenizer as sentence-transformers loads it (transformers'
    AutoTokenizer), once for the property test below."""
    from qcaudit.embed import default_model_path
    from qcaudit.hf import load_tokenizer

    return load_tokenizer(str(default_model_path()))


_ENCODER = Encoder(device="cpu")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=40) | st.text(st.sampled_from("ab Ü数.\n\t"), min_size=200, max_size=1500),
                min_size=1, max_size=6))
def test_the_default_model_s_tokenizer_read_directly_gives_transformers_ids(texts):
    """The packaged model's tokenizer runs on the ``tokenizers`` library itself (no
    transformers, no torch to import): the same ids as transformers' tokenizer, which
    sentence-transformers uses, for any text, cut at the same 256 tokens."""
    expected = _transformers_tokenizer()(texts, truncation=True, max_length=256)["input_ids"]
    assert _ENCODER.tokenize(texts) == expected


def test_the_default_model_s_tokenizer_read_directly_gives_transformers_ids_on_real_rows():
    texts = pl.read_parquet(SAMPLES / "instructions.parquet").select(pl.concat_str(pl.all(), separator="\n"))[:, 0].to_list()
    assert _ENCODER.tokenize(texts) == _transformers_tokenizer()(texts, truncation=True, max_length=256)["input_ids"]


def test_a_run_whose_vectors_are_cached_imports_neither_torch_nor_transformers(tmp_path):
    """Once a text's vector is cached, embedding it again reads it back without loading the
    model, its tokenizer, transformers or torch (seconds of a warm run), with the dimension
    as the model's pooling config says it; the vectors are the ones cached."""
    import subprocess
    import sys

    script = ("import sys, numpy as np, polars as pl\n"
              "from qcaudit.embed import Encoder\n"
              "v = Encoder(device='cpu').encode(pl.Series(['How many apples?', 'Sort a list.', 'How many apples?']))\n"
              "np.save(sys.argv[1], v)\n"
              "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n")
    env = {**os.environ, "QCAUDIT_CACHE_DIR": str(tmp_path / "cache")}
    first, again = (subprocess.run([sys.executable, "-c", script, str(tmp_path / f"{run}.npy")], env=env, capture_output=True,
                                   text=True, check=False) for run in ("first", "again"))
    assert first.returncode == 0, first.stderr
    assert again.returncode == 0 and again.stdout.strip() == "[]", (again.stdout, again.stderr)
    first_vectors, cached = np.load(tmp_path / "first.npy"), np.load(tmp_path / "again.npy")
    assert cached.shape == (3, 384) and np.array_equal(cached, first_vectors)


def test_auto_is_the_cpu_without_torch_where_no_gpu_driver_is_installed(tmp_path, monkeypatch):
    """``auto`` asks torch only where a GPU driver's files exist; it is the CPU without
    importing torch elsewhere (torch is not asked here: asking it would fail)."""
    import torch

    from qcaudit import embed

    def asked() -> bool:
        raise AssertionError("torch was asked")

    monkeypatch.setattr(torch.cuda, "is_available", asked)
    monkeypatch.setattr(embed.sys, "platform", "linux")
    monkeypatch.setattr(embed, "GPU_DRIVER_FILES", (str(tmp_path / "proc-driver-nvidia"), str(tmp_path / "dev-kfd")))
    assert embed.resolve_device("auto") == "cpu" and embed.resolve_device("cpu") == "cpu"
    (tmp_path / "dev-kfd").touch()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert embed.resolve_device("auto") == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert embed.resolve_device("auto") == "cpu"


def _pooled_model(folder, pooling: str | tuple[str, ...], dense: int | None = None):
    """A sentence model on the tiny XLM-R of :func:`tiny_multilingual_model`: its pooling
    ``pooling`` (a mode, or modes whose vectors are concatenated), then a dense layer of
    ``dense`` outputs if given, saved by the installed sentence-transformers."""
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.modules import (
            Dense,
            Pooling,
            Transformer,
        )
    except ImportError:  # sentence-transformers before 6
        from sentence_transformers.models import Dense, Pooling, Transformer
    hf = tiny_multilingual_model(folder / "base").parent / "hf"
    modules = [Transformer(str(hf)), Pooling(32, pooling)]
    width = modules[1].get_embedding_dimension() if hasattr(modules[1], "get_embedding_dimension") else modules[1].get_sentence_embedding_dimension()
    modules += [Dense(width, dense)] if dense else []
    SentenceTransformer(modules=modules, device="cpu").save(str(folder / "model"))
    return folder / "model"


@pytest.mark.parametrize(("pooling", "dense", "said"), [("mean", None, 32), (("mean", "max"), None, 64), ("cls", 24, None)])
def test_the_vector_width_is_read_from_the_pooling_config_where_it_says_it(tmp_path, pooling, dense, said):
    """A transformer + pooling model's vector width is its pooling config's (each mode's
    width, concatenated); one with a dense layer after the pooling says nothing there and
    is measured on one vector. Either way, the width of sentence-transformers' vectors."""
    from sentence_transformers import SentenceTransformer

    from qcaudit.sentence_folder import sentence_layout

    path = _pooled_model(tmp_path, pooling, dense)
    assert sentence_layout(path).dimension == said
    expected = SentenceTransformer(str(path), device="cpu").encode(["How many apples?", "Sort them."], normalize_embeddings=True)
    encoder = Encoder(model=str(path), device="cpu", runtime="torch", use_cache=False)
    assert encoder.dimension == expected.shape[1]
    assert np.abs(encoder.encode(pl.Series(["How many apples?", "Sort them."])) - expected).max() < 1e-5


def test_the_older_pooling_config_format_is_read_too(tmp_path):
    """sentence-transformers before 6 wrote one flag per pooling mode and
    ``word_embedding_dimension`` (the packaged model's config): the same layout."""
    from qcaudit.embed import default_model_path
    from qcaudit.sentence_folder import sentence_layout

    packaged = sentence_layout(default_model_path())
    assert (packaged.pooling_modes, packaged.dimension, packaged.normalises) == (("mean",), 384, True)
    folder = tmp_path / "model"
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "modules.json").write_text(json.dumps([{"type": "sentence_transformers.models.Transformer"},
                                                     {"type": "sentence_transformers.models.Pooling"}]))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": 16, "pooling_mode_cls_token": True, "pooling_mode_max_tokens": True,
         "pooling_mode_mean_tokens": False}))
    layout = sentence_layout(folder)
    assert (layout.pooling_modes, layout.dimension, layout.normalises) == (("cls", "max"), 32, False)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": True, "pooling_mode": "mean"}))
    assert sentence_layout(folder).dimension is None  # (a width that is no number says nothing: the model is asked)


def test_a_pooling_config_that_misstates_the_width_is_one_line(runner, tmp_path):
    """A model folder whose pooling config gives another width than its transformer's (edited
    by hand, say) stops the run with one line naming both widths, not a traceback."""
    path = _pooled_model(tmp_path, "mean")
    config = path / "1_Pooling" / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "embedding_dimension": 48}))
    data = tmp_path / "rows.parquet"
    pl.DataFrame({"text": ["How many apples does Ann have?", "Sort a list."]}).write_parquet(data)
    (tmp_path / "qcaudit.toml").write_text(f'[embedding]\nmodel = "{path}"\n')
    result = runner.invoke(app, ["report", str(data), "--analyzers", "embeddings", "--config", str(tmp_path / "qcaudit.toml"),
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "says 48-wide vectors, the model gives 32-wide ones" in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_the_int8_encoder_runs_as_many_calls_as_the_process_may_use_cpus(monkeypatch):
    """``OMP_NUM_THREADS``, where set to a number, as torch reads it (Ray sets it in its
    workers); else the CPUs this process may run on, not the machine's."""
    from qcaudit.embed import cpu_threads

    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert cpu_threads() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 5}, raising=False)
    for unset in ("", "many"):
        monkeypatch.setenv("OMP_NUM_THREADS", unset)
        assert cpu_threads() == 2
