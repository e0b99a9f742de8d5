"""Builds a tiny byte-level BPE tokenizer into a folder that transformers' AutoTokenizer loads offline.

GuideLLM needs a tokenizer to size synthetic prompts; downloading one from the Hugging Face hub is not
allowed at test time, so the test trains one here in well under a second on a small built-in text.
Usage: python build-tokenizer.py OUT_DIR
"""

import json
import sys
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

CORPUS = [
    "A gateway routes each request to the batcher with the fewest requests outstanding.",
    "The dynamic batcher groups prompts into batches and sends them to simulated GPU workers.",
    "Every worker streams tokens back; the gateway turns them into server-sent events.",
    "Load tests measure time to first token, inter-token latency and throughput.",
    "Chaos experiments kill workers, partition the network and check the recovery.",
]


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(CORPUS * 4, trainer=trainer)
    tokenizer.save(str(out / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": 1_000_000,
        "bos_token": "<|endoftext|>",
        "eos_token": "<|endoftext|>",
        "unk_token": "<|endoftext|>",
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2))
    print(f"tokenizer with {tokenizer.get_vocab_size()} tokens in {out}")


if __name__ == "__main__":
    main()
