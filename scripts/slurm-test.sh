#!/usr/bin/env bash
# End-to-end test of the README's Slurm recipe ("Running on a cluster") on a
# throwaway single-node Slurm bound to 127.0.0.1. Needs root.
#
#  1. installs slurmctld, slurmd, slurm-client and munge (Debian) if missing;
#  2. starts munged, slurmctld and slurmd with every file under one
#     temporary folder;
#  3. submits the sweep as an N-task job array, with one task made to fail
#     (QUEUELAB_TEST_FAIL_SHARD, a test-only switch);
#  4. resubmits the indices `queuelab merge --missing` reports, then merges
#     in a dependent job;
#  5. checks the merged results.json is byte-identical to a single-machine
#     run; stops every daemon by its PID.
#
# Usage: scripts/slurm-test.sh [SCENARIO] (default scenarios/mm1-load-sweep.toml);
# QUEUELAB_BIN overrides the binary (default target/release/queuelab).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${QUEUELAB_BIN:-$ROOT/target/release/queuelab}
SCENARIO=$(realpath "${1:-scenarios/mm1-load-sweep.toml}")
SHARDS=8
FAILING=3
START=$(date +%s.%N)

say() { echo "slurm-test: $*"; }
fail() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (it starts munged, slurmctld and slurmd)"
[ -x "$BIN" ] || fail "$BIN not found: run cargo build --release first"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurmctld slurmd slurm-client munge"
  export DEBIAN_FRONTEND=noninteractive
  packages=(slurmctld slurmd slurm-client munge)
  apt-get install -y -q "${packages[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${packages[@]}" >/dev/null; }
fi

WORK=$(mktemp -d /tmp/queuelab-slurm.XXXXXX)
chmod 0755 "$WORK"
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$status" != 0 ]; then
    for log in "$WORK"/*.log "$WORK"/jobs/*.out; do
      [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
    done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# munge: a private key and socket, run as the munge user.
mkdir -p "$WORK/munge"
chown munge:munge "$WORK/munge"
chmod 0711 "$WORK/munge"
runuser -u munge -- mungekey -c -k "$WORK/munge/munge.key"
# setpriv execs munged itself, so $! is the daemon's PID.
setpriv --reuid=munge --regid=munge --init-groups munged --foreground \
  --key-file="$WORK/munge/munge.key" --socket="$WORK/munge/munge.socket" \
  --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" \
  --seed-file="$WORK/munge/munged.seed" >"$WORK/munged.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$WORK/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$WORK/munge/munge.socket" ] || fail "munged did not start"

NODE=$(hostname -s)
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/jobs"
export SLURM_CONF=$WORK/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=queuelab
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=main Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -c -i >"$WORK/slurmctld.stdout" 2>&1 &
PIDS+=($!)
slurmd -D -N "$NODE" >"$WORK/slurmd.stdout" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || fail "the node did not come up (state: '${state:-none}')"
say "single-node Slurm up on 127.0.0.1 after $(echo "$(date +%s.%N) - $START" | bc) s"

# The README recipe: one shard per array task, then a dependent merge job.
OUT=$WORK/results
cat >"$WORK/shard.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=queuelab-shard
#SBATCH --cpus-per-task=1
#SBATCH --output=$WORK/jobs/shard-%a.out
export RAYON_NUM_THREADS=\${SLURM_CPUS_PER_TASK:-1}
exec "$BIN" run "$SCENARIO" --shard "\$SLURM_ARRAY_TASK_ID/$SHARDS" --out "$OUT" --quiet
EOF
cat >"$WORK/merge.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=queuelab-merge
#SBATCH --output=$WORK/jobs/merge.out
exec "$BIN" merge "$OUT" --quiet --no-charts --format csv
EOF

wait_for() {
  for _ in $(seq 300); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  fail "job $1 did not finish in 60 s"
}

ARRAY=$(QUEUELAB_TEST_FAIL_SHARD=$FAILING sbatch --parsable --array=0-$((SHARDS - 1)) "$WORK/shard.sbatch")
wait_for "$ARRAY"
MISSING=$("$BIN" merge "$OUT" --missing) && fail "merge --missing found nothing missing"
[ "$MISSING" = "$FAILING" ] || fail "merge --missing said '$MISSING', expected $FAILING"
say "array job $ARRAY done; shard $MISSING failed as injected; resubmitting it"
RETRY=$(sbatch --parsable --array="$MISSING" "$WORK/shard.sbatch")
MERGE=$(sbatch --parsable --dependency=afterok:"$RETRY" "$WORK/merge.sbatch")
wait_for "$RETRY"
wait_for "$MERGE"
[ -f "$OUT/results.json" ] || fail "the merge job wrote no results"

"$BIN" run "$SCENARIO" --out "$WORK/single" --quiet --no-charts >/dev/null
cmp "$WORK/single/results.json" "$OUT/results.json" ||
  fail "merged results.json differs from the single-machine run"
say "passed: $SHARDS-shard array, one failure resubmitted, merged results.json byte-identical; $(echo "$(date +%s.%N) - $START" | bc) s in all"
