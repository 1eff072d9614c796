"""The BERT encoder written as an ONNX graph without torch (``qcaudit.bert_graph``) against
the model as torch exports it and as transformers runs it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit import bert_graph
from qcaudit.embed import default_model_path
from qcaudit.onnx_encoder import quantise, session, trace_fp32
from tests.conftest import SAMPLES

VOCABULARY = 120


def _hidden(model, ids: list[int]) -> np.ndarray:
    row = np.asarray(ids, dtype=np.int64)[None, :]
    given = {"input_ids": row, "attention_mask": np.ones_like(row), "token_type_ids": np.zeros_like(row)}
    return model.run(None, {one.name: given[one.name] for one in model.get_inputs()})[0]


def _tiny_bert(folder: Path, **changes) -> Path:
    """A randomly initialised BERT of two layers, saved as transformers saves one."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = {"vocab_size": VOCABULARY, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
              "intermediate_size": 64, "max_position_embeddings": 64, "layer_norm_eps": 1e-7} | changes
    BertModel(BertConfig(**config)).eval().save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory):
    """A tiny BERT as transformers runs it, as torch exports it and as qcaudit writes it."""
    import torch
    from transformers import BertModel

    folder = _tiny_bert(tmp_path_factory.mktemp("bert"))
    assert bert_graph.supports(folder)
    trace_fp32(folder, folder / "traced.onnx")
    bert_graph.write(folder, folder / "written.onnx")
    model = BertModel.from_pretrained(folder).eval()

    def transformers_hidden(ids: list[int]) -> np.ndarray:
        with torch.no_grad():
            return model(input_ids=torch.tensor([ids])).last_hidden_state.numpy()

    return transformers_hidden, session(folder / "traced.onnx"), session(folder / "written.onnx")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, VOCABULARY - 1), min_size=1, max_size=64))
def test_the_written_graph_is_the_traced_model_to_the_bit_and_transformers_to_rounding(three_ways, ids):
    transformers_hidden, traced, written = three_ways
    ours = _hidden(written, ids)
    assert np.array_equal(ours, _hidden(traced, ids))
    assert np.abs(ours - transformers_hidden(ids)).max() < 1e-5


def test_the_packaged_model_written_and_quantised_gives_the_traced_files_vectors_to_the_bit(tmp_path):
    """fp32 and int8 (where ONNX Runtime's fusions and the quantised activations' rounding
    would show any difference in the graph), on real texts of the kind the audits read."""
    import polars as pl

    from qcaudit.embed import Encoder

    path = default_model_path()
    assert bert_graph.supports(path)
    trace_fp32(path, tmp_path / "traced.onnx")
    bert_graph.write(path, tmp_path / "written.onnx")
    for name in ("traced", "written"):
        quantise(tmp_path / f"{name}.onnx", tmp_path / f"{name}_int8.onnx")
    written = session(tmp_path / "written.onnx")
    assert [one.name for one in written.get_inputs()] == ["input_ids", "token_type_ids"]
    pairs = [(session(tmp_path / "traced.onnx"), written),
             (session(tmp_path / "traced_int8.onnx"), session(tmp_path / "written_int8.onnx"))]
    texts = pl.read_parquet(SAMPLES / "instructions.parquet")["output"].unique(maintain_order=True).head(40).to_list()
    for ids in Encoder(device="cpu").tokenize([*texts, "x", "def add(a, b):\n    return a + b"]):
        for traced, ours in pairs:
            assert np.array_equal(_hidden(ours, ids), _hidden(traced, ids))


def test_half_precision_weights_are_read_as_the_model_upcast_to_fp32(tmp_path):
    """A BERT saved in fp16 is written in fp32 from its fp16 weights: transformers' model upcast."""
    import torch
    from safetensors.torch import load_file, save_file
    from transformers import BertModel

    folder = _tiny_bert(tmp_path)
    weights = folder / "model.safetensors"
    save_file({name: value.half() if value.is_floating_point() else value for name, value in load_file(weights).items()}, weights)
    assert bert_graph.supports(folder)
    bert_graph.write(folder, folder / "written.onnx")
    model = BertModel.from_pretrained(folder).float().eval()
    ids = [5, 17, 99, 3, 42, 0, 7]
    with torch.no_grad():
        expected = model(input_ids=torch.tensor([ids])).last_hidden_state.numpy()
    assert np.abs(_hidden(session(folder / "written.onnx"), ids) - expected).max() < 1e-5


#: BERTs saved with a setting the graph does not spell out.
OTHER_SETTINGS = {"relu": {"hidden_act": "relu"}, "relative positions": {"position_embedding_type": "relative_key"}}


@pytest.mark.parametrize("change", [*OTHER_SETTINGS, "a weight missing", "bfloat16 weights", "no safetensors", "another architecture",
                                    "a size missing", "a config that is no table"])
def test_models_it_does_not_spell_out_are_left_to_torch(tmp_path, change):
    """:func:`supports` says no (the caller then traces the model with torch) for a BERT
    with another activation or position embedding, a weight file without a weight the graph
    reads or in a type NumPy cannot hold, a model saved without safetensors, another
    architecture, and a config without a size the graph is built to or that is no JSON object."""
    import torch
    from safetensors.torch import load_file, save_file

    folder = _tiny_bert(tmp_path, **OTHER_SETTINGS.get(change, {}))
    weights, config = folder / "model.safetensors", folder / "config.json"
    if change not in OTHER_SETTINGS:
        assert bert_graph.supports(folder)  # before the change
    if change == "a weight missing":
        save_file({name: value for name, value in load_file(weights).items() if name != "encoder.layer.1.output.dense.bias"}, weights)
    elif change == "bfloat16 weights":
        save_file({name: value.to(torch.bfloat16) if value.is_floating_point() else value
                   for name, value in load_file(weights).items()}, weights)
    elif change == "no safetensors":
        weights.unlink()
    elif change == "another architecture":
        config.write_text(config.read_text().replace('"model_type": "bert"', '"model_type": "roberta"'))
    elif change == "a size missing":
        config.write_text(config.read_text().replace('"num_attention_heads"', '"heads"'))
    elif change == "a config that is no table":
        config.write_text("[1, 2]")
    assert not bert_graph.supports(folder)
