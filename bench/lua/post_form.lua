-- POST the url-encoded form in the BENCH_FORM environment variable, each request with "{n}"
-- replaced by a number of its own (thread-count), so that no two filings are the same.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local template = os.getenv("BENCH_FORM") or ""
local counter = 0
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function request()
  counter = counter + 1
  local body = (template:gsub("{n}", tostring(thread_id or 0) .. "-" .. tostring(counter)))
  return wrk.format("POST", nil, headers, body)
end
