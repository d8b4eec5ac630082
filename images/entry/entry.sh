#!/bin/bash
# aiplat entry wrapper: /opt/aiplat/entry.sh in every container the Kubernetes engine starts.
#
#   entry.sh COMMAND [ARG...]
#
# Computes the TI-ONE variables of the job's mode (AIPLAT_MODE, set by the manifest builders) from
# what the operator injected, then execs COMMAND with its arguments unchanged. Platform variables
# win: a value already in the environment (from the image, say) is replaced, as on the local engine,
# where a job spec may not set them at all. A missing or malformed input variable stops the wrapper
# with exit code 2 and a message on stderr naming it. See README.md for the derivations.
set -u

die() {
  printf 'aiplat entry: %s\n' "$*" >&2
  exit 2
}

# require NAME WHAT: NAME must be set and non-empty (WHAT says who sets it).
require() {
  [ -n "${!1:-}" ] || die "$1 is not set; $2"
}

# require_int NAME WHAT: NAME must be a non-negative integer.
require_int() {
  require "$1" "$2"
  [[ ${!1} =~ ^[0-9]+$ ]] || die "$1 must be a whole number, got '${!1}'"
}

# device_counts: GPU_NUM_PER_NODE and GPU_NUM from the devices the builders pass (whole devices of
# this container and of the whole job, as the local engine counts them); nothing when not passed.
device_counts() {
  if [ -n "${AIPLAT_DEVICES_PER_NODE:-}" ]; then
    require_int AIPLAT_DEVICES_PER_NODE 'the manifest builders set it'
    export GPU_NUM_PER_NODE="$((10#$AIPLAT_DEVICES_PER_NODE))"
  fi
  if [ -n "${AIPLAT_DEVICES_TOTAL:-}" ]; then
    require_int AIPLAT_DEVICES_TOTAL 'the manifest builders set it'
    export GPU_NUM="$((10#$AIPLAT_DEVICES_TOTAL))"
  fi
}

[ "$#" -gt 0 ] || die 'no command to run: usage: entry.sh COMMAND [ARG...]'
require AIPLAT_MODE 'the manifest builders set it in every container (ddp, mpi, horovod, deepspeed, ps-worker, ray)'

export HYPERPARAMETERS_PATH="${HYPERPARAMETERS_PATH:-/opt/ml/input/config/hyperparameters.json}"
export PYTHONUNBUFFERED="${PYTHONUNBUFFERED:-1}"

mode_ddp() {
  local what='the Trainer torch-distributed runtime sets it'
  require PET_MASTER_ADDR "$what"
  require_int PET_MASTER_PORT "$what"
  require_int PET_NNODES "$what"
  require_int PET_NODE_RANK "$what"
  require_int PET_NPROC_PER_NODE "$what (the builder always sets numProcPerNode)"
  local nodes=$((10#$PET_NNODES)) procs=$((10#$PET_NPROC_PER_NODE)) rank=$((10#$PET_NODE_RANK))
  [ "$nodes" -ge 1 ] || die "PET_NNODES must be at least 1, got '$PET_NNODES'"
  [ "$rank" -lt "$nodes" ] || die "PET_NODE_RANK $rank is not below PET_NNODES $nodes"
  # Devices per node as locally (0 on a CPU-only node); the process count when the builder gave none.
  local devices=$procs
  if [ -n "${AIPLAT_DEVICES_PER_NODE:-}" ]; then
    require_int AIPLAT_DEVICES_PER_NODE 'the manifest builders set it'
    devices=$((10#$AIPLAT_DEVICES_PER_NODE))
  fi

  # Node i of a TrainJob is `<job>-node-0-<i>.<job>` (JobSet hostnames); the master is node 0.
  local list='' i
  if [[ $PET_MASTER_ADDR =~ ^(.+)-0-0(\..+)?$ ]]; then
    local prefix=${BASH_REMATCH[1]} domain=${BASH_REMATCH[2]}
    for ((i = 0; i < nodes; i++)); do list+="${list:+,}${prefix}-0-${i}${domain}:${devices}"; done
  elif [ "$nodes" -eq 1 ]; then
    list="${PET_MASTER_ADDR}:${devices}"
  else
    die "PET_MASTER_ADDR '$PET_MASTER_ADDR' is not a JobSet hostname <name>-0-0.<subdomain>; cannot list the nodes"
  fi

  export MASTER_ADDR="$PET_MASTER_ADDR" MASTER_PORT="$((10#$PET_MASTER_PORT))"
  export WORLD_SIZE="$nodes" RANK="$rank" INDEX="$rank"
  export NODE_LIST="$list" GPU_NUM_PER_NODE="$devices" GPU_NUM="$((nodes * devices))"
  export AIPLAT_INSTANCE="node-$rank"
}

mode_mpi() {
  # mpi-operator v2beta1 sets K_MPI_JOB_ROLE; workers only run sshd (processes mpirun starts
  # through ssh do not inherit the container environment), so they get the common variables only.
  if [ "${K_MPI_JOB_ROLE:-launcher}" = worker ]; then
    [[ ${HOSTNAME:-} =~ -worker-([0-9]+)$ ]] && export AIPLAT_INSTANCE="worker-${BASH_REMATCH[1]}"
    return
  fi
  require OMPI_MCA_orte_default_hostfile 'mpi-operator sets it on the launcher (OpenMPI)'
  local hostfile=$OMPI_MCA_orte_default_hostfile
  [ -r "$hostfile" ] || die "OMPI_MCA_orte_default_hostfile names '$hostfile', which cannot be read"
  local default_slots=${OMPI_MCA_orte_set_default_slots:-1}
  [[ $default_slots =~ ^[0-9]+$ ]] || default_slots=1

  local list='' total=0 first='' line host slots word
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    read -r host line <<<"$line"
    [ -n "$host" ] || continue
    slots=$default_slots
    for word in $line; do
      case $word in
        slots=*) slots=${word#slots=} ;;
      esac
    done
    [[ $slots =~ ^[0-9]+$ ]] || die "hostfile $hostfile: bad slot count '$slots' for $host"
    slots=$((10#$slots))
    list+="${list:+,}${host}:${slots}"
    total=$((total + slots))
    [ -n "$first" ] || first=$slots
  done <"$hostfile"
  [ -n "$list" ] || die "hostfile $hostfile lists no hosts"

  export NODE_IP_SLOT_LIST="$list" NODE_LIST="$list" INDEX=0
  export GPU_NUM="$total" GPU_NUM_PER_NODE="$first"
  export AIPLAT_INSTANCE=node-0
}

mode_deepspeed() {
  # The launcher of the Trainer's deepspeed-distributed runtime (an MPI runtime: the Trainer sets
  # OMPI_MCA_orte_default_hostfile there). DeepSpeed reads the same `host slots=N` lines.
  mode_mpi
  export DEEPSPEED_HOSTFILE="$OMPI_MCA_orte_default_hostfile"
}

mode_ps_worker() {
  local what='the ps-worker JobSet builder sets it'
  require AIPLAT_ROLE "$what"
  require_int AIPLAT_PS_COUNT "$what"
  require_int AIPLAT_WORKER_COUNT "$what"
  require_int JOB_COMPLETION_INDEX 'Kubernetes sets it in the pods of an Indexed Job'
  require HOSTNAME 'bash sets it to the pod hostname'
  local role=$AIPLAT_ROLE index=$((10#$JOB_COMPLETION_INDEX))
  local ps=$((10#$AIPLAT_PS_COUNT)) workers=$((10#$AIPLAT_WORKER_COUNT))
  local port=${AIPLAT_TF_PORT:-2222}
  [[ $port =~ ^[0-9]+$ ]] || die "AIPLAT_TF_PORT must be a port number, got '$port'"
  case $role in
    ps) [ "$index" -lt "$ps" ] || die "JOB_COMPLETION_INDEX $index is not below AIPLAT_PS_COUNT $ps" ;;
    worker) [ "$index" -lt "$workers" ] || die "JOB_COMPLETION_INDEX $index is not below AIPLAT_WORKER_COUNT $workers" ;;
    *) die "AIPLAT_ROLE must be ps or worker in ps-worker mode, got '$role'" ;;
  esac
  # JobSet pod hostnames: <jobset>-<replicatedJob>-<jobIndex>-<podIndex>; subdomain = <jobset>.
  [[ $HOSTNAME =~ ^(.+)-${role}-([0-9]+)-${index}$ ]] ||
    die "HOSTNAME '$HOSTNAME' is not a JobSet pod hostname <jobset>-${role}-<jobIndex>-${index}"
  local jobset=${BASH_REMATCH[1]} job_index=${BASH_REMATCH[2]}

  tf_hosts() { # tf_hosts ROLE COUNT: a JSON array of host:port
    local out='' k
    for ((k = 0; k < $2; k++)); do out+="${out:+,}\"${jobset}-$1-${job_index}-${k}.${jobset}:${port}\""; done
    printf '[%s]' "$out"
  }
  local cluster
  cluster="\"worker\":$(tf_hosts worker "$workers")"
  [ "$ps" -eq 0 ] || cluster="\"ps\":$(tf_hosts ps "$ps"),$cluster"
  export TF_CONFIG="{\"cluster\":{${cluster}},\"task\":{\"type\":\"${role}\",\"index\":${index}}}"
  # Local instance order: every ps, then every worker.
  if [ "$role" = ps ]; then export INDEX="$index"; else export INDEX="$((ps + index))"; fi
  export AIPLAT_INSTANCE="${role}-${index}"
  device_counts
}

mode_ray() {
  require RAY_ADDRESS 'Ray sets it for a job entrypoint (KubeRay sets it in the head and worker containers)'
  local address=${RAY_ADDRESS#*://}
  address=${address%%/*}
  [[ $address =~ ^(.+):([0-9]+)$ ]] || die "RAY_ADDRESS must be host:port, got '$RAY_ADDRESS'"
  export HEAD_ADDR="${BASH_REMATCH[1]}" HEAD_PORT="$((10#${BASH_REMATCH[2]}))"
  # KubeRay submits the entrypoint to the head, so the wrapper runs there: rank 0. (The builder
  # also sets RANK, INDEX and AIPLAT_INSTANCE in every Ray container, workers included, since the
  # wrapper never runs where KubeRay starts Ray.)
  if [ "${AIPLAT_ROLE:-head}" = head ]; then
    export RANK=0 INDEX=0 AIPLAT_INSTANCE=head-0
  fi
  device_counts
}

case $AIPLAT_MODE in
  ddp) mode_ddp ;;
  mpi | horovod) mode_mpi ;;
  deepspeed) mode_deepspeed ;;
  ps-worker) mode_ps_worker ;;
  ray) mode_ray ;;
  *) die "AIPLAT_MODE '$AIPLAT_MODE' is not one of ddp, mpi, horovod, deepspeed, ps-worker, ray" ;;
esac

exec "$@"
