-- pipeline.lua: wrk script that sends requests in pipelined batches.
--
--   wrk -s pipeline.lua URL -- [depth] [path]
--
-- Each batch is `depth` (default 16) copies of the request wrk would send
-- (method, path and -H headers as given on the command line; path
-- defaults to the URL's), written at once; wrk reads the `depth`
-- responses before writing the next batch. Requests/sec counts responses.
-- Latency is per batch: wrk times a batch from its write to its last
-- response.

init = function(args)
  local depth = tonumber(args[1]) or 16
  local path = args[2]
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, path)
  end
  req = table.concat(r)
end

request = function()
  return req
end
