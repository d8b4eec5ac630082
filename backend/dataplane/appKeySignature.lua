-- 慧聚's AppKey signature, checked with no string made per call: Sign is the lowercase hex of
-- HMAC-SHA1 keyed with the AppSecret over AppKey .. AppSecret .. Timestamp. Each AppSecret's inner
-- and outer SHA-1 states are computed once (RFC 2104's precomputation) and each call's two digests
-- go through OpenSSL's SHA-1 (the libcrypto nginx links) by FFI: ngx.hmac_sha1 costs several times
-- more, as OpenSSL 3 looks the algorithm up on every call.
local ffi = require "ffi"
local bit = require "bit"

ffi.cdef [[
typedef struct { unsigned int h[5], Nl, Nh, data[16], num; } aiplat_sha1_state;
int SHA1_Init(aiplat_sha1_state *c);
int SHA1_Update(aiplat_sha1_state *c, const void *data, size_t len);
int SHA1_Final(unsigned char *md, aiplat_sha1_state *c);
unsigned char *ngx_hex_dump(unsigned char *dst, const unsigned char *src, size_t len);
]]

local C = ffi.C
local state_t = ffi.typeof("aiplat_sha1_state")
local STATE_SIZE = ffi.sizeof(state_t)
local BLOCK = 64
local work = ffi.new(state_t)
local digest = ffi.new("unsigned char[20]")
local hex = ffi.new("unsigned char[40]")
local byte, char, concat, bor, bxor = string.byte, string.char, table.concat, bit.bor, bit.bxor

local M = {}

local function padded_state(key, pad)
  local bytes = {}
  for i = 1, BLOCK do bytes[i] = char(bxor(byte(key, i) or 0, pad)) end
  local state = ffi.new(state_t)
  C.SHA1_Init(state)
  C.SHA1_Update(state, concat(bytes), BLOCK)
  return state
end

-- An AppSecret made ready to check signatures with
function M.key(secret)
  local hmac_key = #secret > BLOCK and ngx.sha1_bin(secret) or secret
  return { secret = secret, inner = padded_state(hmac_key, 0x36), outer = padded_state(hmac_key, 0x5c) }
end

-- Whether `sign` is the call's signature, compared in constant time
function M.matches(key, app_key, timestamp, sign)
  if #sign ~= 40 then return false end
  local secret = key.secret
  ffi.copy(work, key.inner, STATE_SIZE)
  C.SHA1_Update(work, app_key, #app_key)
  C.SHA1_Update(work, secret, #secret)
  C.SHA1_Update(work, timestamp, #timestamp)
  C.SHA1_Final(digest, work)
  ffi.copy(work, key.outer, STATE_SIZE)
  C.SHA1_Update(work, digest, 20)
  C.SHA1_Final(digest, work)
  C.ngx_hex_dump(hex, digest, 20)
  local diff = 0
  for i = 0, 39 do diff = bor(diff, bxor(byte(sign, i + 1), hex[i])) end
  return diff == 0
end

return M
