#!/usr/bin/env bash
# Issue 19's throughput figures: earlyexit score on this machine against score --nats with 1, 2 and
# 3 workers on the same machine, the same input, window and policy, in two rounds (forward, then
# backward, so drift in the machine's load falls on every configuration), each output compared
# byte for byte with the local one. Starts its own nats-server on a free port.
#   bench/evidence/workers.sh MODEL INPUT.csv [WINDOW] [EXTRA SCORE OPTIONS...]
# e.g. bench/evidence/workers.sh runs/ff/joint runs/ff-10k.csv 512 --backend onnx --precision int8 --policy max-prob --param 0.6487
set -euo pipefail
model=$1 input=$2 window=${3:-512}
shift $(( $# < 3 ? $# : 3 ))
extra=("$@")
ee=${EARLYEXIT:-earlyexit}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -js -sd "$work/js" -a 127.0.0.1 -p "$port" > "$work/nats.log" 2>&1 &
nats=$!
trap 'kill $nats 2>/dev/null; pkill -f "earlyexit-bench-worker" 2>/dev/null; rm -rf "$work"' EXIT
sleep 1
url=nats://127.0.0.1:$port
# The worker options that change nothing in the answers: threads, so that N workers share the 2 cores.
backend_opts=()
for ((i = 0; i < ${#extra[@]}; i++)); do
  case ${extra[i]} in --backend|--precision) backend_opts+=("${extra[i]}" "${extra[i+1]}"); i=$((i+1));; esac
done

run_local() {
  $ee score --model "$model" --input "$input" --output "$work/local.csv" --id-column id --window "$window" "${extra[@]}" 2>/dev/null | tail -1
}
run_nats() {
  local n=$1 threads=$2 pids=()
  for ((w = 1; w <= n; w++)); do
    $ee worker --nats "$url" --model "$model" --name "earlyexit-bench-worker-$w" --threads "$threads" "${backend_opts[@]}" 2> "$work/worker$w.log" &
    pids+=($!)
  done
  for ((w = 1; w <= n; w++)); do until grep -q "pool" "$work/worker$w.log"; do sleep 0.2; done; done
  rm -f "$work/nats.csv"
  $ee score --nats "$url" --model "$model" --input "$input" --output "$work/nats.csv" --id-column id --window "$window" --max-pending 8 "${extra[@]}" 2>/dev/null | sed -n '3p;4p' | tr '\n' ' '
  echo
  cmp -s "$work/local.csv" "$work/nats.csv" && echo "   output identical to the local run" || echo "   OUTPUT DIFFERS from the local run"
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
}
for round in 1 2; do
  echo "== round $round ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
  order=(local 1 2 3); [ "$round" = 2 ] && order=(3 2 1 local)
  for c in "${order[@]}"; do
    case $c in
      local) rm -f "$work/local.csv"; echo -n "local score (2 threads):  "; run_local;;
      1) echo -n "1 worker (2 threads):     "; run_nats 1 2;;
      *) echo -n "$c workers (1 thread each): "; run_nats "$c" 1;;
    esac
  done
done
