#!/usr/bin/env bash
# End-to-end check of scripts/slurm/ on a real, one-node Slurm cluster started on this machine
# (README "Sharded runs on a cluster"): installs munge, slurmctld, slurmd and slurm-client from
# Debian's packages if missing, starts a private munged + slurmctld + slurmd (configuration,
# key, state, spool and logs under one temporary folder; free ports; the machine's own
# /etc/slurm and /etc/munge are not used), waits for the node, submits a 4-task array and
# its merge job through scripts/slurm/submit.sh, waits for the merge, checks the merged CSV
# equals an unsharded run of the same population byte for byte; then cuts one shard short and
# deletes another (an interrupted run), resubmits, checks the tasks resume (--resume) and the
# new merge is identical again; stops every daemon and job it started (trap on EXIT, by process
# id) on every path.
#
# Usage (as root, Debian 12): scripts/slurm/test-local-cluster.sh [path/to/sednas]
#   default binary: target/release/sednas, else target/debug/sednas
# Environment: SLURM_TEST_TIMEOUT (seconds to wait for the merge job, default 300),
#   SLURM_TEST_KEEP=1 (keep the temporary folder), SLURM_TEST_ARGS (population, default
#   "--sample 24 --sample-seed 3 --width 4 --cells 1 --batch 10"), SLURM_TEST_SHARDS (4).
# Exit status: 0 when the merged file equals the unsharded run, non-zero on any failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() { printf '[%6ss] %s\n' "$(since "$t0")" "$*"; }
die() { step "FAIL: $*" >&2; exit 1; }

# --- the binary ---------------------------------------------------------------------------
bin=${1:-}
if [[ -z $bin ]]; then
  for b in "$repo/target/release/sednas" "$repo/target/debug/sednas"; do
    [[ -x $b ]] && { bin=$b; break; }
  done
  [[ -n $bin ]] || die "no target/release/sednas or target/debug/sednas: build first or pass the binary"
fi
[[ -x $bin ]] || die "not an executable: $bin"
bin=$(realpath "$bin")
[[ $(id -u) == 0 ]] || die "run as root (the test cluster's SlurmUser is root)"
step "binary: $bin"

# --- state the EXIT trap cleans up ----------------------------------------------------------
tmp=""; pids=(); names=(); own_policy=""; ref=""
cleanup() {
  local rc=$?
  set +e
  cd /
  [[ -n $ref ]] && { kill "$ref" 2>/dev/null; wait "$ref" 2>/dev/null; }
  if [[ -n $tmp && -f $tmp/slurm.conf ]] && command -v scancel >/dev/null; then
    # jobs of a failed run: cancel them and let slurmd see them end before it stops
    local queued
    queued=$(SLURM_CONF=$tmp/slurm.conf timeout 10 squeue -h -o '%i:%T' 2>/dev/null | tr '\n' ' ')
    if [[ -n $queued ]]; then
      step "cancelling jobs still in the queue: $queued"
      SLURM_CONF=$tmp/slurm.conf timeout 10 scancel --full --quiet -u root 2>/dev/null
      for _ in $(seq 40); do
        [[ -z $(SLURM_CONF=$tmp/slurm.conf timeout 10 squeue -h -o %i 2>/dev/null) ]] && break
        sleep 0.25
      done
    fi
  fi
  # daemons in reverse start order (slurmd, slurmctld, munged), TERM, then KILL after 5 s
  local i p
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p=${pids[i]}
    kill -TERM "$p" 2>/dev/null || continue
    local ts; ts=$(date +%s.%N)
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { echo "cleanup: ${names[i]} (pid $p) still up 5 s after TERM, killing" >&2; kill -KILL "$p"; }
    wait "$p" 2>/dev/null
    step "stopped ${names[i]} (pid $p) in $(since "$ts") s"
  done
  # anything else started under this test's marker (a slurmstepd or job left by a failure)
  if [[ -n $tmp ]]; then
    local left=()
    for e in /proc/[0-9]*/environ; do
      p=${e#/proc/}; p=${p%/environ}
      [[ $p == "$$" || $p == "$BASHPID" ]] && continue
      grep -qzx "SLURM_TEST_MARK=$tmp" "$e" 2>/dev/null && left+=("$p")
    done
    if ((${#left[@]})); then
      echo "cleanup: killing leftover processes ${left[*]}" >&2
      kill -KILL "${left[@]}" 2>/dev/null
    fi
  fi
  [[ -n $own_policy ]] && rm -f /usr/sbin/policy-rc.d
  if [[ -n $tmp ]]; then
    if [[ ${SLURM_TEST_KEEP:-0} == 1 ]]; then
      echo "kept: $tmp" >&2
    else
      rm -rf "$tmp"
    fi
  fi
  if ((rc == 0)); then step "daemons stopped; PASS"; else step "daemons stopped; FAILED (exit $rc)" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dump() { # everything that says why the cluster or a job failed
  set +e
  export SLURM_CONF=$tmp/slurm.conf
  echo "----- squeue"; timeout 10 squeue -a -l
  echo "----- scontrol show job"; timeout 10 scontrol show job
  echo "----- sacct"; timeout 10 sacct -a -X 2>&1 | head -20
  echo "----- job completion log (jobcomp/filetxt)"; cat "$tmp/log/jobcomp.log" 2>/dev/null
  echo "----- sinfo"; timeout 10 sinfo -N -l
  for f in "$tmp"/log/slurmctld.log "$tmp"/log/slurmd.log "$tmp"/log/munged.log "$tmp"/out/logs/*.log; do
    [[ -f $f ]] && { echo "----- $f (last 40 lines)"; tail -n 40 "$f"; }
  done
} >&2

# --- temporary folder ---------------------------------------------------------------------------
tmp=$(mktemp -d /tmp/sednas-slurm-test.XXXXXX)
chmod 755 "$tmp"
export SLURM_TEST_MARK=$tmp   # inherited by the daemons and every job: finds strays in cleanup
mkdir -p "$tmp"/{munge,state,spool,log,out}
chmod 700 "$tmp/munge"
# --- install ----------------------------------------------------------------------------------
need=()
for pair in munge:munged slurmctld:slurmctld slurmd:slurmd slurm-client:sbatch; do
  command -v "${pair#*:}" >/dev/null || need+=("${pair%%:*}")
done
if ((${#need[@]})); then
  step "installing ${need[*]} (apt-get)"
  # no service may start during the install: a policy-rc.d that says so, unless one exists
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >"$tmp/log/apt.log" 2>&1 || {
    apt-get update -qq >>"$tmp/log/apt.log" 2>&1
    apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$tmp/log/apt.log" 2>&1
  } || { tail -20 "$tmp/log/apt.log" >&2; die "apt-get install ${need[*]} failed"; }
  [[ -n $own_policy ]] && { rm -f /usr/sbin/policy-rc.d; own_policy=""; }
  step "installed: $(slurmctld -V)"
else
  step "munge and slurm already installed: $(slurmctld -V)"
fi
ti=$(date +%s.%N)

# --- key, ports ---------------------------------------------------------------------------------
# a key of our own, in the temporary folder (the machine's /etc/munge/munge.key is not used)
if command -v mungekey >/dev/null; then
  mungekey --create --keyfile="$tmp/munge/munge.key"
else
  dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 400 "$tmp/munge/munge.key"
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ctld_port=""
for p in $(seq 16817 2 16899); do
  if port_free "$p" && port_free $((p + 1)); then ctld_port=$p; break; fi
done
[[ -n $ctld_port ]] || die "no free port pair in 16817-16900"
slurmd_port=$((ctld_port + 1))
cpus=$(nproc); ((cpus >= 4)) || cpus=4   # one CPU per array task; more than the machine has is fine
mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)   # MB, for the jobs' --mem-per-cpu
step "temporary folder $tmp, ports $ctld_port/$slurmd_port, $cpus CPUs"

# --- munged -----------------------------------------------------------------------------------
sock=$tmp/munge/munge.socket
munged --foreground --force --socket="$sock" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" \
  --seed-file="$tmp/munge/munged.seed" >"$tmp/log/munged.out" 2>&1 &
pids+=($!); names+=(munged)
for _ in $(seq 50); do [[ -S $sock ]] && break; sleep 0.1; done
munge -n -S "$sock" | unmunge -S "$sock" >/dev/null || { cat "$tmp"/log/munged.* >&2; die "munged does not answer"; }
step "munged up"

# --- slurm.conf, slurmctld, slurmd ---------------------------------------------------------------
cat >"$tmp/slurm.conf" <<CONF
# one-node test cluster of scripts/slurm/test-local-cluster.sh
ClusterName=sednastest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$tmp/log/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!); names+=(slurmctld)
slurmd -D -f "$SLURM_CONF" -N localhost >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!); names+=(slurmd)
state=""
for _ in $(seq 120); do
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { dump; cat "$tmp"/log/*.out >&2; die "a daemon exited (pid $p)"; }; done
  state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
  [[ $state == idle ]] && break
  sleep 0.5
done
[[ $state == idle ]] || { dump; die "node not idle after 60 s (state: ${state:-none})"; }
step "slurmctld and slurmd up, node localhost idle ($(sinfo -h -o '%C' | cut -d/ -f4) CPUs)"

# --- submit the array and its merge ---------------------------------------------------------------
args=${SLURM_TEST_ARGS:---sample 24 --sample-seed 3 --width 4 --cells 1 --batch 10}
shards=${SLURM_TEST_SHARDS:-4}
((shards >= 3)) || die "SLURM_TEST_SHARDS must be 3 or more (the resume check uses shards 0, 1, 2)"
timeout_s=${SLURM_TEST_TIMEOUT:-300}
cd "$tmp"
submit() { # -> $array, $merge, $deadline
  local sub
  sub=$(SEDNAS_BIN=$bin SEDNAS_OUT=$tmp/out SEDNAS_ARGS=$args SEDNAS_SHARDS=$shards \
    "$repo/scripts/slurm/submit.sh" --cpus-per-task=1 --time=10) || { dump; die "submit.sh failed"; }
  echo "$sub"
  array=$(sed -n 's/^measure_job=//p' <<<"$sub"); merge=$(sed -n 's/^merge_job=//p' <<<"$sub")
  [[ -n $array && -n $merge ]] || die "no job ids in submit.sh's output"
  deadline=$(($(date +%s) + timeout_s))
  step "submitted array job $array ($shards tasks) and merge job $merge (afterok:$array)"
}
wait_merge() { # fails loudly unless $merge completes before $deadline
  local line js reason
  while :; do
    line=$(scontrol -o show job "$merge" 2>/dev/null || true)
    js=$(grep -o 'JobState=[A-Z_]*' <<<"$line" | cut -d= -f2 || true)
    reason=$(grep -o 'Reason=[^ ]*' <<<"$line" | cut -d= -f2 || true)
    case $js in
      COMPLETED) break ;;
      FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED)
        dump; die "merge job $merge ended $js (reason $reason)" ;;
    esac
    [[ $reason == DependencyNeverSatisfied ]] && { dump; die "an array task failed: merge job $merge can never run"; }
    (($(date +%s) < deadline)) || { dump; die "timeout: merge job $merge still ${js:-unknown} ($reason) after $timeout_s s"; }
    sleep 0.5
  done
  step "merge job $merge COMPLETED"
  local bad ntasks
  bad=$(scontrol -o show job "$array" | grep -v 'JobState=COMPLETED' || true)
  [[ -z $bad ]] || { dump; die "array tasks not COMPLETED: $bad"; }
  ntasks=$(scontrol -o show job "$array" | grep -c 'ExitCode=0:0')
  ((ntasks == shards)) || { dump; die "$ntasks of $shards array tasks exited 0"; }
}
check_merged() { # cmp merged.csv with the reference
  shard_files=("$tmp"/out/shard_*.csv); nfiles=${#shard_files[@]}
  ((nfiles == shards)) || die "$nfiles shard files, expected $shards"
  rows=$(tail -n +3 "$tmp/out/merged.csv" | wc -l)
  if cmp "$tmp/out/merged.csv" "$tmp/reference.csv"; then
    step "cmp: merged.csv ($shards shards, $rows rows) == unsharded reference, byte for byte"
  else
    diff <(cut -c1-120 "$tmp/out/merged.csv") <(cut -c1-120 "$tmp/reference.csv") | head -20 >&2
    die "merged.csv differs from the unsharded reference"
  fi
}
submit

# --- the unsharded reference, while the cluster works ----------------------------------------------
read -r -a argv <<<"$args"
# (in the background and waited for, so that INT/TERM reach the trap at once)
RAYON_NUM_THREADS=1 "$bin" measure "${argv[@]}" --out "$tmp/reference.csv" 2>"$tmp/log/reference.err" &
ref=$!
wait "$ref" || { cat "$tmp/log/reference.err" >&2; die "unsharded reference run failed"; }
ref=""
step "unsharded reference: $(tail -n +3 "$tmp/reference.csv" | wc -l) rows"

# --- wait for the merge job, check ---------------------------------------------------------------
wait_merge
cat "$tmp"/out/logs/merge_*.log
check_merged

# --- resume: an interrupted run, resubmitted, continues its shards ------------------------------------
# shard 1 loses its last 2 rows (as if its task had been killed after a checkpoint), shard
# 0 is gone (never ran); the same submit.sh then measures only those rows (--resume)
k=$(($(wc -l <"$tmp/out/shard_1.csv") - 2))   # rows of shard 1
((k >= 2)) || die "shard 1 has $k rows: the resume check needs 2 or more (a larger SLURM_TEST_ARGS population)"
head -n -2 "$tmp/out/shard_1.csv" >"$tmp/shard_1.cut" && mv "$tmp/shard_1.cut" "$tmp/out/shard_1.csv"
rm "$tmp/out/shard_0.csv" "$tmp/out/merged.csv"
step "resume: shard_1.csv cut by 2 of its $k rows, shard_0.csv and merged.csv removed; resubmitting"
submit
wait_merge
grep -h 'already done' "$tmp"/out/logs/measure_"$array"_*.log
if ! grep -q "shard 0/$shards (0 already done)" "$tmp/out/logs/measure_${array}_0.log" ||
  ! grep -q "^measure: 2 .* shard 1/$shards ($((k - 2)) already done)" "$tmp/out/logs/measure_${array}_1.log" ||
  ! grep -q "^measure: 0 .* shard 2/$shards" "$tmp/out/logs/measure_${array}_2.log"; then
  dump; die "the resubmitted tasks did not resume as expected (shard 0 anew, 2 rows of shard 1, none of shard 2)"
fi
check_merged
step "SUMMARY: $shards shards, $rows rows, cmp identical (first run and resumed resubmission); wall $(since "$t0") s, without install $(since "$ti") s"
