import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** backend/dataplane/: the data plane's Lua, beside src/ and dist/. */
export const DATA_PLANE_LUA_DIR = fileURLToPath(new URL('../../../dataplane/', import.meta.url));

/** Debian's nginx Lua module (libnginx-mod-http-lua, with the NDK it needs). */
export const LUA_MODULES = [
  '/usr/lib/nginx/modules/ndk_http_module.so',
  '/usr/lib/nginx/modules/ngx_http_lua_module.so',
];
/** Debian's lua-cjson, built for the LuaJIT that Debian's nginx Lua module embeds (per architecture). */
export const CJSON_DIR = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/lua/5.1`;

/** The Debian packages the data plane needs that this machine lacks (empty: none). */
export function dataPlaneMissing(nginx = 'nginx'): string[] {
  const found = spawnSync(nginx, ['-v'], { stdio: 'ignore' });
  return [
    ...(found.error || found.status !== 0 ? ['nginx'] : []),
    ...(LUA_MODULES.every((module) => existsSync(module)) ? [] : ['libnginx-mod-http-lua']),
    ...(existsSync(path.join(CJSON_DIR, 'cjson.so')) ? [] : ['lua-cjson']),
  ];
}

export interface NginxConfigOptions {
  /** Where the platform's callers connect (the platform's host and port). */
  host: string;
  port: number;
  /** The backend's own listener, which the data plane forwards everything else to. */
  backendSocket: string;
  /** The control server's socket: the backend pushes state and pulls counts through it. */
  controlSocket: string;
  /** nginx's own files: pid, error log, temp folders. */
  dir: string;
  /** nginx started as root would run its worker as nobody, which could not reach the backend's socket. */
  runAsRoot: boolean;
  /** How long a stopping nginx lets calls in flight finish. */
  shutdownGraceMs: number;
  /** The backend's process: nginx stops when it is gone. */
  backendPid: number;
}

/** nginx's temp folders, in `dir` (its defaults are under /var/lib/nginx, root's). */
export function nginxTempPaths(dir: string): string {
  return `client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`;
}

/** How the data plane proxies to the backend: everything streams both ways, WebSockets too. */
const TO_BACKEND = `proxy_pass http://aiplat_backend;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $aiplat_connection;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 1d;
      proxy_send_timeout 1d;
      proxy_redirect off;`;

/** As Node.js listens: `::` takes IPv4 too (nginx's default there is IPv6 only). */
function listenAddress(host: string, port: number): string {
  if (host === '::') return `[::]:${port} ipv6only=off`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * nginx in front of the backend on the platform's port: `/services/` calls it can serve are
 * served by serviceGateway.lua (its control server: serviceGatewayControl.lua); everything else (the API, the IDEs, the calls it hands over) goes
 * to the backend's socket unchanged.
 */
export function nginxConfig(options: NginxConfigOptions): string {
  const { dir } = options;
  return `${LUA_MODULES.map((module) => `load_module ${module};`).join('\n')}
${options.runAsRoot ? 'user root root;\n' : ''}worker_processes 1;
worker_shutdown_timeout ${Math.max(1, Math.ceil(options.shutdownGraceMs / 1000))}s;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  server_tokens off;
  ${nginxTempPaths(dir)}
  client_max_body_size 0;
  large_client_header_buffers 4 32k;
  proxy_http_version 1.1;
  lua_package_path "${DATA_PLANE_LUA_DIR}?.lua;;";
  lua_package_cpath "${CJSON_DIR}/?.so;;";
  init_by_lua_block {
    aiplat = require "serviceGateway"
    aiplat_control = require "serviceGatewayControl"
  }
  init_worker_by_lua_block {
    aiplat_control.watch_backend(${options.backendPid}, "${dir}/nginx.pid")
    aiplat_control.sweep_replays()
  }
  map $http_upgrade $aiplat_connection { default upgrade; "" ""; }
  # calls only the backend's gateway takes: WebSockets, browser calls, chunked bodies, cookies
  map "$http_upgrade$http_origin$http_transfer_encoding$http_cookie" $aiplat_backend_only { default 1; "" ""; }
  upstream aiplat_replicas {
    server 0.0.0.1;
    balancer_by_lua_block { aiplat.balance() }
    keepalive 256;
    # below the idle time servers commonly keep a connection (uvicorn 5 s): nginx drops it first
    keepalive_timeout 4s;
  }
  upstream aiplat_backend {
    server unix:${options.backendSocket};
    keepalive 64;
    # below Node.js's keepAliveTimeout (5 s): a request never meets a connection the backend just closed
    keepalive_timeout 4s;
  }
  server {
    listen ${listenAddress(options.host, options.port)};
    location /services/ {
      set $aiplat_rest "";
      set $aiplat_host "";
      access_by_lua_block { aiplat.access() }
      header_filter_by_lua_block { aiplat.header() }
      body_filter_by_lua_block { aiplat.body() }
      log_by_lua_block { aiplat.log() }
      proxy_pass http://aiplat_replicas$aiplat_rest;
      proxy_set_header Connection "";
      proxy_set_header Host $aiplat_host;
      proxy_set_header AppKey "";
      proxy_set_header Timestamp "";
      proxy_set_header Sign "";
      proxy_set_header Authorization "";
      proxy_set_header Proxy-Authorization "";
      proxy_set_header Proxy-Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_pass_header Server;
      proxy_pass_header Date;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_next_upstream error;
    }
    location @backend {
      ${TO_BACKEND}
    }
    location / {
      ${TO_BACKEND}
    }
  }
  server {
    listen unix:${options.controlSocket};
    client_body_buffer_size 16m;
    client_max_body_size 64m;
    location = /state { content_by_lua_block { aiplat_control.put_state() } }
    location = /revision { content_by_lua_block { aiplat_control.get_revision() } }
    location = /traffic { content_by_lua_block { aiplat_control.take_traffic() } }
    location = /replay { content_by_lua_block { aiplat_control.replay() } }
    location = /admit { content_by_lua_block { aiplat_control.admit() } }
    location = /done { content_by_lua_block { aiplat_control.done() } }
  }
}
`;
}
