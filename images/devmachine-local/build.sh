#!/usr/bin/env bash
# Builds the local engine's dev machine base image offline: a Debian rootfs from mmdebstrap (only
# Debian's mirror is needed), the platform's Node runtime and snapshot agent (save as image), and —
# unless --minimal — JupyterLab and code-server with both AI Platform extensions from this repo.
# Imports it into Podman and, with --push, pushes it to the registry.
#
#   images/devmachine-local/build.sh --tag 127.0.0.1:5000/aiplat/devmachine:1 [--minimal | --no-code-server] [--push]
#       [--tls-verify=false] [--authfile ~/.docker/config.json] [--suite bookworm]
#
# Run `npm run build` first (the agent bundle and the IDE builds it copies). Needs root (mmdebstrap
# and rootful Podman; see scripts/configure-podman.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tag='' minimal=0 code_server=1 push=0 tls_verify=true authfile='' suite=bookworm
for arg in "$@"; do
  case "$arg" in
    --tag=*) tag="${arg#--tag=}" ;;
    --minimal) minimal=1 ;;
    --no-code-server) code_server=0 ;;
    --push) push=1 ;;
    --tls-verify=*) tls_verify="${arg#--tls-verify=}" ;;
    --authfile=*) authfile="${arg#--authfile=}" ;;
    --suite=*) suite="${arg#--suite=}" ;;
    *) echo "unknown option $arg (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
[ -n "$tag" ] || { echo "--tag=REGISTRY/REPO:TAG is required" >&2; exit 2; }
agent="$root/backend/dist/snapshot-agent.cjs"
[ -f "$agent" ] || { echo "no $agent: run npm run build first" >&2; exit 1; }
node_bin="$(readlink -f "$(command -v node)")"
for tool in mmdebstrap podman; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (scripts/ensure-system-deps.sh installs it)" >&2; exit 1; }
done

packages=ca-certificates,bash,procps
if [ "$minimal" = 0 ]; then
  packages="$packages,git,openssh-client,openssh-server,python3,python3-venv,python3-pip,python3-jupyter-server,python3-jupyterlab-server,python3-ipykernel"
  needed=("$root/jupyterlab-host/build/static" "$root/jupyterlab-ext/dist")
  [ "$code_server" = 1 ] && needed+=("$root/node_modules/code-server/out/node/entry.js")
  for built in "${needed[@]}"; do
    [ -e "$built" ] || { echo "no $built: run npm ci && npm run build first (or --minimal)" >&2; exit 1; }
  done
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Everything the platform adds lives under /opt/aiplat; customize hooks get the rootfs as $1.
hooks=(
  --customize-hook="mkdir -p \"\$1/opt/aiplat/bin\""
  --customize-hook="cp '$node_bin' \"\$1/opt/aiplat/bin/node\""
  --customize-hook="cp '$agent' \"\$1/opt/aiplat/snapshot-agent.cjs\""
  --customize-hook="printf '#!/bin/sh\nexec /opt/aiplat/bin/node /opt/aiplat/snapshot-agent.cjs \"\$@\"\n' > \"\$1/opt/aiplat/bin/aiplat-snapshot\" && chmod 755 \"\$1/opt/aiplat/bin/aiplat-snapshot\""
  # The entrypoint the Kubernetes image runs too (images/devmachine), and the jobs' entry wrapper.
  --customize-hook="install -m 755 '$root/images/devmachine/entrypoint.sh' \"\$1/usr/local/bin/aiplat-devmachine\""
  --customize-hook="install -m 755 '$root/images/entry/entry.sh' \"\$1/opt/aiplat/entry.sh\""
)
if [ "$minimal" = 0 ]; then
  wheel="$(ls "$root"/jupyterlab-ext/dist/aiplat_jupyterlab_ext-*.whl | head -1)"
  hooks+=(
    --customize-hook="mkdir -p \"\$1/opt/aiplat/jupyterlab-host/build\" && cp -r '$root/jupyterlab-host/serve.py' '$root/jupyterlab-host/templates' \"\$1/opt/aiplat/jupyterlab-host/\" && cp -r '$root/jupyterlab-host/build/static' '$root/jupyterlab-host/build/schemas' '$root/jupyterlab-host/build/themes' \"\$1/opt/aiplat/jupyterlab-host/build/\""
    --customize-hook="chroot \"\$1\" python3 -m venv --system-site-packages /opt/aiplat/venv"
    --customize-hook="cp '$wheel' \"\$1/tmp/\" && chroot \"\$1\" /opt/aiplat/venv/bin/pip install --no-index --no-deps /tmp/$(basename "$wheel") && rm \"\$1/tmp/$(basename "$wheel")\""
    # Bytecode now rather than at the first run: Python would write __pycache__ into the container,
    # and every save of a dev machine would carry it as a change.
    --customize-hook="chroot \"\$1\" /opt/aiplat/venv/bin/python -m compileall -q /opt/aiplat/venv/lib"
  )
fi
if [ "$minimal" = 0 ] && [ "$code_server" = 1 ]; then
  vsix="$work/aiplat-vscode.vsix"
  node "$root/vscode-ext/scripts/package.mjs" --out "$vsix" >/dev/null
  # code-server with the dependencies npm hoisted out of it, put back beside it.
  mkdir -p "$work/code-server-deps"
  node "$root/images/devmachine-local/code-server-deps.mjs" "$root" | while read -r dep; do
    rel="${dep#"$root/node_modules/"}"
    mkdir -p "$work/code-server-deps/$(dirname "$rel")"
    cp -r "$dep" "$work/code-server-deps/$rel"
  done
  hooks+=(
    --customize-hook="cp -r '$root/node_modules/code-server' \"\$1/opt/aiplat/code-server\" && mkdir -p \"\$1/opt/aiplat/code-server/node_modules\" && cp -r '$work/code-server-deps/.' \"\$1/opt/aiplat/code-server/node_modules/\""
    --customize-hook="printf '#!/bin/sh\nexec /opt/aiplat/bin/node /opt/aiplat/code-server/out/node/entry.js \"\$@\"\n' > \"\$1/opt/aiplat/bin/code-server\" && chmod 755 \"\$1/opt/aiplat/bin/code-server\""
    --customize-hook="cp '$vsix' \"\$1/tmp/aiplat-vscode.vsix\" && chroot \"\$1\" /opt/aiplat/bin/code-server --extensions-dir /opt/aiplat/code-server-extensions --install-extension /tmp/aiplat-vscode.vsix && rm \"\$1/tmp/aiplat-vscode.vsix\" && chmod -R a+rX \"\$1/opt/aiplat/code-server-extensions\""
  )
fi
echo "building the rootfs (mmdebstrap $suite, minimal=$minimal)"
mmdebstrap --variant=minbase --include="$packages" "${hooks[@]}" "$suite" "$work/rootfs.tar"

echo "importing $tag"
podman import \
  --change 'ENV PATH=/opt/aiplat/bin:/opt/aiplat/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV AIPLAT_SNAPSHOT_AGENT=/opt/aiplat/bin/aiplat-snapshot' \
  --change 'ENV AIPLAT_JUPYTER="/opt/aiplat/venv/bin/python /opt/aiplat/jupyterlab-host/serve.py"' \
  --change 'ENV AIPLAT_CODE_SERVER=/opt/aiplat/bin/code-server' \
  --change 'ENV AIPLAT_CODE_EXTENSIONS=/opt/aiplat/code-server-extensions' \
  --change 'CMD ["/bin/bash"]' \
  --message "aiplat dev machine base (minimal=$minimal, $suite)" \
  "$work/rootfs.tar" "$tag"
if [ "$push" = 1 ]; then
  echo "pushing $tag"
  podman push --tls-verify="$tls_verify" ${authfile:+--authfile="$authfile"} "$tag"
fi
echo "built $tag"
