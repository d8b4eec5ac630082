-- The AppKey calls seen inside the signature window, exactly: a call signed again with the same
-- AppKey and Timestamp is a replay (its Sign is a function of the two under the key's secret).
-- Per AppKey, one bit per millisecond of a ring covering the window on both sides of now, in blocks
-- of 256 ms that are cleared when a newer Timestamp takes their place: a constant ~94 KiB per AppKey
-- at the default 5-minute window, whatever its rate (a key signs at most 1,000 calls a second: two
-- in one millisecond are one signature), no entry ever forgotten while its Timestamp is valid, and
-- one memory read per call. Worker-local: the data plane runs one nginx worker, whose control server
-- answers the backend's gateway from the same rings.
local ffi = require "ffi"
local bit = require "bit"

local floor, band, bor, lshift, rshift = math.floor, bit.band, bit.bor, bit.lshift, bit.rshift

local BLOCK_MS = 256
-- 32-bit words per block (cleared by 8 stores in first_use)
local WORDS = 8

local M = {}

-- AppKey -> { blocks, window_ms, held = double[blocks] (the block number each slot holds),
-- bits = int32[blocks * WORDS], used_at }
local rings = {}

local function new_ring(window_ms)
  -- two Timestamps sharing a slot are more than 2 windows and a block apart: never both valid
  local blocks = floor(2 * window_ms / BLOCK_MS) + 3
  return {
    blocks = blocks,
    window_ms = window_ms,
    held = ffi.new("double[?]", blocks),
    bits = ffi.new("int32_t[?]", blocks * WORDS),
    used_at = 0,
  }
end

-- True the first time (app_key, signed_at) is seen; signed_at (integer ms) is inside the window of now
function M.first_use(app_key, signed_at, now, window_ms)
  local ring = rings[app_key]
  if not ring or ring.window_ms ~= window_ms then
    ring = new_ring(window_ms)
    rings[app_key] = ring
  end
  ring.used_at = now
  local block = floor(signed_at / BLOCK_MS)
  local slot = block % ring.blocks
  local held = ring.held[slot]
  if held ~= block then
    -- A newer block in the slot: the clock went back by more than a block since it was taken, and
    -- what this block held is gone; refuse rather than let a replay through.
    if held > block then return false end
    -- cleared without a loop: 8 stores (a short loop in a hot function aborts LuaJIT's traces)
    local bits, first = ring.bits, slot * WORDS
    bits[first], bits[first + 1], bits[first + 2], bits[first + 3] = 0, 0, 0, 0
    bits[first + 4], bits[first + 5], bits[first + 6], bits[first + 7] = 0, 0, 0, 0
    ring.held[slot] = block
  end
  local offset = signed_at - block * BLOCK_MS
  local word = slot * WORDS + rshift(offset, 5)
  local mask = lshift(1, band(offset, 31))
  local bits = ring.bits
  local seen = bits[word]
  if band(seen, mask) ~= 0 then return false end
  bits[word] = bor(seen, mask)
  return true
end

-- Frees the rings of AppKeys unused for two windows: all their Timestamps have left the window
-- since (a deleted AppKey's ring goes then too; its calls are refused before they get here)
function M.sweep(now)
  for app_key, ring in pairs(rings) do
    if now - ring.used_at > 2 * ring.window_ms then rings[app_key] = nil end
  end
end

-- How many AppKeys have a ring (for tests)
function M.count()
  local n = 0
  for _ in pairs(rings) do n = n + 1 end
  return n
end

return M
