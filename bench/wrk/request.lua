-- One kind of request for wrk, set up by bench/run.py through the environment:
--   BENCH_PATHS   a file of request paths, one a line; each request takes one at random
--   BENCH_METHOD  GET (default) or POST
--   BENCH_TOKEN   a bearer token sent with every request (optional)
--   BENCH_BODIES  a file of JSON bodies, one a line (optional); each request takes one at random
-- done() prints one line "BENCH_JSON {...}" with the counts and latencies bench/run.py reads.

local function lines_of(file_name)
  local lines = {}
  if file_name and file_name ~= "" then
    for line in io.lines(file_name) do
      if line ~= "" then lines[#lines + 1] = line end
    end
  end
  return lines
end

local paths = lines_of(os.getenv("BENCH_PATHS"))
local bodies = lines_of(os.getenv("BENCH_BODIES"))
local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN") or ""

if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
if #bodies > 0 then wrk.headers["Content-Type"] = "application/json" end

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  -- every thread its own sequence of random paths
  math.randomseed(os.time() * 100 + (thread_number or 0))
  for _ = 1, 10 do math.random() end
end

function request()
  local body = nil
  if #bodies > 0 then body = bodies[math.random(#bodies)] end
  return wrk.format(method, paths[math.random(#paths)], nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max
  ))
end
