#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real, when missing. As root it uses apt-get;
# otherwise it says what to install and fails, rather than letting tests fail obscurely later.
# With arguments, only those of the packages below (e.g. `ensure-system-deps.sh libkrb5-dev`).
set -euo pipefail
# Debian package -> the check that says it is present
declare -A NEEDED=(
  [curl]='command -v curl'
  # Services: the gateway tests check 慧聚 signatures against openssl dgst -sha1 -hmac
  [openssl]='command -v openssl'
  [chromium]='command -v chromium'
  [python3-torch]='/usr/bin/python3 -c "import torch.distributed"'
  [openmpi-bin]='command -v mpirun'
  # The JupyterLab end-to-end tests' server (jupyterlab-host/serve.py) and its kernel
  [python3-jupyter-server]='/usr/bin/python3 -c "import jupyter_server"'
  [python3-jupyterlab-server]='/usr/bin/python3 -c "import jupyterlab_server"'
  [python3-ipykernel]='/usr/bin/python3 -c "import ipykernel"'
  # The JupyterLab extension's wheel (jupyterlab-ext/scripts/build-wheel.mjs: python3 -m build
  # --no-isolation, offline) and its pip install into the e2e host's venv (install-extension.mjs)
  [python3-build]='/usr/bin/python3 -c "import build"'
  [python3-hatchling]='/usr/bin/python3 -c "import hatchling"'
  [python3-venv]='/usr/bin/python3 -c "import ensurepip"'
  [python3-pip]='/usr/bin/python3 -m pip --version'
  # Chinese glyphs in Chromium's screenshots of the zh-CN UI (5 MB)
  [fonts-wqy-microhei]='test -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc'
  # Kerberos headers: code-server's install (vscode-host/install.mjs) builds the kerberos module
  [libkrb5-dev]='test -e /usr/include/krb5.h'
  # Images: containers on the local engine (Podman's Docker-compatible API, with runc: crun fails on
  # hybrid cgroups), the registry the tests push to, and the independent checks of a saved image
  [podman]='command -v podman'
  [runc]='command -v runc'
  # The init process (PID 1) of containers run with init: true, which forwards signals and reaps orphans
  [catatonit]='test -x /usr/libexec/podman/catatonit'
  [docker-registry]='command -v docker-registry'
  [skopeo]='command -v skopeo'
  [umoci]='command -v umoci'
  [mmdebstrap]='command -v mmdebstrap'
  [busybox-static]='test -x /bin/busybox'
  # The registry tests' htpasswd basic auth: docker-registry accepts only bcrypt (htpasswd -B)
  [apache2-utils]='command -v htpasswd'
  # A registry behind nginx with a body size limit (a real 413), as many sites run theirs; also the
  # service gateway benchmark's reference proxy
  [nginx-light]='command -v nginx'
  # The services gateway's data plane (backend/dataplane/): nginx's Lua module and Lua's JSON
  [libnginx-mod-http-lua]='test -f /usr/lib/nginx/modules/ngx_http_lua_module.so'
  [lua-cjson]='ls /usr/lib/*-linux-gnu/lua/5.1/cjson.so'
  # Dev machines' SSH access: an sshd per machine on the local engine, tested with the real ssh client
  [openssh-server]='test -x /usr/sbin/sshd'
  [openssh-client]='command -v ssh'
  # The Kubernetes engine's tests against a real API server (testing/src/kubernetes/envtest/): etcd
  # beside the kube-apiserver unpacked from ../shared/envtest/kube-apiserver.xz with xz
  [etcd-server]='test -x /usr/bin/etcd'
  # etcdctl: the tests compact etcd's history to get a real 410 Gone on a watch
  [etcd-client]='command -v etcdctl'
  [xz-utils]='command -v xz'
)
missing=()
only=("$@")
for package in "${!NEEDED[@]}"; do
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $package "* ]]; then continue; fi
  bash -c "${NEEDED[$package]}" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} — install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
