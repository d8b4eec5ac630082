#!/usr/bin/env bash
# aiplat-devmachine: the entrypoint of a dev machine's pod on the Kubernetes engine (see README.md).
# Starts the IDEs named in AIPLAT_IDES under the platform's proxy paths, and ends with them: when
# one exits, the others are stopped and the pod ends non-zero; SIGTERM stops them all.
set -uo pipefail

fail() {
  echo "aiplat-devmachine: $*" >&2
  exit 2
}

# The container's first start records the snapshot baseline before anything else writes (the IDEs'
# settings included), so "save as image" stores exactly what its owner changed. On the local engine
# start.sh has done it already: then this finds the baseline and goes on. The paths are the ones the
# platform runs the agent with; the variables are for the tests.
snapshot_agent="${AIPLAT_SNAPSHOT_AGENT:-/opt/aiplat/bin/aiplat-snapshot}"
snapshot_baseline="${AIPLAT_SNAPSHOT_BASELINE:-/var/lib/aiplat/snapshot-baseline.ndjson.gz}"
if [[ -x "$snapshot_agent" && ! -f "$snapshot_baseline" ]]; then
  echo "aiplat-devmachine: first start: recording the snapshot baseline"
  if ! "$snapshot_agent" baseline --baseline "$snapshot_baseline" >/dev/null; then
    echo "aiplat-devmachine: could not record the snapshot baseline: this dev machine cannot be saved as an image" >&2
  fi
fi

[[ -n "${AIPLAT_DEVMACHINE_ID:-}" ]] || fail "AIPLAT_DEVMACHINE_ID is not set (the platform sets it)"

# Lifecycle scripts (on Kubernetes: files of the dev machine's Secret, on-create only in the first
# start's): each runs before the IDEs, as this container's user, with a fixed PATH and a time
# limit. A failure ends the container with the reason as its termination message, which the
# platform reports; the IDEs do not start.
if [[ -n "${AIPLAT_LIFECYCLE_DIR:-}" ]]; then
  limit="${AIPLAT_LIFECYCLE_TIMEOUT:-300}"
  for kind in on-create on-start; do
    script="$AIPLAT_LIFECYCLE_DIR/$kind.sh"
    [[ -f "$script" ]] || continue
    echo "aiplat-devmachine: $kind: started"
    tail_file="$(mktemp)"
    started_at=$SECONDS
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      timeout -s KILL "$limit" bash "$script" > >(tee -a "$tail_file") 2> >(tee -a "$tail_file" >&2)
    status=$?
    wait # for tee
    if ((status != 0)); then
      last="$(tail -n 10 "$tail_file" | paste -sd '/' | sed 's|/| / |g')"
      if ((status == 137 && SECONDS - started_at >= limit)); then
        if ((limit % 60 == 0)); then within="$((limit / 60)) min"; else within="$limit s"; fi
        reason="the $kind script did not finish within $within"
      else
        reason="the $kind script exited with code $status"
      fi
      [[ -n "$last" ]] && reason="$reason; its last lines: $last"
      echo "aiplat-devmachine: $reason" >&2
      printf 'aiplat-lifecycle: %s' "$reason" >"${AIPLAT_TERMINATION_LOG:-/dev/termination-log}" 2>/dev/null
      rm -f "$tail_file"
      exit 3
    fi
    rm -f "$tail_file"
    echo "aiplat-devmachine: $kind: finished in $((SECONDS - started_at)) s"
  done
fi
base="${AIPLAT_BASE_PATH:-/devmachines/${AIPLAT_DEVMACHINE_ID}/}"
[[ "$base" == /*/ ]] || fail "AIPLAT_BASE_PATH must start and end with /, like /devmachines/dm-1a2b3c/ (got $base)"
ides="${AIPLAT_IDES:-jupyterlab,code-server}"
folder="$PWD"
# The programs and ports, overridable for images that install them elsewhere (and for the tests).
read -r -a jupyter <<<"${AIPLAT_JUPYTER:-jupyter lab}"
read -r -a code_server <<<"${AIPLAT_CODE_SERVER:-code-server}"
# The image installs the AI Platform extension for every user in one folder.
[[ -n "${AIPLAT_CODE_EXTENSIONS:-}" ]] && code_server+=(--extensions-dir "$AIPLAT_CODE_EXTENSIONS")
lab_port="${AIPLAT_LAB_PORT:-8888}"
code_port="${AIPLAT_CODE_PORT:-8080}"
# On the local engine each IDE listens on a Unix socket in a folder only the backend reaches (mode
# 0600), instead of a port any local user could open.
lab_listen=(--ServerApp.ip=0.0.0.0 --ServerApp.port="$lab_port")
[[ -n "${AIPLAT_LAB_SOCKET:-}" ]] && lab_listen=(--ServerApp.sock="$AIPLAT_LAB_SOCKET" --ServerApp.sock_mode=0600)
code_listen=(--bind-addr "0.0.0.0:$code_port")
[[ -n "${AIPLAT_CODE_SOCKET:-}" ]] && code_listen=(--socket "$AIPLAT_CODE_SOCKET" --socket-mode 600)

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait
}
trap 'stop_all; exit 0' TERM INT

started=0
if [[ ",$ides," == *",jupyterlab,"* ]]; then
  [[ -n "${AIPLAT_IDE_TOKEN:-}" ]] || fail "AIPLAT_IDE_TOKEN is not set (JupyterLab's token, from the dev machine's Secret)"
  # The token from the environment: never on a command line, where ps shows it.
  cat >"${TMPDIR:-/tmp}/aiplat_jupyter_config.py" <<'PY'
import os
c.ServerApp.token = os.environ["AIPLAT_IDE_TOKEN"]
PY
  "${jupyter[@]}" --config="${TMPDIR:-/tmp}/aiplat_jupyter_config.py" \
    "${lab_listen[@]}" --ServerApp.base_url="${base}lab/" \
    --ServerApp.root_dir="${AIPLAT_WORK_ROOT:-/work}" --ServerApp.preferred_dir="$folder" --ServerApp.open_browser=False \
    --ServerApp.allow_root=True --ServerApp.allow_remote_access=True &
  pids+=("$!")
  started=1
fi
if [[ ",$ides," == *",code-server,"* ]]; then
  settings="${XDG_DATA_HOME:-$HOME/.local/share}/code-server/User/settings.json"
  if [[ ! -f "$settings" ]]; then
    mkdir -p "$(dirname "$settings")"
    printf '{\n  "aiplat.serverUrl": "%s",\n  "workbench.startupEditor": "none",\n  "security.workspace.trust.enabled": false\n}\n' \
      "${AIPLAT_SERVER:-}" >"$settings"
  fi
  # No password: only the platform's proxy reaches the pod, and it lets only the owner through.
  "${code_server[@]}" "${code_listen[@]}" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override "$folder" &
  pids+=("$!")
  started=1
fi
((started)) || fail "AIPLAT_IDES names no IDE it knows: jupyterlab, code-server (got $ides)"

wait -n "${pids[@]}"
status=$?
echo "aiplat-devmachine: an IDE exited with status $status; stopping the others" >&2
stop_all
exit $((status == 0 ? 1 : status))
