"""Rule embed_shard: shard i of encoder.shards of one role's rows, embedded (bucket_al.embed)."""
import numpy as np

from bucket_al.embed import embed_batches, length_batches, load_encoder, shard_batches
from bucket_al.io import atomic_path, read_table
from bucket_al.runtime import run_step, set_threads


def main(smk):
    speed = smk.config["encoder"]  # batch_size and device: as in the embed step (workflow/scripts/embed.py)
    texts = read_table(smk.input[0], columns=["text"])["text"].tolist()
    tokenizer, model, device = load_encoder(smk.params.model, speed["device"], max_length=smk.params.max_length,
                                            int8=smk.params.quantize == "int8", threads=smk.threads)
    set_threads(smk.threads)
    batches = length_batches(texts, tokenizer, batch_size=speed["batch_size"], max_length=smk.params.max_length)
    mine = shard_batches(batches, int(smk.wildcards.shard), smk.params.shards)
    idx, X = embed_batches(texts, mine, tokenizer, model, device, max_length=smk.params.max_length)
    with atomic_path(smk.output[0]) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, positions=idx, vectors=X)


run_step(main, snakemake)  # noqa: F821
