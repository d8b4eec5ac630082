-- The services gateway's data plane, in nginx (one worker, Debian's libnginx-mod-http-lua). The
-- backend pushes the services it may serve here (serving, with a ready replica, taking AppKeys or
-- anyone rather than bearer tokens, no own domain) and the AppKeys; their calls signed with an
-- AppKey, or of services open to anyone, are checked, limited, balanced and counted here.
-- Everything else goes to the backend's gateway (@backend), which does it all: bearer tokens, the
-- owner's session, WebSockets, browser calls (CORS), chunked bodies, waking a sleeping service.
-- Both share one replay cache and one admission per service: the backend asks this one (the
-- control server's /replay, /admit and /done, in serviceGatewayControl.lua).
local cjson = require "cjson.safe"
local S = require "gatewayState"
local signature = require "appKeySignature"
local replays = require "replayWindow"
local ngx_balancer = require "ngx.balancer"

local ngx, find, sub, byte, format, floor, ceil, log, lower = ngx, string.find, string.sub, string.byte,
  string.format, math.floor, math.ceil, math.log, string.lower

local M = {}

-- Calls in flight per replica key, and each service's turn
local replica_load = {}
local turns = {}

local BINS = 80
local LOG_STEP = log(1.2)
local PREFIX = "/services/"
local PREFIX_LEN = #PREFIX
local now_ms, reply, refusal_body = S.now_ms, S.reply, S.refusal_body

local function refuse(status, err, message, reason, retry_after)
  ngx.ctx.refused = status
  return reply(status, refusal_body(err, message, reason), retry_after)
end

-- A refusal of a call whose body is not read: written on the raw connection, which is then closed
-- (nginx would otherwise read the whole body to keep the connection)
local function refuse_and_close(status, reason_phrase, err, message)
  ngx.ctx.refused = status
  local body = refusal_body(err, message)
  local sock = ngx.req.socket(true)
  if sock then
    sock:send(format("HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\n" ..
      "Cache-Control: no-store\r\nConnection: close\r\n\r\n%s", status, reason_phrase, #body, body))
  end
  return ngx.exit(ngx.HTTP_CLOSE)
end

local function tally_of(name, version, replica)
  local per_service = S.traffic[name]
  if not per_service then per_service = {}; S.traffic[name] = per_service end
  local key = version * 100000 + replica + 1
  local t = per_service[key]
  if not t then
    t = { version = version, replica = replica, statuses = {}, bins = {}, throttled = 0, tokens = 0, ttft = {} }
    per_service[key] = t
  end
  return t
end

-- The backend's TrafficMetrics bins: 0.1 ms × 1.2^i, 80 of them
local function bin_of(ms)
  if ms <= 0.1 then return 0 end
  local b = ceil(log(ms / 0.1) / LOG_STEP)
  if b > BINS - 1 then return BINS - 1 end
  return b
end

-- nil when the signature lets the call in, else reason and message (the backend gateway's words)
local function verify_app_key(app_key, name, now)
  local key = S.app_keys[app_key]
  if not key then return "unknown_app_key", "no AppKey " .. sub(app_key, 1, 40) end
  if not key.enabled then return "app_key_disabled", "AppKey " .. app_key .. " is disabled" end
  if not key.services[name] then return "app_key_not_bound", "AppKey " .. app_key .. " may not call " .. name end
  local timestamp = ngx.var.http_timestamp
  if not timestamp or #timestamp > 16 or not find(timestamp, "^%d+$") then
    return "bad_timestamp", "Timestamp must be Unix epoch milliseconds, e.g. 1733400000000"
  end
  local signed_at = tonumber(timestamp)
  if math.abs(now - signed_at) > S.window_ms then
    return "stale_timestamp", format("Timestamp is more than %d s from the server's clock; sign again with the current time",
      floor(S.window_ms / 1000 + 0.5))
  end
  if not signature.matches(key.signature, app_key, timestamp, ngx.var.http_sign or "") then
    return "bad_signature", "Sign does not match: HMAC-SHA1(AppSecret, AppKey + AppSecret + Timestamp), lowercase hex"
  end
  if not replays.first_use(app_key, signed_at, now, S.window_ms) then
    return "replayed_signature", "this signature was already used; sign each call with a new Timestamp"
  end
  S.used_keys[app_key] = now
  return nil
end

-- The least-loaded ready replica, taking turns among equals, skipping those this call tried
local function pick(name, ready, tried)
  local n = #ready
  if n == 1 then
    -- the common case, without a loop that would run once (a loop LuaJIT starts a trace in and
    -- leaves at once aborts the trace)
    local only = ready[1]
    if tried and tried[only.key] then return nil end
    return only
  end
  local turn = ((turns[name] or 0) + 1) % n
  turns[name] = turn
  local best, best_load = nil, math.huge
  for i = 0, n - 1 do
    local replica = ready[(turn + i) % n + 1]
    if not (tried and tried[replica.key]) then
      local load = replica_load[replica.key] or 0
      if load < best_load then best, best_load = replica, load end
    end
  end
  return best
end

local function release_replica(ctx)
  local replica = ctx.replica
  if replica then
    replica_load[replica.key] = (replica_load[replica.key] or 1) - 1
    ctx.replica = nil
  end
end

local function backend()
  return ngx.exec("@backend")
end

function M.access()
  local var = ngx.var
  local own_hosts = S.own_hosts
  if own_hosts and own_hosts[var.host] then return backend() end
  local uri = var.request_uri
  local slash = find(uri, "[/?]", PREFIX_LEN + 1)
  local name, rest
  if slash then
    name = sub(uri, PREFIX_LEN + 1, slash - 1)
    rest = sub(uri, slash)
    if byte(rest, 1) ~= 47 then rest = "/" .. rest end
  else
    name, rest = sub(uri, PREFIX_LEN + 1), "/"
  end
  local svc = S.services[name]
  -- What only the backend does: other services, and ($aiplat_backend_only) WebSockets, browser
  -- calls, chunked bodies, cookies (the owner's session, and the platform's cookie kept from replicas)
  if not svc or var.aiplat_backend_only ~= "" then return backend() end
  local now = now_ms()
  if not svc.anyone then
    local app_key = svc.appkey and var.http_appkey
    -- bearer tokens, the owner's platform token, or no credentials (an empty AppKey is none, as
    -- for the backend): the backend's to answer
    if not app_key or app_key == "" then return backend() end
    local reason, message = verify_app_key(app_key, name, now)
    if reason then
      local ctx = ngx.ctx
      ctx.name, ctx.svc = name, svc
      return refuse(401, "unauthorized", message, reason)
    end
  end
  local ctx = ngx.ctx
  ctx.name, ctx.svc = name, svc
  S.active[name] = true
  local declared = tonumber(var.http_content_length or 0) or 0
  if declared > svc.max_body then
    return refuse_and_close(413, "Payload Too Large", "payload_too_large",
      format("the body is %d bytes; %s takes at most %d", declared, name, svc.max_body))
  end
  local wait = S.admit(name, svc, now)
  if wait then
    return refuse(429, "too_many_requests", format(
      "%s is at its limit (%s requests/s and %s at once per ready replica, %d ready)",
      name, svc.qps_text, svc.concurrency_text, #svc.ready), nil, wait)
  end
  ctx.admitted = true
  local replica = pick(name, svc.ready)
  ctx.replica = replica
  replica_load[replica.key] = (replica_load[replica.key] or 0) + 1
  var.aiplat_rest = rest
  var.aiplat_host = replica.address
end

function M.balance()
  local ctx = ngx.ctx
  local svc = ctx.svc
  local replica = ctx.replica
  local state = ngx_balancer.get_last_failure()
  if state then
    -- a retry (proxy_next_upstream): a refused connection, or a break before the answer of a call
    -- whose body was not sent yet
    local tried = ctx.tried or {}
    ctx.tried = tried
    tried[ctx.last.key] = true
    release_replica(ctx)
    replica = pick(ctx.name, svc.ready, tried)
    if not replica then return ngx.exit(502) end
    ctx.replica = replica
    replica_load[replica.key] = (replica_load[replica.key] or 0) + 1
  else
    ngx_balancer.set_more_tries(#svc.ready - 1)
    local t = svc.timeout_s
    ngx_balancer.set_timeouts(t, t, t)
  end
  ctx.last = replica
  local ok, err = ngx_balancer.set_current_peer(replica.host, replica.port)
  if not ok then
    ngx.log(ngx.ERR, "aiplat: ", err)
    return ngx.exit(502)
  end
end

-- nginx's own 502/504 (no replica answered) as the backend gateway's JSON
local function failed_body(ctx, status)
  if status == 504 then
    return refusal_body("gateway_timeout",
      format("the replica did not answer within %d s (limits.upstreamTimeoutSeconds)", floor(ctx.svc.timeout_s + 0.5)))
  end
  return refusal_body("bad_gateway", "no replica of " .. ctx.name .. " answered")
end

function M.header()
  local ctx = ngx.ctx
  if not ctx.last then return end
  local var = ngx.var
  local status = ngx.status
  if (status == 502 or status == 504) and var.upstream_header_time == "-" or
    (status == 502 or status == 504) and not var.upstream_http_content_type and not var.upstream_http_content_length
    and not var.upstream_http_transfer_encoding then
    -- nginx's own error page: no replica answered
    local body = failed_body(ctx, status)
    ctx.failed = body
    ngx.header["Content-Type"] = "application/json; charset=utf-8"
    ngx.header["Content-Length"] = #body
    ngx.header["Cache-Control"] = "no-store"
    return
  end
  if not var.upstream_http_content_length then ctx.streamed = true end
  local t = var.upstream_http_content_type
  if t then
    t = lower(t)
    if find(t, "text/event-stream", 1, true) then ctx.tap = "sse"; ctx.pending = ""
    elseif find(t, "json", 1, true) then ctx.tap = "json"; ctx.parts = {}; ctx.bytes = 0 end
  end
end

local function usage_tokens(value)
  local usage = type(value) == "table" and value.usage
  if type(usage) ~= "table" then return nil end
  if type(usage.total_tokens) == "number" then return usage.total_tokens end
  local p = type(usage.prompt_tokens) == "number" and usage.prompt_tokens or 0
  local c = type(usage.completion_tokens) == "number" and usage.completion_tokens or 0
  local sum = p + c
  if sum == 0 then return nil end
  return sum
end

local function sse_line(ctx, line)
  if sub(line, 1, 5) ~= "data:" or not find(line, "usage", 1, true) then return end
  local tokens = usage_tokens(cjson.decode(sub(line, 6)))
  if tokens then ctx.tokens = tokens end
end

local MAX_TAPPED = 1048576

function M.body()
  local ctx = ngx.ctx
  local failed = ctx.failed
  if failed then
    if ngx.arg[2] then ngx.arg[1] = failed else ngx.arg[1] = nil end
    return
  end
  if not ctx.tap and not ctx.streamed then return end
  local chunk, eof = ngx.arg[1], ngx.arg[2]
  if ctx.streamed and not ctx.first_byte_at and #chunk > 0 then ctx.first_byte_at = ngx.now() end
  local tap = ctx.tap
  if not tap then return end
  if tap == "sse" then
    local pending = ctx.pending .. chunk
    local from = 1
    while true do
      local nl = find(pending, "\n", from, true)
      if not nl then break end
      sse_line(ctx, sub(pending, from, nl - 1))
      from = nl + 1
    end
    pending = sub(pending, from)
    if #pending > MAX_TAPPED then pending = "" end
    if eof and #pending > 0 then sse_line(ctx, pending); pending = "" end
    ctx.pending = pending
  elseif eof and ctx.bytes == 0 then
    if find(chunk, '"usage"', 1, true) then ctx.tokens = usage_tokens(cjson.decode(chunk)) end
  elseif ctx.bytes < MAX_TAPPED then
    if #chunk > 0 then
      ctx.parts[#ctx.parts + 1] = chunk
      ctx.bytes = ctx.bytes + #chunk
    end
    if eof and ctx.bytes < MAX_TAPPED then
      local body = table.concat(ctx.parts)
      if find(body, '"usage"', 1, true) then ctx.tokens = usage_tokens(cjson.decode(body)) end
    end
  end
end

-- Every call of a service handled here, counted as the backend's TrafficMetrics counts them
function M.log()
  local ctx = ngx.ctx
  local name = ctx.name
  if not name then return end
  local svc = ctx.svc
  if ctx.admitted then S.release_admission(name) end
  release_replica(ctx)
  local refused = ctx.refused
  local status = refused or ngx.status
  local t
  if refused then
    local serving = svc.ready[1]
    t = tally_of(name, serving and serving.version or 0, -1)
    if refused == 429 then t.throttled = t.throttled + 1 end
  else
    -- 499: the caller went away before the answer
    if status == 0 then status = 499 end
    local counted = ctx.last
    t = tally_of(name, counted and counted.version or 0, counted and counted.index or -1)
  end
  t.statuses[status] = (t.statuses[status] or 0) + 1
  local started = ngx.req.start_time()
  local now = ngx.now()
  local b = bin_of((now - started) * 1000)
  t.bins[b] = (t.bins[b] or 0) + 1
  if ctx.tokens then t.tokens = t.tokens + ctx.tokens end
  if ctx.first_byte_at then
    local fb = bin_of((ctx.first_byte_at - started) * 1000)
    t.ttft[fb] = (t.ttft[fb] or 0) + 1
  end
end

return M
