-- For reference only (npm run bench:gateway): the services gateway's per-call work on an AppKey
-- call, written as an nginx + Lua data plane would do it (Debian's libnginx-mod-http-lua, one
-- worker), to measure what moving the gateway's data plane out of Node.js would give. It checks
-- the signature (constant-time, with a replay cache in a shared dict), applies the QPS and
-- concurrency limits, picks the least-loaded ready replica, reads the OpenAI usage of JSON and SSE
-- answers and counts each call per service, version, replica, status and latency bin as the
-- gateway's TrafficMetrics does. What a product would add is not per call: the backend pushing
-- services and keys, and pulling the counts. Requests it does not handle (no service, an Upgrade,
-- an Origin, a chunked body, a cookie, no AppKey) go to @backend.
local cjson = require "cjson.safe"
local ngx_balancer = require "ngx.balancer"
local bit = require "bit"

local ngx, find, sub, byte, format, floor, ceil, log, max = ngx, string.find, string.sub, string.byte,
  string.format, math.floor, math.ceil, math.log, math.max
local bxor, bor = bit.bxor, bit.bor

local M = {}

local services = {}
local app_keys = {}
local window_ms = 300000

-- Per service: { tokens, refilled_at, in_flight }
local admissions = {}
-- Calls in flight per replica key, and each service's turn
local replica_load = {}
local turns = {}
-- Counted calls since the last pull: traffic[service][version * 100000 + replica + 1] = tally
local traffic = {}
-- Each AppKey's last accepted call (its "last used")
local used_keys = {}

local BINS = 80
local LOG_STEP = log(1.2)

local function now_ms()
  return ngx.now() * 1000
end

local function reply(status, body, retry_after, close)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json; charset=utf-8"
  ngx.header["Cache-Control"] = "no-store"
  if retry_after then ngx.header["Retry-After"] = tostring(retry_after) end
  if close then ngx.header["Connection"] = "close" end
  ngx.header["Content-Length"] = #body
  ngx.print(body)
  return ngx.exit(status)
end

local function refusal(status, err, message, reason, retry_after, close)
  local body = reason and cjson.encode({ error = err, reason = reason, message = message })
    or cjson.encode({ error = err, message = message })
  ngx.ctx.refused = status
  return reply(status, body, retry_after, close)
end

local function tally_of(name, version, replica)
  local per_service = traffic[name]
  if not per_service then per_service = {}; traffic[name] = per_service end
  local key = version * 100000 + replica + 1
  local t = per_service[key]
  if not t then
    t = { version = version, replica = replica, statuses = {}, bins = {}, throttled = 0, tokens = 0, ttft = {} }
    per_service[key] = t
  end
  return t
end

local function bin_of(ms)
  if ms <= 0.1 then return 0 end
  local b = ceil(log(ms / 0.1) / LOG_STEP)
  if b > BINS - 1 then return BINS - 1 end
  return b
end

local function constant_time_equal(a, b)
  if #a ~= #b then return false end
  local diff = 0
  for i = 1, #a do diff = bor(diff, bxor(byte(a, i), byte(b, i))) end
  return diff == 0
end

local HEX = {}
for i = 0, 255 do HEX[i] = format("%02x", i) end
local hex_parts = {}
local function to_hex(s)
  for i = 1, #s do hex_parts[i] = HEX[byte(s, i)] end
  return table.concat(hex_parts, "", 1, #s)
end

local replay_dict = ngx.shared.aiplat_replays

-- true the first time a signature is seen inside the window (kept until its Timestamp leaves it)
local function first_use(key, now, signed_at)
  local ttl = (signed_at + window_ms - now) / 1000
  if ttl <= 0 then ttl = 0.001 end
  local ok, err = replay_dict:add(key, true, ttl)
  if ok then return true end
  return err ~= "exists"
end

-- nil when the signature lets the call in, else reason and message (the backend gateway's words)
local function verify_app_key(app_key, name, now)
  local key = app_keys[app_key]
  if not key then return "unknown_app_key", "no AppKey " .. sub(app_key, 1, 40) end
  if not key.enabled then return "app_key_disabled", "AppKey " .. app_key .. " is disabled" end
  if not key.services[name] then return "app_key_not_bound", "AppKey " .. app_key .. " may not call " .. name end
  local timestamp = ngx.var.http_timestamp
  if not timestamp or #timestamp > 16 or not find(timestamp, "^%d+$") then
    return "bad_timestamp", "Timestamp must be Unix epoch milliseconds, e.g. 1733400000000"
  end
  local signed_at = tonumber(timestamp)
  if math.abs(now - signed_at) > window_ms then
    return "stale_timestamp", format("Timestamp is more than %d s from the server's clock; sign again with the current time",
      floor(window_ms / 1000 + 0.5))
  end
  local mac = ngx.hmac_sha1(key.secret, app_key .. key.secret .. timestamp)
  local sign = ngx.var.http_sign or ""
  if not constant_time_equal(sign, to_hex(mac)) then
    return "bad_signature", "Sign does not match: HMAC-SHA1(AppSecret, AppKey + AppSecret + Timestamp), lowercase hex"
  end
  -- the MAC stands for (AppKey, Timestamp, Sign): the Sign is its hex
  if not first_use(mac, now, signed_at) then
    return "replayed_signature", "this signature was already used; sign each call with a new Timestamp"
  end
  used_keys[app_key] = now
  return nil
end

local function admit(name, svc, now)
  local a = admissions[name]
  local replicas = max(1, #svc.ready)
  local rate = svc.qps * replicas
  local burst = max(1, rate)
  if not a then a = { tokens = burst, at = now, in_flight = 0 }; admissions[name] = a
  else
    local tokens = a.tokens + ((now - a.at) / 1000) * rate
    a.tokens = tokens > burst and burst or tokens
    a.at = now
  end
  if a.in_flight >= svc.concurrency * replicas then return 1 end
  if a.tokens < 1 then return max(1, ceil((1 - a.tokens) / rate)) end
  a.tokens = a.tokens - 1
  a.in_flight = a.in_flight + 1
  return nil
end

local function pick(name, ready, tried)
  local n = #ready
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

function M.access()
  local uri = ngx.var.request_uri
  local slash = find(uri, "[/?]", 11)
  local name, rest
  if slash then
    name = sub(uri, 11, slash - 1)
    rest = sub(uri, slash)
    if byte(rest, 1) ~= 47 then rest = "/" .. rest end
  else
    name, rest = sub(uri, 11), "/"
  end
  local svc = services[name]
  local var = ngx.var
  if not svc or var.http_upgrade or var.http_origin or var.http_transfer_encoding or var.http_cookie then
    return ngx.exec("@backend")
  end
  local ctx = ngx.ctx
  ctx.name = name
  ctx.svc = svc
  local now = now_ms()
  if not svc.anyone then
    local app_key = var.http_appkey
    if not app_key then return ngx.exec("@backend") end
    local reason, message = verify_app_key(app_key, name, now)
    if reason then return refusal(401, "unauthorized", message, reason) end
  end
  local declared = tonumber(var.http_content_length or 0) or 0
  if declared > svc.max_body then
    return refusal(413, "payload_too_large",
      format("the body is %d bytes; %s takes at most %d", declared, name, svc.max_body), nil, nil, true)
  end
  local wait = admit(name, svc, now)
  if wait then
    return refusal(429, "too_many_requests", format(
      "%s is at its limit (%s requests/s and %s at once per ready replica, %d ready)",
      name, svc.qps_text, svc.concurrency_text, #svc.ready), nil, wait)
  end
  ctx.admitted = true
  local replica = pick(name, svc.ready)
  ctx.replica = replica
  ctx.first = replica
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
    -- a retry (nginx's proxy_next_upstream: a refused connection, or a break on an idempotent call)
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
  if not ok then ngx.log(ngx.ERR, "aiplat: ", err) return ngx.exit(502) end
end

function M.header()
  local ctx = ngx.ctx
  if not ctx.replica then return end
  local var = ngx.var
  if not var.upstream_http_content_length then ctx.streamed = true end
  local t = var.upstream_http_content_type
  if t then
    t = string.lower(t)
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

function M.body()
  local ctx = ngx.ctx
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
    if #pending > 1048576 then pending = "" end
    if eof and #pending > 0 then sse_line(ctx, pending); pending = "" end
    ctx.pending = pending
  elseif eof and ctx.bytes == 0 then
    if find(chunk, '"usage"', 1, true) then ctx.tokens = usage_tokens(cjson.decode(chunk)) end
  elseif ctx.bytes < 1048576 then
    if #chunk > 0 then
      ctx.parts[#ctx.parts + 1] = chunk
      ctx.bytes = ctx.bytes + #chunk
    end
    if eof and ctx.bytes < 1048576 then
      local body = table.concat(ctx.parts)
      if find(body, '"usage"', 1, true) then ctx.tokens = usage_tokens(cjson.decode(body)) end
    end
  end
end

function M.log()
  local ctx = ngx.ctx
  local name = ctx.name
  if not name then return end
  local svc = ctx.svc
  if ctx.admitted then
    local a = admissions[name]
    if a and a.in_flight > 0 then a.in_flight = a.in_flight - 1 end
  end
  local replica = ctx.replica
  release_replica(ctx)
  local status = ngx.status
  local refused = ctx.refused
  local counted = ctx.last or replica
  local t
  if refused then
    local serving = svc.ready[1]
    t = tally_of(name, serving and serving.version or 0, -1)
    if refused == 429 then t.throttled = t.throttled + 1 end
  else
    if status == 0 then status = 502 end
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

-- What the backend would push: services with their ready replicas and limits, and AppKeys.
function M.configure(json)
  local state = assert(cjson.decode(json))
  local next_services = {}
  for name, s in pairs(state.services or {}) do
    local ready = {}
    for i, r in ipairs(s.ready) do
      ready[i] = { key = r.key, version = r.version, index = r.index, host = r.host, port = r.port,
        address = r.host .. ":" .. r.port }
    end
    next_services[name] = {
      anyone = s.anyone, ready = ready, qps = s.qps, concurrency = s.concurrency,
      qps_text = tostring(s.qps), concurrency_text = tostring(s.concurrency),
      max_body = s.maxBodyBytes, timeout_s = s.timeoutMs / 1000,
    }
  end
  local next_keys = {}
  for app_key, k in pairs(state.appKeys or {}) do
    local bound = {}
    for _, name in ipairs(k.services) do bound[name] = true end
    next_keys[app_key] = { secret = k.secret, enabled = k.enabled, services = bound }
  end
  services, app_keys = next_services, next_keys
  if state.windowMs then window_ms = state.windowMs end
end


return M
