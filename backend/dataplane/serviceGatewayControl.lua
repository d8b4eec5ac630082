-- The data plane's control server (a Unix socket only the backend reaches): the backend pushes the
-- state it serves, pulls what it counted, and shares its replay cache and admissions.
local cjson = require "cjson.safe"
local S = require "gatewayState"
local signature = require "appKeySignature"
local replays = require "replayWindow"

local ngx, format = ngx, string.format
local reply = S.reply

local M = {}

local function read_json()
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  local value = body and cjson.decode(body)
  if type(value) ~= "table" then return nil end
  return value
end

-- PUT /state: the services served here, the AppKeys and own domains; answers the new revision
function M.put_state()
  local state = read_json()
  if not state or type(state.services) ~= "table" or type(state.appKeys) ~= "table" then
    return reply(400, '{"error":"bad_state"}')
  end
  local next_services = {}
  for name, s in pairs(state.services) do
    local ready = {}
    for i, r in ipairs(s.ready) do
      ready[i] = { key = r.key, version = r.version, index = r.index, host = r.host, port = r.port,
        address = r.host .. ":" .. r.port }
    end
    if #ready > 0 then
      next_services[name] = {
        anyone = s.anyone, appkey = s.appkey, ready = ready, qps = s.qps, concurrency = s.concurrency,
        qps_text = s.qpsText, concurrency_text = s.concurrencyText,
        max_body = s.maxBodyBytes, timeout_s = s.timeoutSeconds,
      }
    end
  end
  local next_keys = {}
  for app_key, k in pairs(state.appKeys) do
    local bound = {}
    for _, name in ipairs(k.services) do bound[name] = true end
    local known = S.app_keys[app_key]
    next_keys[app_key] = { secret = k.secret, enabled = k.enabled, services = bound,
      signature = known and known.secret == k.secret and known.signature or signature.key(k.secret) }
  end
  local next_hosts = {}
  for _, host in ipairs(state.hosts or {}) do next_hosts[host] = true end
  -- nil when there are none: the hot path then reads no Host
  S.services, S.app_keys, S.own_hosts = next_services, next_keys, next(next_hosts) and next_hosts or nil
  if type(state.windowMs) == "number" then S.window_ms = state.windowMs end
  local admissions = S.admissions
  for name in pairs(admissions) do
    if not next_services[name] and admissions[name].in_flight == 0 then admissions[name] = nil end
  end
  S.revision = S.revision + 1
  return reply(200, format('{"revision":%d}', S.revision))
end

-- GET /revision: 0 after a restart (the backend pushes its state again)
function M.get_revision()
  return reply(200, format('{"revision":%d}', S.revision))
end

-- [[key, count], ...]; an empty one is left out (Debian's lua-cjson cannot write an empty array)
local function pairs_list(map)
  local list = {}
  for k, n in pairs(map) do list[#list + 1] = { k, n } end
  if #list == 0 then return nil end
  return list
end

-- POST /traffic: what was counted since the last pull (and forgets it)
function M.take_traffic()
  local out = {}
  for name, per_service in pairs(S.traffic) do
    local list = {}
    for _, t in pairs(per_service) do
      list[#list + 1] = { version = t.version, replica = t.replica, statuses = pairs_list(t.statuses),
        latency = pairs_list(t.bins), ttft = pairs_list(t.ttft), throttled = t.throttled, tokens = t.tokens }
    end
    out[#out + 1] = { service = name, tallies = list }
  end
  local keys = {}
  for app_key, at in pairs(S.used_keys) do keys[#keys + 1] = { appKey = app_key, at = at } end
  local called = {}
  for name in pairs(S.active) do called[#called + 1] = name end
  S.traffic, S.used_keys, S.active = {}, {}, {}
  return reply(200, cjson.encode({
    revision = S.revision,
    services = #out > 0 and out or nil,
    appKeys = #keys > 0 and keys or nil,
    active = #called > 0 and called or nil,
  }))
end

-- POST /replay {appKey, signedAt}: a signature the backend's gateway accepted, checked in the one
-- replay window
function M.replay()
  local body = read_json()
  if not body or type(body.appKey) ~= "string" or type(body.signedAt) ~= "number" or body.signedAt % 1 ~= 0 then
    return reply(400, '{"error":"bad_request"}')
  end
  local first = replays.first_use(body.appKey, body.signedAt, S.now_ms(), S.window_ms)
  return reply(200, first and '{"firstUse":true}' or '{"firstUse":false}')
end

-- POST /admit {service, qps, concurrency, replicas}: a backend call of a service served here takes
-- a place in its admission; answers {wait} when it may not
function M.admit()
  local body = read_json()
  if not body or type(body.service) ~= "string" then return reply(400, '{"error":"bad_request"}') end
  local svc = S.services[body.service]
  if not svc then return reply(200, '{"served":false}') end
  local wait = S.admit(body.service, svc, S.now_ms())
  if wait then return reply(200, format('{"served":true,"wait":%d}', wait)) end
  return reply(200, '{"served":true}')
end

-- POST /done {service}: a backend call admitted by /admit ended
function M.done()
  local body = read_json()
  if not body or type(body.service) ~= "string" then return reply(400, '{"error":"bad_request"}') end
  S.release_admission(body.service)
  return reply(200, '{}')
end

-- The backend started this nginx: when its process is gone (killed outright, it could not stop
-- nginx), nginx stops too rather than hold the platform's port for nobody.
function M.watch_backend(pid, nginx_pid_file)
  local function check(premature)
    if premature then return end
    local alive = io.open("/proc/" .. pid .. "/stat")
    if alive then alive:close() return end
    local pid_file = io.open(nginx_pid_file)
    local master = pid_file and pid_file:read("*n")
    if pid_file then pid_file:close() end
    ngx.log(ngx.WARN, "aiplat: the backend (pid ", pid, ") is gone; stopping")
    if master then os.execute("kill -QUIT " .. master) end
  end
  local ok, err = ngx.timer.every(1, check)
  if not ok then ngx.log(ngx.ERR, "aiplat: cannot watch the backend: ", err) end
end

-- Every minute, the replay rings of AppKeys unused for two windows are freed
function M.sweep_replays()
  local ok, err = ngx.timer.every(60, function(premature)
    if not premature then replays.sweep(S.now_ms()) end
  end)
  if not ok then ngx.log(ngx.ERR, "aiplat: cannot sweep the replay window: ", err) end
end

return M
