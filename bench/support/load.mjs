// Load generator for bench/server.ts, in its own process so it does not share the server's event loop.
// Reads {url, token, paths, seconds, rate, connections} from the JSON file named by argv[2]; prints the result as JSON.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const { url, token, paths, seconds, rate, connections } = JSON.parse(readFileSync(process.argv[2], "utf8"));
let next = 0;
const result = await autocannon({
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
process.stdout.write(
  JSON.stringify({ requests: result.requests, latency: result.latency, errors: result.errors, non2xx: result.non2xx }),
);
