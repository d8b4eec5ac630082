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

# Git repositories (on Kubernetes: files of the dev machine's Secret, a folder per repository with
# its url and folder, and a branch, a username and token, or an ssh-key when the spec has them),
# cloned into the working dir before the lifecycle scripts, so they can use the code. A folder
# already there is kept (a clone of the same URL counts as cloned); a failed clone leaves no folder
# and does not stop the start. Each repository gets one line, in the log and in the status file:
# `aiplat-repository: cloned|failed URL[ MESSAGE]`. Secrets stay off command lines: the token goes
# to git as an http.extraHeader through its environment config, the key as a 0600 file.
repositories_status="${AIPLAT_REPOSITORIES_STATUS:-${TMPDIR:-/tmp}/aiplat-repositories.status}"
report_repository() {
  local line="aiplat-repository: $1 $2${3:+ $3}"
  echo "$line"
  echo "$line" >>"$repositories_status"
}
same_url() {
  local a="${1%/}" b="${2%/}"
  [[ "${a%.git}" == "${b%.git}" ]]
}
clone_repository() {
  local repo="$1" url folder branch="" dest top remote
  url="$(<"$repo/url")"
  folder="$(<"$repo/folder")"
  [[ -f "$repo/branch" ]] && branch="$(<"$repo/branch")"
  dest="$PWD/$folder"
  if [[ -L "$dest" || (-e "$dest" && ! -d "$dest") ]]; then
    report_repository failed "$url" "$folder exists and is not a folder: move it away"
    return
  fi
  if [[ -d "$dest" && -n "$(ls -A "$dest")" ]]; then
    top="$(git -c safe.directory='*' -C "$dest" rev-parse --show-toplevel 2>/dev/null)"
    if [[ "$top" == "$(cd "$dest" && pwd -P)" ]]; then
      while read -r _ remote; do
        if same_url "$remote" "$url"; then
          report_repository cloned "$url" "the folder was already a clone of it, and is left as it is"
          return
        fi
      done < <(git -c safe.directory='*' -C "$dest" config --get-regexp '^remote\..*\.url$')
    fi
    report_repository failed "$url" "$folder exists and is not a clone of $url: move it away (or remove the repository from the dev machine)"
    return
  fi
  local existed=0 err key="" token="" basic="" status message branch_args=() clone_err err_tee
  [[ -n "$branch" ]] && branch_args=(--branch "$branch")
  [[ -d "$dest" ]] && existed=1
  err="$(mktemp)"
  [[ -f "$repo/token" ]] && token="$(<"$repo/token")"
  if [[ -f "$repo/ssh-key" ]]; then
    key="$(mktemp)"
    chmod 600 "$key"
    cat "$repo/ssh-key" >"$key"
  fi
  # git's stderr goes through a tee opened here, not inside the subshell, so that it can be waited
  # for by pid: a message's last lines are in the file before it is read.
  exec {clone_err}> >(tee -a "$err" >&2)
  err_tee=$!
  (
    export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=credential.helper GIT_CONFIG_VALUE_0=
    if [[ -n "$token" ]]; then
      basic="$(printf '%s:%s' "$(<"$repo/username")" "$token" | base64 -w0)"
      # Scoped to the repository's scheme, host and port: a redirect elsewhere does not get the header.
      scope="$(printf '%s' "$url" | sed -E 's#^([a-z]+://[^/]+).*#\1/#')"
      export GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_1="http.$scope.extraHeader" GIT_CONFIG_VALUE_1="Authorization: Basic $basic"
    fi
    identity=(-o PubkeyAuthentication=no)
    [[ -n "$key" ]] && identity=(-i "$key")
    export GIT_SSH_COMMAND="ssh ${identity[*]} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=${TMPDIR:-/tmp}/aiplat-known_hosts"
    timeout -s KILL "${AIPLAT_CLONE_TIMEOUT:-600}" git clone "${branch_args[@]}" -- "$url" "$dest" 2>&"$clone_err"
  )
  status=$?
  exec {clone_err}>&-
  wait "$err_tee"
  [[ -n "$key" ]] && rm -f "$key"
  if ((status == 0)); then
    report_repository cloned "$url"
  else
    ((existed)) && find "$dest" -mindepth 1 -delete 2>/dev/null
    ((existed)) || rm -rf "$dest"
    message="$(tail -n 6 "$err" | awk 'NR > 1 { printf " / " } { printf "%s", $0 }')"
    ((status == 137)) && message="git clone did not finish within ${AIPLAT_CLONE_TIMEOUT:-600} s; $message"
    [[ -n "$token" ]] && message="${message//"$token"/***}"
    report_repository failed "$url" "${message:-git clone exited with code $status}"
  fi
  rm -f "$err"
}
if [[ -n "${AIPLAT_REPOSITORIES_DIR:-}" && -d "$AIPLAT_REPOSITORIES_DIR" ]]; then
  : >"$repositories_status"
  for repository in "$AIPLAT_REPOSITORIES_DIR"/*/; do
    [[ -f "$repository/url" ]] && clone_repository "${repository%/}"
  done
fi

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
    # Each stream through its own tee into the tail file; both tees are waited for by pid (a bare
    # `wait` waits only for the last process substitution), so no line is read before it is there.
    exec {script_out}> >(tee -a "$tail_file")
    out_tee=$!
    exec {script_err}> >(tee -a "$tail_file" >&2)
    err_tee=$!
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      timeout -s KILL "$limit" bash "$script" >&"$script_out" 2>&"$script_err"
    status=$?
    exec {script_out}>&- {script_err}>&-
    wait "$out_tee" "$err_tee"
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

# SSH, when the dev machine enables it (the platform mounts the keys from its Secret): the image's
# sshd as this container's user, letting in only those keys. The pod ends with it, as with an IDE.
if [[ -n "${AIPLAT_SSH_DIR:-}" ]]; then
  sshd="${AIPLAT_SSHD:-/usr/sbin/sshd}"
  if [[ ! -x "$sshd" ]]; then
    reason="SSH is enabled, but the image has no $sshd: install openssh-server in the image (apt-get install -y openssh-server)"
    # The termination message: the platform reports it at once (a restart would only fail again).
    printf 'aiplat-devmachine: %s' "$reason" >"${AIPLAT_TERMINATION_LOG:-/dev/termination-log}" 2>/dev/null
    fail "$reason"
  fi
  ssh_run="$(mktemp -d)"
  # sshd refuses a host key others may read, and a mounted Secret's files cannot be chmod-ed.
  install -m 600 "${AIPLAT_SSH_HOST_KEY:-$AIPLAT_SSH_DIR/ssh_host_ed25519_key}" "$ssh_run/host_key"
  ssh_env=("AIPLAT_DEVMACHINE_ID=$AIPLAT_DEVMACHINE_ID" "PATH=$PATH")
  for name in AIPLAT_SERVER AIPLAT_TOKEN; do [[ -n "${!name:-}" ]] && ssh_env+=("$name=${!name}"); done
  cat >"$ssh_run/sshd_config" <<EOF
Port ${AIPLAT_SSH_PORT:-22}
${AIPLAT_SSH_LISTEN:+ListenAddress $AIPLAT_SSH_LISTEN}
HostKey $ssh_run/host_key
AuthorizedKeysFile $AIPLAT_SSH_DIR/authorized_keys
PidFile $ssh_run/sshd.pid
AllowUsers $(id -un)
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
SetEnv $(printf '"%s" ' "${ssh_env[@]}")
EOF
  # As root, sshd wants its privilege separation folder (the image's service scripts make it).
  [[ "$(id -u)" == 0 ]] && mkdir -p /run/sshd
  "$sshd" -t -f "$ssh_run/sshd_config" || fail "sshd refused its configuration ($ssh_run/sshd_config)"
  "$sshd" -D -e -f "$ssh_run/sshd_config" &
  pids+=("$!")
  echo "aiplat-devmachine: sshd listens on port ${AIPLAT_SSH_PORT:-22}"
fi

started=0
if [[ ",$ides," == *",jupyterlab,"* ]]; then
  [[ -n "${AIPLAT_IDE_TOKEN:-}" ]] || fail "AIPLAT_IDE_TOKEN is not set (JupyterLab's token, from the dev machine's Secret)"
  # The token from the environment: never on a command line, where ps shows it. allow_hidden: the
  # catalog's versions are under home/.catalog, which the file browser must open.
  cat >"${TMPDIR:-/tmp}/aiplat_jupyter_config.py" <<'PY'
import os
c.ServerApp.token = os.environ["AIPLAT_IDE_TOKEN"]
PY
  "${jupyter[@]}" --config="${TMPDIR:-/tmp}/aiplat_jupyter_config.py" \
    "${lab_listen[@]}" --ServerApp.base_url="${base}lab/" \
    --ServerApp.root_dir="${AIPLAT_WORK_ROOT:-/work}" --ServerApp.preferred_dir="$folder" --ServerApp.open_browser=False \
    --ServerApp.allow_root=True --ServerApp.allow_remote_access=True --ContentsManager.allow_hidden=True &
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
