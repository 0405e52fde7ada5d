-- The bench's wrk script for the public board's case list (scripts/bench/scenarios/
-- publication.py): GET /cases as readers use it, in turn unfiltered, by list, community,
-- category, state and month, and the second page of the unfiltered list. Arguments: the
-- month to filter on (YYYY-MM) and the unfiltered list's second-page token.
-- wrk_report.lua counts the responses and prints the BENCH_RESULT line.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk_report.lua")

local paths = {}
local next_path = 0

function init(args)
   local month, page_token = args[1], args[2]
   paths = {
      "/cases",
      "/cases?list=urgent_needs",
      "/cases?community=C001",
      "/cases?category=streetlight",
      "/cases?state=completed",
      "/cases?month=" .. month,
      "/cases?list=practical_matters&state=closed",
      "/cases?page_token=" .. page_token,
   }
   -- Threads start at different places in the round, as readers do.
   next_path = thread_number - 1
end

function request()
   next_path = next_path % #paths + 1
   return wrk.format("GET", paths[next_path])
end
