"""A BERT encoder written as an ONNX graph straight from its ``config.json`` and
``model.safetensors``, without torch: the fp32 model that the ``onnx-int8`` backend quantises.

``torch.onnx.export`` needs torch and transformers imported and the model loaded and traced:
about 6 of the 8 seconds that a first run spent making the int8 file on a 2-core machine,
before it encoded a text. The graph here is the arithmetic of transformers' ``BertModel``
as torch traces it (embeddings of word, token type and position summed in that order, layer
norm; per layer: self-attention with queries and keys each scaled by the fourth root of the
head width, as torch exports its fused attention, then the erf GELU feed-forward, each
block with its residual and layer norm), so its last hidden state is the traced model's to
the bit, and once quantised so are the vectors (tested, and against transformers' own
model): a cache of vectors made from a traced file stays right. It is written for the way
:class:`qcaudit.onnx_encoder.OnnxSentenceModel` runs it, one text a call: no attention mask
input (every token is attended) and no padding.

Models of other architectures, or BERT variants this does not spell out (relative
positions, other activations, weights under other names or in bfloat16), are traced by
torch as before: :func:`supports` tells which.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

#: The graph's inputs, as :mod:`qcaudit.onnx_encoder` names them; the mask is left out.
INPUTS = ("input_ids", "token_type_ids")
#: The sizes the graph is built to, as ``config.json`` gives them.
SIZES = ("hidden_size", "num_attention_heads", "num_hidden_layers")


def supports(path: Path) -> bool:
    """Whether the transformer in the sentence-transformers folder ``path`` is a BERT
    encoder that :func:`write` spells out: absolute positions, the erf GELU, and every
    weight it needs in ``model.safetensors``, under transformers' names, in fp32 or fp16."""
    from safetensors import SafetensorError, safe_open

    config = _config(path)
    if config is None or not (config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
                              and config.get("position_embedding_type", "absolute") == "absolute"
                              and all(isinstance(config.get(size), int) for size in SIZES)):
        return False
    try:
        with safe_open(str(path / "model.safetensors"), framework="numpy") as weights:
            kinds = {name: weights.get_slice(name).get_dtype() for name in weights.keys()}  # noqa: SIM118
    except (OSError, SafetensorError):
        return False
    return all(kinds.get(name) in ("F32", "F16") for name in _needed(config))


def write(path: Path, target: Path) -> None:
    """The BERT encoder of ``path`` as an fp32 ONNX file whose output ``hidden`` is the last
    hidden state, [batch, tokens, hidden size], for a model that :func:`supports`."""
    import onnx
    from safetensors.numpy import load_file

    config = _config(path)
    stored = load_file(str(path / "model.safetensors"))
    weights = {name: stored[name].astype(np.float32, copy=False) for name in _needed(config)}
    graph = _Graph(weights)
    hidden = graph.encoder(config)
    output = onnx.helper.make_tensor_value_info("hidden", onnx.TensorProto.FLOAT, ["batch", "tokens", config["hidden_size"]])
    graph.nodes.append(onnx.helper.make_node("Identity", [hidden], ["hidden"], name="hidden"))
    inputs = [onnx.helper.make_tensor_value_info(name, onnx.TensorProto.INT64, ["batch", "tokens"]) for name in INPUTS]
    model = onnx.helper.make_model(onnx.helper.make_graph(graph.nodes, "bert", inputs, [output], graph.initializers),
                                   opset_imports=[onnx.helper.make_opsetid("", 17)])
    onnx.save(model, str(target))


def _needed(config: dict) -> list[str]:
    """The weights the graph reads, by transformers' names."""
    parts = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
             "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm")
    embeddings = [f"embeddings.{kind}_embeddings.weight" for kind in ("word", "position", "token_type")]
    return [*embeddings, "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
            *(f"encoder.layer.{layer}.{part}.{end}" for layer in range(config["num_hidden_layers"])
              for part in parts for end in ("weight", "bias"))]


def _config(path: Path) -> dict | None:
    """The model's ``config.json``, or None where there is none to read."""
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return config if isinstance(config, dict) else None


class _Graph:
    """The nodes and initialisers of the graph being written, named after the weights."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.weights = weights
        self.nodes: list = []
        self.initializers: list = []
        self.named: set[str] = set()

    def encoder(self, config: dict) -> str:
        """Embeddings, then every layer; the name of the last hidden state."""
        heads = config["num_attention_heads"]
        width = config["hidden_size"] // heads
        epsilon = config.get("layer_norm_eps", 1e-12)  # BertConfig's default
        words = self.node("Gather", [self.weight("embeddings.word_embeddings.weight"), "input_ids"], "words")
        kinds = self.node("Gather", [self.weight("embeddings.token_type_embeddings.weight"), "token_type_ids"], "token_types")
        length = self.node("Gather", [self.node("Shape", ["input_ids"], "shape"), self.constant("one", np.int64(1))], "length", axis=0)
        positions = self.node("Range", [self.constant("zero", np.int64(0)), length, "one"], "positions")
        places = self.node("Gather", [self.weight("embeddings.position_embeddings.weight"), positions], "places")
        summed = self.node("Add", [self.node("Add", [words, kinds], "words_and_types"), places], "embedded")
        x = self.norm(summed, "embeddings.LayerNorm", epsilon)
        split = self.constant("split_heads", np.array([0, 0, heads, width], dtype=np.int64))
        merge = self.merged_shape(x, heads * width)
        # torch exports its fused attention with queries and keys each scaled by
        # 1/sqrt(sqrt(width)), not the scores by 1/sqrt(width): the same rounding as the traced model.
        scale = self.constant("head_scale", np.float32(np.sqrt(1 / np.sqrt(width))))
        for layer in range(config["num_hidden_layers"]):
            x = self.layer(x, f"encoder.layer.{layer}", split, merge, scale, epsilon)
        return x

    def merged_shape(self, x: str, width: int) -> str:
        """[batch, tokens, width], read from ``x``'s shape at run time as torch's trace reads it,
        not the constant [0, 0, width]: with the constant, ONNX Runtime knows the attention
        block's output to be the residual's shape and fuses that addition into the layer norm
        (SkipLayerNormalization), which it cannot do in the traced model; the sum is rounded
        otherwise, and once quantised the vectors differ in the second decimal. Read this way,
        the int8 file gives the traced one's vectors to the bit (tested), under ONNX Runtime's
        defaults as under qcaudit's session, which leaves that fusion out everywhere
        (:func:`qcaudit.onnx_encoder.session`)."""
        shape = self.node("Shape", [x], "embedded.shape")
        first = self.constant("first_axis", np.array([0], dtype=np.int64))
        sizes = [self.node("Unsqueeze", [self.node("Gather", [shape, self.constant(f"axis{axis}", np.int64(axis))],
                                                   f"embedded.size{axis}", axis=0), first], f"embedded.sizes{axis}")
                 for axis in (0, 1)]
        return self.node("Concat", [*sizes, self.constant("width", np.array([width], dtype=np.int64))], "merged_shape", axis=0)

    def layer(self, x: str, prefix: str, split: str, merge: str, scale: str, epsilon: float) -> str:
        """One transformer layer: self-attention, then the feed-forward block."""

        def heads(kind: str, order: list[int]) -> str:
            projected = self.linear(x, f"{prefix}.attention.self.{kind}")
            return self.node("Transpose", [self.node("Reshape", [projected, split], f"{prefix}.{kind}.split")],
                             f"{prefix}.{kind}.heads", perm=order)

        queries = self.node("Mul", [heads("query", [0, 2, 1, 3]), scale], f"{prefix}.queries")
        keys = self.node("Mul", [heads("key", [0, 2, 3, 1]), scale], f"{prefix}.keys")
        values = heads("value", [0, 2, 1, 3])
        scores = self.node("MatMul", [queries, keys], f"{prefix}.scores")
        attended = self.node("MatMul", [self.node("Softmax", [scores], f"{prefix}.weights", axis=-1), values], f"{prefix}.attended")
        merged = self.node("Reshape", [self.node("Transpose", [attended], f"{prefix}.attended.tokens", perm=[0, 2, 1, 3]), merge],
                           f"{prefix}.attended.merged")
        attention = self.linear(merged, f"{prefix}.attention.output.dense")
        x = self.norm(self.node("Add", [attention, x], f"{prefix}.attention.residual"), f"{prefix}.attention.output.LayerNorm", epsilon)
        raised = self.linear(x, f"{prefix}.intermediate.dense")
        lowered = self.linear(self.gelu(raised, prefix), f"{prefix}.output.dense")
        return self.norm(self.node("Add", [lowered, x], f"{prefix}.output.residual"), f"{prefix}.output.LayerNorm", epsilon)

    def gelu(self, x: str, prefix: str) -> str:
        """x * (1 + erf(x / sqrt 2)) * 0.5, in torch's order of operations."""
        root = self.constant("root_two", np.float32(np.sqrt(2)))
        one, half = self.constant("one_float", np.float32(1)), self.constant("half", np.float32(0.5))
        erf = self.node("Erf", [self.node("Div", [x, root], f"{prefix}.gelu.scaled")], f"{prefix}.gelu.erf")
        product = self.node("Mul", [x, self.node("Add", [erf, one], f"{prefix}.gelu.shifted")], f"{prefix}.gelu.product")
        return self.node("Mul", [product, half], f"{prefix}.gelu")

    def linear(self, x: str, prefix: str) -> str:
        """bias + x @ weight.T, as torch exports a linear layer."""
        weight = self.constant(f"{prefix}.weight.T", np.ascontiguousarray(self.weights[f"{prefix}.weight"].T))
        return self.node("Add", [self.weight(f"{prefix}.bias"), self.node("MatMul", [x, weight], f"{prefix}.matmul")], prefix)

    def norm(self, x: str, prefix: str, epsilon: float) -> str:
        return self.node("LayerNormalization", [x, self.weight(f"{prefix}.weight"), self.weight(f"{prefix}.bias")], prefix,
                         axis=-1, epsilon=epsilon)

    def node(self, op: str, inputs: list[str], name: str, **attributes) -> str:
        """Adds a node whose one output is named as the node; returns that name."""
        import onnx

        self.nodes.append(onnx.helper.make_node(op, inputs, [name], name=name, **attributes))
        return name

    def weight(self, name: str) -> str:
        return self.constant(name, self.weights[name])

    def constant(self, name: str, value: np.ndarray) -> str:
        """An initialiser (once per name); returns its name."""
        from onnx import numpy_helper

        if name not in self.named:
            self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
            self.named.add(name)
        return name
