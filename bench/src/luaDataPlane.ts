import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort, nginxMain, nginxTempPaths, startNginx } from './nginxProxy.js';

const LUA_DIR = fileURLToPath(new URL('../lua/', import.meta.url));
const MODULES = ['/usr/lib/nginx/modules/ndk_http_module.so', '/usr/lib/nginx/modules/ngx_http_lua_module.so'];
/** Debian's lua-cjson, for the LuaJIT that Debian's nginx Lua module embeds. */
const CJSON = '/usr/lib/x86_64-linux-gnu/lua/5.1/cjson.so';

/** Whether this machine has what the reference data plane needs, else the Debian packages to install. */
export function luaDataPlaneMissing(): string | undefined {
  const missing = [
    ...(MODULES.every((module) => existsSync(module)) ? [] : ['libnginx-mod-http-lua']),
    ...(existsSync(CJSON) ? [] : ['lua-cjson']),
  ];
  return missing.length ? missing.join(' ') : undefined;
}

export interface DataPlaneService {
  name: string;
  upstreamPort: number;
  appKey: string;
  appSecret: string;
  windowMs: number;
  qpsPerReplica: number;
  concurrencyPerReplica: number;
  maxBodyBytes: number;
}

/**
 * The gateway's per-call work as an nginx + Lua data plane would do it (bench/lua/gatewayDataPlane.lua),
 * one worker as the gateway is one process, for AppKey calls of one service with one replica.
 */
export async function luaDataPlane(
  dir: string,
  service: DataPlaneService,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freeLoopbackPort();
  const own = path.join(dir, 'lua-data-plane');
  mkdirSync(own);
  const state = JSON.stringify({
    windowMs: service.windowMs,
    services: {
      [service.name]: {
        anyone: false,
        ready: [{ key: '1/0', version: 1, index: 0, host: '127.0.0.1', port: service.upstreamPort }],
        qps: service.qpsPerReplica,
        concurrency: service.concurrencyPerReplica,
        maxBodyBytes: service.maxBodyBytes,
        timeoutMs: 30_000,
      },
    },
    appKeys: { [service.appKey]: { secret: service.appSecret, enabled: true, services: [service.name] } },
  });
  const conf = `${nginxMain(own, 1, MODULES)}http {
  access_log off;
  ${nginxTempPaths(own)}
  lua_package_path "${LUA_DIR}?.lua;;";
  lua_package_cpath "${path.dirname(CJSON)}/?.so;;";
  lua_shared_dict aiplat_replays 64m;
  init_by_lua_block {
    gateway = require "gatewayDataPlane"
    gateway.configure([==[${state}]==])
  }
  upstream aiplat_replicas {
    server 0.0.0.1;
    balancer_by_lua_block { gateway.balance() }
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location /services/ {
      set $aiplat_rest "";
      set $aiplat_host "";
      access_by_lua_block { gateway.access() }
      header_filter_by_lua_block { gateway.header() }
      body_filter_by_lua_block { gateway.body() }
      log_by_lua_block { gateway.log() }
      proxy_pass http://aiplat_replicas$aiplat_rest;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $aiplat_host;
      proxy_set_header AppKey "";
      proxy_set_header Timestamp "";
      proxy_set_header Sign "";
      proxy_set_header Authorization "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_next_upstream error;
      client_max_body_size 0;
    }
    # What the reference does not handle would go to the backend's gateway; there is none here.
    location @backend { return 404; }
  }
}
`;
  const probeHeaders = () => {
    const timestamp = String(Date.now());
    const sign = createHmac('sha1', service.appSecret)
      .update(`${service.appKey}${service.appSecret}${timestamp}`)
      .digest('hex');
    return { AppKey: service.appKey, Timestamp: timestamp, Sign: sign };
  };
  const child = await startNginx(own, conf, `http://127.0.0.1:${port}/services/${service.name}/`, probeHeaders);
  return { child, port };
}
