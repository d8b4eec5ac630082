#!/usr/bin/env bash
# Makes Podman run containers on this host (see docs/operator-guide: Containers): runc (crun rejects
# hybrid cgroups), cgroupfs, file events and default ulimits within the host's hard limits. As root it
# writes a containers.conf drop-in; otherwise it says what to put there and fails.
set -euo pipefail
dropin=/etc/containers/containers.conf.d/50-aiplat.conf
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
[ "$nproc" = unlimited ] && nproc=1048576
# More processes than pid_max cannot exist, and some kernels refuse an nproc limit above it.
pid_max=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo "$nproc")
[ "$nproc" -gt "$pid_max" ] && nproc=$pid_max
wanted="# Written by aiplat's scripts/configure-podman.sh
[containers]
default_ulimits = [\"nofile=${nofile}:${nofile}\", \"nproc=${nproc}:${nproc}\"]
[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\""
if ! command -v podman >/dev/null; then
  echo "podman is not installed: install podman and runc (scripts/ensure-system-deps.sh does as root)" >&2
  exit 1
fi
if [ -f "$dropin" ] && [ "$(cat "$dropin")" = "$wanted" ]; then
  echo "podman: configured"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  printf 'podman is not configured for this host: put this in %s (as root):\n%s\n' "$dropin" "$wanted" >&2
  exit 1
fi
mkdir -p "$(dirname "$dropin")"
printf '%s\n' "$wanted" > "$dropin"
echo "podman: configured ($dropin)"
