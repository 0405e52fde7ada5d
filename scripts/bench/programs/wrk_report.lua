-- What every bench wrk script shares (loaded by petition.lua and rating.lua with dofile):
-- number the threads, count the responses by status, keep the first error, print one
-- BENCH_RESULT line (scripts/bench/load.py reads it).
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

statuses = {}
first_error = ""

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status >= 400 and first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 300)
   end
end

function done(summary, latency, requests)
   local totals, sample = {}, ""
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses") or {}) do
         totals[status] = (totals[status] or 0) + count
      end
      if sample == "" then sample = thread:get("first_error") or "" end
   end
   local parts = {}
   for status, count in pairs(totals) do
      parts[#parts + 1] = string.format('"%d":%d', status, count)
   end
   local e = summary.errors
   local f = math.floor
   io.write(string.format(
      'BENCH_RESULT {"duration_us":%d,"requests":%d,"non_2xx_3xx":%d,"connect_errors":%d,'
      .. '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,'
      .. '"p99_us":%d,"max_us":%d,"statuses":{%s}}\n',
      summary.duration, summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
      f(latency:percentile(50)), f(latency:percentile(90)), f(latency:percentile(99)),
      f(latency.max), table.concat(parts, ",")))
   local oneline = string.gsub(sample, "[\r\n]", " ")
   io.write("BENCH_FIRST_ERROR " .. oneline .. "\n")
end
