-- Shared by the bench scripts: counts answers by HTTP status in every wrk thread and prints one
-- machine-readable RESULT line at the end (latencies in microseconds).
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   counts = {}
end

function response(status, headers, body)
   counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("counts")) do
         total[status] = (total[status] or 0) + n
      end
   end
   local ok, other, by_status = 0, 0, {}
   for status, n in pairs(total) do
      if status >= 200 and status < 300 then ok = ok + n else other = other + n end
      table.insert(by_status, status .. ":" .. n)
   end
   table.sort(by_status)
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d rate=%.1f p50_us=%d p99_us=%d max_us=%d "
         .. "n2xx=%d n200=%d n201=%d non2xx=%d wrk_non2xx3xx=%d connect=%d read=%d write=%d "
         .. "timeout=%d statuses=%s\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99), latency.max,
      ok, total[200] or 0, total[201] or 0, other, e.status, e.connect, e.read, e.write,
      e.timeout, table.concat(by_status, ",")))
end
