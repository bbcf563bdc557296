"""Rule embed_labels: each label's name or description, embedded as the sentences are (the zero-shot model)."""
import numpy as np

from bucket_al.embed import embed_texts, load_encoder
from bucket_al.io import read_json, write_json, write_vector_map
from bucket_al.runtime import run_step, set_threads
from bucket_al.zero_shot import label_texts


def main(smk):
    p, speed = smk.params, smk.config["encoder"]  # batch_size and device: as in rule embed's script
    texts = label_texts(read_json(smk.input.labels), p.descriptions)
    tokenizer, model, device = load_encoder(p.model, speed["device"], max_length=p.max_length,
                                            int8=p.quantize == "int8", threads=smk.threads)
    set_threads(smk.threads)
    X = embed_texts(texts, tokenizer, model, device, batch_size=speed["batch_size"], max_length=p.max_length,
                    progress=False)
    write_vector_map(np.arange(len(texts)), X, smk.output.vectors)
    write_json({"texts": texts}, smk.output.texts)


run_step(main, snakemake)  # noqa: F821
