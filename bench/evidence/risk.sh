#!/usr/bin/env bash
# Issue 17's evidence: the resampling check (docs/algorithms.md §5.5) of a calibrated model folder,
# for the disagreement and the accuracy-gap risks, N draws, δ = 0.1.
#   bench/evidence/risk.sh MODEL DATA [N]
set -euo pipefail
model=$1 data=$2 n=${3:-1000}
ee=${EARLYEXIT:-earlyexit}
[ -f "$model/validation.eetrace" ] || $ee calibrate --model "$model" --data "$data"
for measure in disagreement gap; do
  echo "== $(date +%T) $model $measure, $n draws"
  $ee evaluate --model "$model" --data "$data" --resample "$n" --risk-measure "$measure" --confidence 0.9 | tee "$model.resample-$measure.txt"
done
