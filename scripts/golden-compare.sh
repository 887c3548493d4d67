#!/usr/bin/env bash
# Golden comparison of two sednas binaries (issue 25: "every output that exists today is
# byte-identical before and after the restructuring").
#
#   scripts/golden-compare.sh OLD NEW [DATA]
#
# OLD and NEW are each a sednas binary, or a folder this script wrote before (its outputs
# are reused: record once with `scripts/golden-compare.sh --record BIN DIR [DATA]`).
# DATA is the shared benchmark folder (default: $SEDNAS_DATA, else ../shared/data).
#
# What is compared, byte for byte (stdout, stderr where it carries no timing, and the exit
# status of each command):
#   * `benchmark --split report --proxies ledp,led-flow,sed,#params,nwot`, as table and --json;
#   * `eval --json` (every reading, the ablations, LED-flow, LEDp and peer columns) on the
#     shared data of each space;
#   * `score` of all 15,625 NB201 cells (and of the NB101, NB301 and NATS-SSS files) for
#     every proxy `score` knows, plus `enumerate` (all cells, and --top 20) and `search`;
#   * `measure` of 8 networks per space at the reduced scale (NB201 --sample 8
#     --sample-seed 1; NB101 and DARTS the first 8 rows of their shared files);
#   * `verify --json`.
# Wall-clock numbers are masked (the "… s" and "… ns" of the benchmark table, the
# `*_seconds_per_arch` fields of eval --json, `seconds` of measure's header); nothing else is.
set -uo pipefail

record() { # BIN DIR DATA
  local B=$1 D=$2 DATA=$3
  mkdir -p "$D"
  local nb201="$DATA/nb201_test_acc_200ep.csv"
  run() { # NAME CMD...: stdout to NAME.out, stderr to NAME.err, status to NAME.rc
    local name=$1; shift
    "$@" >"$D/$name.out" 2>"$D/$name.err"
    echo $? >"$D/$name.rc"
  }
  # benchmark
  run bench_table "$B" benchmark --data "$DATA" --split report --proxies 'ledp,led-flow,sed,#params,nwot'
  sed -E -i 's/, [0-9.]+ s$/, <T> s/; s/ [0-9]+ ns;/ <T> ns;/g' "$D/bench_table.out"
  run bench_json "$B" benchmark --data "$DATA" --split all --json
  # eval --json per space (timing fields dropped)
  local zc="$DATA/nb201_zc_proxies_cifar10.csv"
  run eval_nb201 "$B" eval --json --space nb201 --truth "$nb201" --acc-col cifar10_test --ablations --join "$zc" --proxy-cols nwot,synflow,params
  run eval_nb201_common "$B" eval --json --space nb201 --truth "$DATA/nb201_cifar10_valid_acc_nb201v1_0.csv" --acc-col cifar10_valid_val --join "$zc" --proxy-cols zen --common --exclude-disconnected
  run eval_nb101 "$B" eval --json --space nb101 --truth "$DATA/nb101_nasbenchvis_10k.csv" --arch-col adjacency_rowmajor --acc-col valid_acc_108ep_1run --proxy-cols trainable_parameters
  run eval_darts "$B" eval --json --space darts --truth "$DATA/nb301_zc_proxies_naslib_sample.csv" --acc-col naslib_val_accuracy --proxy-cols params,nwot --ablations
  for f in "$D"/eval_*.out; do
    jq -c 'del(.truth.sed_seconds_per_arch, .truth.led_flow_seconds_per_arch)' "$f" >"$f.j" 2>/dev/null && mv "$f.j" "$f"
  done
  # score: every proxy on every space's file
  for p in sed led-flow ledp params; do
    run "score_nb201_$p" "$B" score --space nb201 --input "$nb201" --proxy "$p"
    run "score_nb101_$p" "$B" score --space nb101 --input "$DATA/nb101_nasbenchvis_10k.csv" --arch-col adjacency_rowmajor --proxy "$p"
    run "score_darts_$p" "$B" score --space darts --input "$DATA/nb301_zc_proxies_naslib_sample.csv" --proxy "$p"
    run "score_sss_$p" "$B" score --space nats-sss --input "$DATA/nats_sss_arch_index.csv" --proxy "$p"
  done
  run score_explain "$B" score --space nb201 --explain --block node --proxy sed '|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|avg_pool_3x3~2|'
  run score_bad "$B" score --space nb201 --proxy nope x
  # enumerate and search (stderr carries timing: stdout and status only)
  run enumerate "$B" enumerate --threads 1
  run enumerate_top "$B" enumerate --top 20 --threads 1
  rm -f "$D/enumerate.err" "$D/enumerate_top.err"
  for s in nb201 nats-sss nb101 darts; do
    run "search_$s" "$B" search --space "$s" --samples 300 --seed 3 --strategy evolution
    rm -f "$D/search_$s.err"
    sed -E -i '1s/ in [0-9.]+ s$/ in <T> s/' "$D/search_$s.out"
  done
  # measure: 8 networks per space at the reduced scale
  run measure_nb201 "$B" measure --space nb201 --sample 8 --sample-seed 1 --out "$D/measure_nb201.csv"
  run measure_nb101 "$B" measure --space nb101 --from "$DATA/nb101_nasbenchvis_10k.csv" --arch-col adjacency_rowmajor --limit 8 --out "$D/measure_nb101.csv"
  run measure_darts "$B" measure --space darts --from "$DATA/nb301_zc_proxies_naslib_sample.csv" --limit 8 --out "$D/measure_darts.csv"
  for s in nb201 nb101 darts; do
    # stderr is the progress bar; stdout names the output file (masked) and the time
    rm -f "$D/measure_$s.err"
    sed -E -i "s#$D/#<DIR>/#g; s/, [0-9.]+ s\$/, <T> s/" "$D/measure_$s.out"
  done
  # verify
  run verify "$B" verify --json
}

# Differences made on purpose, each with its reason (file name, then the reason).
EXPECTED=(
  "score_sss_ledp.err|issue 25: an unsupported proxy/space pair reads '--proxy NAME: reason' for every proxy (was 'invalid parameter proxy: LEDp is defined ...' for ledp only; the reason text is unchanged)"
)

compare() { # DIR_A DIR_B
  local A=$1 Bd=$2 bad=0 n=0 known=0
  for f in "$A"/*; do
    local b; b=$(basename "$f")
    n=$((n + 1))
    local why=""
    for e in "${EXPECTED[@]}"; do [ "${e%%|*}" = "$b" ] && why=${e#*|}; done
    if [ -n "$why" ] && [ -e "$Bd/$b" ] && ! cmp -s "$f" "$Bd/$b"; then
      echo "expected difference: $b ($why)"; diff "$f" "$Bd/$b" | sed 's/^/    /'
      known=$((known + 1)); continue
    fi
    if [ ! -e "$Bd/$b" ]; then echo "MISSING in $Bd: $b"; bad=$((bad + 1)); continue; fi
    if ! cmp -s "$f" "$Bd/$b"; then echo "DIFFER: $b"; cmp "$f" "$Bd/$b" | head -1; bad=$((bad + 1)); fi
  done
  for f in "$Bd"/*; do
    [ -e "$A/$(basename "$f")" ] || { echo "EXTRA in $Bd: $(basename "$f")"; bad=$((bad + 1)); }
  done
  echo "golden: $n files compared, $bad differ, $known expected difference(s)"
  [ "$bad" -eq 0 ]
}

if [ "${1:-}" = "--record" ]; then
  [ $# -ge 3 ] || { echo "usage: $0 --record BIN DIR [DATA]" >&2; exit 2; }
  record "$(realpath "$2")" "$3" "${4:-${SEDNAS_DATA:-../shared/data}}"
  exit 0
fi
[ $# -ge 2 ] || { echo "usage: $0 OLD NEW [DATA]   (each a binary or a recorded folder)" >&2; exit 2; }
DATA=${3:-${SEDNAS_DATA:-../shared/data}}
work=$(mktemp -d /tmp/golden-compare.XXXXXX)
side() { # BIN_OR_DIR LABEL -> prints the folder
  if [ -d "$1" ]; then echo "$1"; else record "$(realpath "$1")" "$work/$2" "$DATA"; echo "$work/$2"; fi
}
a=$(side "$1" old)
b=$(side "$2" new)
compare "$a" "$b"
