-- What the services gateway's data plane knows and shares between its parts: the state the
-- backend pushed (serviceGatewayControl.lua), the admissions the backend's gateway shares, and
-- what was counted since the backend's last pull (serviceGateway.lua).
local cjson = require "cjson.safe"

local ngx, ceil, max = ngx, math.ceil, math.max

local S = {
  revision = 0,
  -- name -> { anyone, appkey, ready = { {key, version, index, host, port, address} }, qps, ... }
  services = {},
  -- AppKey -> { secret, signature (appKeySignature.key), enabled, services = { name = true } }
  app_keys = {},
  -- Own domains (lowercase, no port): their calls are the backend's; nil when there are none
  own_hosts = nil,
  window_ms = 300000,
  -- Per service: { tokens, at, in_flight }, shared with the backend's calls (/admit, /done)
  admissions = {},
  -- Counted calls since the last pull: traffic[service][version * 100000 + replica + 1] = tally
  traffic = {},
  -- Each AppKey's last accepted call, and each service called, since the last pull
  used_keys = {},
  active = {},
}

function S.now_ms()
  return ngx.now() * 1000
end

function S.reply(status, body, retry_after)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json; charset=utf-8"
  ngx.header["Cache-Control"] = "no-store"
  if retry_after then ngx.header["Retry-After"] = tostring(retry_after) end
  ngx.header["Content-Length"] = #body
  ngx.print(body)
  return ngx.exit(status)
end

-- The backend gateway's JSON refusal: {error, reason?, message}
function S.refusal_body(err, message, reason)
  if reason then return cjson.encode({ error = err, reason = reason, message = message }) end
  return cjson.encode({ error = err, message = message })
end

-- The backend gateway's Admission: a token bucket of qps × replicas (one second's burst) and the
-- calls in flight; nil when admitted, else the seconds to wait
function S.admit(name, svc, now)
  local a = S.admissions[name]
  local replicas = max(1, #svc.ready)
  local rate = svc.qps * replicas
  local burst = max(1, rate)
  if not a then a = { tokens = burst, at = now, in_flight = 0 }; S.admissions[name] = a
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

function S.release_admission(name)
  local a = S.admissions[name]
  if a and a.in_flight > 0 then a.in_flight = a.in_flight - 1 end
end

return S
