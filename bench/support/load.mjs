// Load generator for bench/server.ts, in its own process so it does not share the server's event loop.
// Reads {url, token, paths, seconds, rate, connections} from the JSON file named by argv[2]; prints the result as JSON.
//
// `latency` is autocannon's: with a rate it corrects for coordinated omission with an expected interval of
// ceil(1 / rate per connection) = 1 ms, so a response of R ms is recorded about R times (R, R - 1, ..., 1) and slow
// responses weigh far more than their number. `responseTimes` counts every response once, for comparison.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const { url, token, paths, seconds, rate, connections } = JSON.parse(readFileSync(process.argv[2], "utf8"));
let next = 0;
const times = [];
const instance = autocannon({
  url,
  connections,
  duration: seconds,
  overallRate: rate,
  headers: { authorization: `Bearer ${token}` },
  requests: [
    {
      setupRequest: (request) => {
        request.path = paths[next++ % paths.length];
        return request;
      },
    },
  ],
});
instance.on("response", (_client, statusCode, _bytes, responseTime) => {
  if (statusCode >= 200 && statusCode < 300) times.push(responseTime);
});
const result = await instance;
times.sort((a, b) => a - b);
const percentile = (p) =>
  times.length === 0 ? 0 : times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
const responseTimes = {
  count: times.length,
  p50: percentile(50),
  p99: percentile(99),
  max: times.at(-1) ?? 0,
  over20ms: times.filter((time) => time > 20).length,
};
process.stdout.write(
  JSON.stringify({
    requests: result.requests,
    latency: result.latency,
    errors: result.errors,
    non2xx: result.non2xx,
    responseTimes,
  }),
);
