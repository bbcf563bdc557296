#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for tests: munged, slurmctld and slurmd on
# localhost, no accounting database (submit with --slurm-no-account, query status with squeue).
#
#   tests/local_slurm.sh start DIR   # install slurm-wlm and munge (apt) if missing, write the
#                                    # configs under DIR, start the three daemons, wait for the node
#   tests/local_slurm.sh stop DIR    # stop exactly the daemons that `start DIR` started
#
# Everything lives under DIR (configs, munge key and socket, spool, state, logs, pid files), except
# one link: /etc/slurm/slurm.conf -> DIR/slurm.conf, because the plugin's job step strips SLURM_CONF
# from the environment before it calls srun inside the job. An existing /etc/slurm/slurm.conf is
# moved aside and put back by `stop`. Clients outside jobs may also use SLURM_CONF=DIR/slurm.conf
# (printed by `start` on its last line). Needs root (SlurmUser=root) and, when slurm is not
# installed, apt-get.
# Ports: SLURM_TEST_CTLD_PORT / SLURM_TEST_D_PORT (default 6817 / 6818).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)

ETC_CONF=/etc/slurm/slurm.conf

stop() {
    # slurmd first (it ends its job steps), then the controller, then munge; each by its pid file
    local name pid
    for name in slurmd slurmctld munged; do
        [ -s "$dir/$name.pid" ] || continue
        pid=$(cat "$dir/$name.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$dir/$name.pid"
    done
    # the /etc/slurm/slurm.conf link, if it is ours; the moved-aside file back
    if [ "$(readlink "$ETC_CONF" 2>/dev/null)" = "$dir/slurm.conf" ]; then
        rm -f "$ETC_CONF"
        [ -e "$dir/etc-slurm.conf.orig" ] && mv "$dir/etc-slurm.conf.orig" "$ETC_CONF"
    fi
    return 0
}

install() {
    local missing=()
    command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
        || missing+=(slurm-wlm)
    command -v munged >/dev/null || missing+=(munge)
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || { echo "error: ${missing[*]} missing and no apt-get" >&2; exit 1; }
    echo "installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >"$dir/apt.log" 2>&1 || { cat "$dir/apt.log" >&2; exit 1; }
    apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$dir/apt.log" 2>&1 \
        || { tail -30 "$dir/apt.log" >&2; exit 1; }
}

start() {
    [ "$(id -u)" -eq 0 ] || { echo "error: needs root (SlurmUser=root)" >&2; exit 1; }
    install
    stop  # a previous start in the same DIR
    local host cpus mem_mb ctld_port d_port
    host=$(hostname -s)
    cpus=$(nproc)
    mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    ctld_port=${SLURM_TEST_CTLD_PORT:-6817}
    d_port=${SLURM_TEST_D_PORT:-6818}
    mkdir -p "$dir"/{state,spool,munge}
    chmod 700 "$dir" "$dir/munge"

    # munge: a fresh key, socket and state under DIR
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed"

    cat >"$dir/slurm.conf" <<EOF
ClusterName=buckettest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# squeue must still know finished jobs when snakemake polls (every ~40 s at first)
MinJobAge=600
SchedulerType=sched/backfill
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$dir/slurm.conf"
    mkdir -p "$(dirname "$ETC_CONF")"
    if [ -e "$ETC_CONF" ] || [ -L "$ETC_CONF" ]; then
        if [ -L "$ETC_CONF" ] && [ ! -e "$ETC_CONF" ]; then
            rm -f "$ETC_CONF"  # a dangling link left by a killed test run
        else
            mv "$ETC_CONF" "$dir/etc-slurm.conf.orig"
        fi
    fi
    ln -s "$SLURM_CONF" "$ETC_CONF"
    slurmctld -f "$SLURM_CONF" -i   # -i: ignore any saved state
    slurmd -f "$SLURM_CONF" -N "$host"

    # wait until the node takes jobs
    local state=""
    for _ in $(seq 60); do
        state=$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)
        case $state in idle|mix|alloc) break ;; esac
        sleep 1
    done
    case $state in
        idle|mix|alloc) ;;
        *)
            echo "error: the node did not come up (state '$state'); logs:" >&2
            tail -20 "$dir/slurmctld.log" "$dir/slurmd.log" "$dir/munged.log" >&2 || true
            stop
            exit 1
            ;;
    esac
    echo "SLURM_CONF=$SLURM_CONF"
}

case $cmd in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
