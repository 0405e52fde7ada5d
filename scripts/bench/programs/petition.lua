-- The bench's wrk script (scripts/bench/load.py): POST a petition with a random mobile
-- number per request; wrk_report.lua counts the responses and prints the BENCH_RESULT line.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk_report.lua")

function init(args)
   math.randomseed(os.time() * 100 + thread_number)
end

local body_format = '{"community_code":"C001","category_code":"streetlight",'
   .. '"description":"小区门口路灯不亮","petitioner_name":"张三",'
   .. '"petitioner_phone":"1%d%09d","latitude":30.9968,"longitude":103.6225}'
local json_headers = {["Content-Type"] = "application/json"}

function request()
   local body = string.format(body_format, math.random(3, 9), math.random(0, 999999999))
   return wrk.format("POST", nil, json_headers, body)
end
