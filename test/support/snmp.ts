/**
 * A real SNMP agent for tests: Debian's snmpd on a private loopback port with a private configuration — a v2c
 * read-only community, an SNMPv3 authPriv user (createUser, SHA-256 + AES), and `pass` handlers
 * (test/support/snmp_pass.py, pass_persist) serving the UPS-MIB and PowerNet-MIB subtrees from a JSON state the test rewrites.
 * Started and stopped by its own process id.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.ts";

const passScript = fileURLToPath(new URL("./snmp_pass.py", import.meta.url));
const snmpd = "/usr/sbin/snmpd";
const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/** Why the agent cannot run here (snmpd missing), or undefined when it can. */
export function snmpUnavailable(): string | undefined {
  return existsSync(snmpd) ? undefined : "snmpd is not installed: `apt-get install snmpd snmp` to run this test";
}

/** OID (numeric, no leading dot) → [pass type, value]. */
export type SnmpState = Record<
  string,
  [type: "integer" | "gauge" | "counter" | "timeticks" | "string", value: number | string]
>;

/** A running agent and its credentials. */
export interface SnmpAgent {
  readonly port: number;
  readonly community: string;
  readonly user: { readonly name: string; readonly authKey: string; readonly privKey: string };
  /** Replaces the served values (atomically: snmpd may be reading the file). */
  setState(state: SnmpState): void;
  /** Freezes the agent (SIGSTOP): requests go unanswered. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
  readonly logs: () => string;
}

/** Starts snmpd serving `state`; resolves once it answers. */
export async function startSnmpAgent(state: SnmpState): Promise<SnmpAgent> {
  const directory = mkdtempSync(join(tmpdir(), "alixan-snmpd-"));
  const persistent = join(directory, "persist");
  mkdirSync(persistent);
  const statePath = join(directory, "state.json");
  const setState = (next: SnmpState) => {
    writeFileSync(`${statePath}.tmp`, JSON.stringify(next));
    renameSync(`${statePath}.tmp`, statePath);
  };
  setState(state);
  const port = await freePort();
  const community = `alixan-ro-${process.pid}`;
  const user = { name: "alixan-monitor", authKey: "auth-key-for-tests-1", privKey: "priv-key-for-tests-1" };
  const pass = `${python} ${passScript} ${statePath}`;
  const config = join(directory, "snmpd.conf");
  writeFileSync(
    config,
    [
      `agentAddress udp:127.0.0.1:${port}`,
      `rocommunity ${community} 127.0.0.1`,
      `createUser ${user.name} SHA-256 "${user.authKey}" AES "${user.privKey}"`,
      `rouser ${user.name} priv`,
      // UPS-MIB (RFC 1628) and APC PowerNet-MIB, which snmpd does not implement itself.
      `pass_persist .1.3.6.1.2.1.33 ${pass}`,
      `pass_persist .1.3.6.1.4.1.318 ${pass}`,
      "",
    ].join("\n"),
  );
  const pidFile = join(directory, "snmpd.pid");
  // -f foreground, -Lo log to stdout, -C only this configuration; MIBS="" skips loading MIB files (a second saved).
  const child: ChildProcess = spawn(snmpd, ["-f", "-Lo", "-C", "-c", config, "-p", pidFile], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MIBS: "", SNMP_PERSISTENT_DIR: persistent },
  });
  let output = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!/NET-SNMP version/.test(output)) {
    if (child.exitCode !== null) throw new Error(`snmpd exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`snmpd did not start within 15 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    community,
    user,
    setState,
    freeze: () => child.kill("SIGSTOP"),
    thaw: () => child.kill("SIGCONT"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGCONT");
        child.kill("SIGTERM");
      }
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
    logs: () => output,
  };
}
