/**
 * A real Modbus TCP server for tests: test/support/modbus_cdu_server.py on Debian's python3-pymodbus, started on
 * loopback and stopped by its own process id. The register map is documented in the script.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.ts";

const script = fileURLToPath(new URL("./modbus_cdu_server.py", import.meta.url));
/** Debian's interpreter: python3-pymodbus installs into its dist-packages, not into another Python on the PATH. */
const python = spawnSync("/usr/bin/python3", ["--version"]).error === undefined ? "/usr/bin/python3" : "python3";

/** Why the server cannot run here (python3-pymodbus missing), or undefined when it can. */
export function modbusUnavailable(): string | undefined {
  const probe = spawnSync(python, ["-c", "import pymodbus.server, pymodbus.datastore"], { encoding: "utf8" });
  if (probe.error === undefined && probe.status === 0) return undefined;
  return `python3-pymodbus is not installed (${python} cannot import pymodbus): \`apt-get install python3-pymodbus\` to run this test`;
}

/** A running CDU-like Modbus TCP server. */
export interface ModbusServer {
  readonly port: number;
  /** Changes the map: `coil 0 1`, `input 4 1500`, `holding 0 2`; resolves once applied. */
  set(command: string): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, as a hung gateway does. */
  freeze(): void;
  /** Resumes a frozen server (SIGCONT). */
  thaw(): void;
  /** Ends the process and waits for it. */
  stop(): Promise<void>;
  readonly logs: () => string;
}

/** Starts the server on a free loopback port; resolves once it accepts connections. */
export async function startModbusServer(): Promise<ModbusServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(python, [script, String(port)], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  const waiters: { text: string; from: number; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of [...waiters]) {
      if (output.includes(waiter.text, waiter.from)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Output is searched from `from` on, so a command sent twice waits for its second answer.
  const waitFor = (text: string, ms: number, from = 0) =>
    new Promise<void>((resolve, reject) => {
      if (output.includes(text, from)) return resolve();
      const timer = setTimeout(() => reject(new Error(`modbus server: no "${text}" within ${ms} ms:\n${output}`)), ms);
      waiters.push({
        text,
        from,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      void exited.then(() => reject(new Error(`modbus server exited:\n${output}`)));
    });
  await waitFor(`listening ${port}`, 15_000);
  return {
    port,
    async set(command) {
      const from = output.length;
      child.stdin!.write(`${command}\n`);
      await waitFor(`ok ${command}`, 5000, from);
    },
    freeze: () => child.kill("SIGSTOP"),
    thaw: () => child.kill("SIGCONT"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGCONT");
        child.kill("SIGTERM");
      }
      await exited;
    },
    logs: () => output,
  };
}
