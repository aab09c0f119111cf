#!/usr/bin/env bash
# Issue 16's evidence: a plain fine-tuned classifier (the final exit alone, what a user has), exported
# as a Hugging Face folder, imported with hf: and given exits by self-distillation (no label read),
# against the jointly trained multi-exit model of the same budget. Every parameter is chosen on
# validation by calibrate/evaluate; the figures are test figures.
#   bench/evidence/retrofit.sh DATA TRAIN_LIMIT EPOCHS OUT      e.g. fine-foods 2400 2 runs/ff
# EARLYEXIT names the CLI (default: earlyexit on PATH); BENCH the Core bench (default: dotnet run).
set -euo pipefail
data=$1 limit=$2 epochs=$3 out=$4
ee=${EARLYEXIT:-earlyexit}
bench=${BENCH:-dotnet run -c Release --project "$(dirname "$0")/../EarlyExit.Bench" --}
mkdir -p "$out"
step() { echo "== $(date +%T) $*"; }

step "joint multi-exit model"
[ -f "$out/joint/checkpoint.json" ] || $ee train --data "$data" --train-limit "$limit" --epochs "$epochs" --out "$out/joint"
step "plain classifier (final exit only, [CLS] pooling: a Hugging Face head)"
[ -f "$out/plain/checkpoint.json" ] || $ee train --data "$data" --train-limit "$limit" --epochs "$epochs" --objective final --pooling cls --out "$out/plain"
step "export it as a Hugging Face folder"
$ee export --model "$out/plain" --format hf --out "$out/plain-hf"
# What a user brings holds no exit heads of ours: drop the plain model's untrained ones (and their
# [CLS] pooling), so the retrofit starts from new mean-pooled heads as it would for them.
rm -f "$out/plain-hf/exit_heads.json" "$out/plain-hf/exit_heads.safetensors"
step "retrofit exits by self-distillation (backbone and final exit frozen, labels unread)"
[ -f "$out/retrofit/checkpoint.json" ] || $ee train --model "hf:$out/plain-hf" --data "$data" --train-limit "$limit" --objective self-distill --epochs 8 --out "$out/retrofit"
for m in joint plain retrofit; do
  step "calibrate and evaluate $m"
  $ee calibrate --model "$out/$m" --data "$data"
  $ee evaluate --model "$out/$m" --data "$data" --json "$out/$m.results.json" | tee "$out/$m.evaluate.txt"
done
step "the retrofitted model's exits against the plain classifier's answers on test"
$bench trace-agreement "$out/plain/test.eetrace" "$out/retrofit/test.eetrace" | tee "$out/agreement.txt"
