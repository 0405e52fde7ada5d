-- The bench's wrk script for the rating page (scripts/bench/scenarios/rating.py): POST a
-- rating through each link of a token file, once each (a link takes one rating); the file's
-- lines are shared out among wrk's threads. Arguments: the token file, wrk's thread count.
-- wrk_report.lua counts the responses and prints the BENCH_RESULT line.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk_report.lua")

local tokens = {}
local next_token = 1

function init(args)
   local path, thread_count = args[1], tonumber(args[2])
   local line = 0
   for token in io.lines(path) do
      if line % thread_count == thread_number - 1 then
         tokens[#tokens + 1] = token
      end
      line = line + 1
   end
end

-- score=4 and the comment "处理得很及时，谢谢", form-encoded as a browser sends them.
local body = "score=4&comment=%E5%A4%84%E7%90%86%E5%BE%97%E5%BE%88%E5%8F%8A%E6%97%B6"
   .. "%EF%BC%8C%E8%B0%A2%E8%B0%A2"
local form_headers = {["Content-Type"] = "application/x-www-form-urlencoded"}

function request()
   -- Past the last token the links are used up: the bench sizes the file so that this does
   -- not happen, and counts the links left unused to show it did not.
   local token = tokens[next_token] or tokens[#tokens]
   next_token = next_token + 1
   return wrk.format("POST", "/r/" .. token, form_headers, body)
end
