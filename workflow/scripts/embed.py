"""Rule embed: mean-pooled embeddings of one role's cleaned rows."""
from bucket_al.embed import embed_texts, load_encoder
from bucket_al.io import read_table, write_vector_map, write_vectors
from bucket_al.runtime import run_step, set_threads


def main(smk):
    # batch_size and device change only the speed of fp32 vectors: they are read from the config here
    # rather than passed as params, so changing them re-embeds nothing (int8 gets batch_size as a param).
    speed = smk.config["encoder"]
    rows = read_table(smk.input[0], columns=["row_id", "text"])
    tokenizer, model, device = load_encoder(smk.params.model, speed["device"], max_length=smk.params.max_length,
                                            int8=smk.params.quantize == "int8", threads=smk.threads)
    set_threads(smk.threads)  # again, now that torch is imported
    X = embed_texts(rows["text"], tokenizer, model, device,
                    batch_size=speed["batch_size"], max_length=smk.params.max_length)
    write_vectors(rows["row_id"].to_numpy(), X, smk.output.parquet)
    write_vector_map(rows["row_id"].to_numpy(), X, smk.output.arrow)


run_step(main, snakemake)  # noqa: F821
