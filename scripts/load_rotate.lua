-- wrk script used by scripts/load.sh for EVERY measured route, /healthz included.
--
-- Each API key may make at most 100000 requests a minute and the server can answer more
-- than that, so each request goes out with the next key of a list (round robin). The
-- /healthz baseline is driven by this same script with the same header rotation, so the
-- only difference between the routes is the path wrk was given on its command line.
--
-- Usage: wrk -t1 -c32 -d10s -s scripts/load_rotate.lua URL -- KEYS_FILE
-- KEYS_FILE holds one secret key (sk_test_…) per line.

local requests = {}
local count = 0
local next_index = 0

function init(args)
  local keys_file = args[1]
  if keys_file == nil then
    error("usage: wrk … -s load_rotate.lua URL -- KEYS_FILE")
  end
  for line in io.lines(keys_file) do
    if line ~= "" then
      count = count + 1
      -- Formatted once here rather than per request: the same small, constant cost for
      -- every route, and wrk (which shares the machine with the server) stays cheap.
      requests[count] = wrk.format("GET", wrk.path, { ["Authorization"] = "Bearer " .. line })
    end
  end
  if count == 0 then
    error("no keys in " .. keys_file)
  end
end

function request()
  next_index = next_index % count + 1
  return requests[next_index]
end
