"""Other ways to make the CPU encoder faster, measured against the one qcaudit ships.

    python benchmarks/bench_int8_variants.py             # 2,000 GSM8K train questions
    python benchmarks/bench_int8_variants.py --rows 500

Same texts, same run, each variant called as qcaudit's ``onnx-int8`` backend calls its
model (one text a single-threaded call, as many calls at once as torch has threads), or
for torch as qcaudit's ``torch`` backend batches: rows per second and each vector's cosine
to the fp32 model's. Variants: the fp32 export; qcaudit's dynamic int8 (per-channel
weights); ONNX Runtime's BERT fusions (of attention, layer norm and GELU, where its patterns
match: in a graph written by ``qcaudit.bert_graph`` attention's do not) before the same
quantisation; the same dynamic quantisation with per-tensor weights, uint8 weights or a 7-bit
range; static int8 (QDQ, activations calibrated on 300 rows of the bundled sample); when
``openvino`` is installed, OpenVINO running the fp32 and the int8 files;
torch fp32 and torch with bf16 autocast (fast only on a CPU with AVX512-BF16 or AMX).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import cpu  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
console = Console(width=140)


def calibration_reader(ids: list[list[int]], names: list[str]):
    """ONNX Runtime's calibration input: one text a call, as the model runs."""
    from onnxruntime.quantization import CalibrationDataReader

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.left = iter(ids)

        def get_next(self):
            one = next(self.left, None)
            if one is None:
                return None
            row = np.asarray(one, dtype=np.int64)[None, :]
            given = {"input_ids": row, "attention_mask": np.ones_like(row), "token_type_ids": np.zeros_like(row)}
            return {name: given[name] for name in names}

    return Reader()


def onnx_variants(encoder, folder: Path) -> dict[str, Path]:
    """Every ONNX file to compare, built from the fp32 file qcaudit quantises."""
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_dynamic, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from onnxruntime.transformers.optimizer import optimize_model

    from qcaudit.hf import load_model_config
    from qcaudit.onnx_encoder import export_fp32, quantise

    fp32 = folder / "fp32.onnx"
    export_fp32(encoder.path, fp32)
    files = {"onnx fp32": fp32}
    files["onnx int8 dynamic (qcaudit)"] = folder / "int8.onnx"
    quantise(fp32, files["onnx int8 dynamic (qcaudit)"])
    config = load_model_config(str(encoder.path), "embedding model")
    fused = optimize_model(str(fp32), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size)
    fused.save_model_to_file(str(folder / "fused.onnx"))
    for name, options in (("per-tensor weights", {"per_channel": False}), ("uint8 weights", {"weight_type": QuantType.QUInt8}),
                          ("7-bit range (reduce_range)", {"reduce_range": True})):
        files[f"onnx int8 dynamic, {name}"] = folder / f"int8 {name}.onnx"
        quantize_dynamic(str(fp32), str(files[f"onnx int8 dynamic, {name}"]), **({"weight_type": QuantType.QInt8, "per_channel": True} | options))
    files["onnx BERT fusions + int8 dynamic"] = folder / "fused_int8.onnx"
    quantize_dynamic(str(folder / "fused.onnx"), str(files["onnx BERT fusions + int8 dynamic"]), weight_type=QuantType.QInt8,
                     per_channel=True, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    quant_pre_process(str(fp32), str(folder / "pre.onnx"), skip_symbolic_shape=True)
    sample = pl.read_parquet(ROOT / "data" / "samples" / "instructions.parquet").head(300)
    calibration = encoder.tokenize(sample.select(pl.concat_str(pl.col(pl.String), separator="\n")).to_series().to_list())
    names = [i.name for i in onnx.load(str(fp32)).graph.input]
    files["onnx int8 static QDQ"] = folder / "static.onnx"
    quantize_static(str(folder / "pre.onnx"), str(files["onnx int8 static QDQ"]), calibration_reader(calibration, names),
                    quant_format=QuantFormat.QDQ, per_channel=True, weight_type=QuantType.QInt8,
                    activation_type=QuantType.QUInt8, calibrate_method=CalibrationMethod.MinMax)
    return files


class OpenVinoSession:
    """An ONNX file compiled by OpenVINO behind ONNX Runtime's ``run``, so that qcaudit's
    pooling reads its output unchanged: one text a call on ``threads`` threads (OpenVINO's
    latency mode; its threads are its own, so the texts are not shared out)."""

    def __init__(self, file: Path, threads: int) -> None:
        import openvino

        core = openvino.Core()
        config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads}
        self.request = core.compile_model(core.read_model(str(file)), "CPU", config).create_infer_request()

    def run(self, _outputs, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [next(iter(self.request.infer(inputs).values()))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="GSM8K train questions (default 2,000)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: this benchmark uses the real public data in ../shared/data")
    import torch

    from qcaudit.embed import Encoder
    from qcaudit.onnx_encoder import OnnxSentenceModel

    texts = pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl")["question"].head(args.rows)
    threads = torch.get_num_threads()
    encoder = Encoder(device="cpu", runtime="torch", use_cache=False)
    ids = encoder.tokenize(texts.to_list())
    found: dict[str, tuple[float, np.ndarray]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        with contextlib.chdir(tmp):  # ONNX Runtime's shape inference and calibration leave their scratch files in the working directory
            files = onnx_variants(encoder, Path(tmp))
        runs = [(name, file, "onnxruntime") for name, file in files.items()]
        if importlib.util.find_spec("openvino"):  # not a dependency: pip install openvino to compare it
            runs += [(f"openvino {name.removeprefix('onnx ')}", files[name], "openvino")
                     for name in ("onnx fp32", "onnx int8 dynamic (qcaudit)")]
        for name, file, runtime in runs:
            model = OnnxSentenceModel(file, encoder.path, threads)
            if runtime == "openvino":
                model.session, model.workers = OpenVinoSession(file, threads), 1
            model.encode(ids[:8])
            start = time.perf_counter()
            vectors = model.encode(ids)
            found[name] = (len(ids) / (time.perf_counter() - start), vectors)
    for name, dtype in (("torch fp32", None), ("torch bf16 autocast", torch.bfloat16)):
        encoder.encode(texts.head(8), tokens=ids[:8])
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=dtype or torch.float32, enabled=dtype is not None):
            vectors = encoder.encode(texts, tokens=ids)
        found[name] = (len(ids) / (time.perf_counter() - start), vectors)

    reference = found["onnx fp32"][1]
    shipped = found["onnx int8 dynamic (qcaudit)"][0]
    table = Table(title=f"{len(ids):,} GSM8K train questions, {cpu()}, {threads} threads, same run ({time.strftime('%Y-%m-%d')})")
    for column in ("variant", "rows/s", "vs qcaudit int8", "cosine to fp32: mean", "min"):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for name, (rate, vectors) in found.items():
        cosine = (vectors * reference).sum(axis=1)
        table.add_row(name, f"{rate:,.0f}", f"{rate / shipped:.2f}x", f"{cosine.mean():.4f}", f"{cosine.min():.4f}")
    console.print(table)


if __name__ == "__main__":
    main()
