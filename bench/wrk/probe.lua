-- Counts /probe answers that report probe_success 1 (a 200 with a failed probe is not a
-- probe done) and prints one JSON line with wrk's own totals, latency percentiles and the
-- latency histogram.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  bad = 0
end

function response(status, headers, body)
  if status == 200 and string.find(body, "\nprobe_success 1", 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  -- Every distinct latency (us) with its count, so the harness can pool several runs.
  local bins = {}
  for i = 1, #latency do
    local value, count = latency(i)
    bins[#bins + 1] = string.format("[%d,%d]", value, count)
  end
  local o, b = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    b = b + t:get("bad")
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"ok":%d,"bad":%d,"errors":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"bins":[%s]}\n',
    summary.requests, summary.duration, o, b,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    latency:percentile(50), latency:percentile(99), latency.max, table.concat(bins, ",")))
end
