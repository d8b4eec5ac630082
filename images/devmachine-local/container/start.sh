#!/bin/sh
# The entrypoint of a dev machine's container on the local engine (mounted read-only at
# /opt/aiplat/host): reads this start's settings, records the snapshot baseline at the container's
# first start (before the IDEs write anything, so "save as image" stores exactly what its owner
# changed), waits while the platform runs the lifecycle scripts, then runs the IDEs with the
# entrypoint the Kubernetes pods run.
set -eu
if [ -n "${AIPLAT_START_ENV:-}" ]; then
  [ -r "$AIPLAT_START_ENV" ] || { echo "aiplat: $AIPLAT_START_ENV is missing (the platform writes it at each start)" >&2; exit 2; }
  . "$AIPLAT_START_ENV"
fi
agent=/opt/aiplat/bin/aiplat-snapshot
baseline=/var/lib/aiplat/snapshot-baseline.ndjson.gz
if [ -x "$agent" ] && [ ! -f "$baseline" ]; then
  echo "aiplat: first start: recording the snapshot baseline"
  if ! "$agent" baseline --baseline "$baseline" >/dev/null; then
    echo "aiplat: could not record the snapshot baseline: this dev machine cannot be saved as an image" >&2
  fi
fi
# With lifecycle scripts, the platform runs them now (as root, through the runtime's exec), and says
# when the IDEs may start by making the gate file; it stops the container if a script fails.
if [ -n "${AIPLAT_LIFECYCLE_GATE:-}" ]; then
  : >"$AIPLAT_LIFECYCLE_GATE.ready"
  echo "aiplat: waiting for the lifecycle scripts"
  while [ ! -e "$AIPLAT_LIFECYCLE_GATE" ]; do sleep 0.2; done
fi
exec bash /opt/aiplat/host/aiplat-devmachine
