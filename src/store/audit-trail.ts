/**
 * What keeps the audit chain honest from outside the database: the MAC key and the head checkpoint.
 *
 * - The key (32 random bytes, hex, mode 0600) lives in a file the database never sees, so someone who can edit the
 *   store cannot recompute the chain. It is created on first start, or given by the operator (ALIXAN_AUDIT_KEY_FILE).
 * - The head checkpoint is an append-only text file: one `seq mac time` line for every committed head, fsync'd, and
 *   optionally handed to an operator command (ALIXAN_AUDIT_PUBLISH_COMMAND) that publishes it elsewhere. A store cut
 *   short, or a record appended behind the platform's back, then disagrees with it.
 *
 * Both sit in the audit directory: `<dataDir>.audit/` beside an embedded store (never inside it, so a copy of the
 * data directory is not enough to forge), ALIXAN_AUDIT_DIR if set, and for PostgreSQL by default
 * `$XDG_STATE_HOME/alixan/audit/<host>-<port>-<database>` (`~/.local/state/...`).
 *
 * The trail rides on the store's Kysely instance as a plugin, so `appendAudit(trx, ...)` finds it inside any
 * transaction without every caller passing it along.
 */
import { spawn } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type {
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import type { Database } from "./schema.ts";

/** How a trail is opened: `write` creates what is missing and checkpoints; `verify` only reads. */
export type AuditTrailMode = "write" | "verify";

/** Where the key and checkpoint live, and who to tell about a new head. */
export interface AuditTrailSettings {
  /** Key file; undefined keeps a random key in memory (in-memory stores). */
  readonly keyFile: string | undefined;
  /** Head checkpoint file; undefined keeps checkpoints in memory. */
  readonly headFile: string | undefined;
  /** Executable and leading arguments run with `<seq> <mac> <time>` after each checkpoint (no shell). */
  readonly publishCommand?: readonly string[] | undefined;
  /** Bound on one publication (default 10 s). */
  readonly publishTimeoutMs?: number;
}

/** One checkpointed head. */
export interface Checkpoint {
  readonly seq: number;
  readonly mac: string;
  readonly at: string;
}

/** What the head file holds, and anything malformed in it. */
export interface CheckpointLog {
  readonly present: boolean;
  readonly keyFingerprint: string | undefined;
  readonly bySeq: ReadonlyMap<number, readonly string[]>;
  readonly last: Checkpoint | undefined;
  readonly malformedLines: readonly number[];
}

/** Record algorithms of the chain: legacy plain SHA-256 records, and keyed records. */
export const chainKinds = { legacy: "sha256", keyed: "hmac-sha256" } as const;

const headerPrefix = "# alixan audit head checkpoint";
const keyHexPattern = /^[0-9a-fA-F]{64,}$/;

/** A store location's default audit directory (undefined for an in-memory store). */
export function defaultAuditDirectory(
  location: { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string },
  environment: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (location.kind === "pglite") {
    if (location.dataDir === "memory") return undefined;
    // Beside the data directory, never inside it: copying `data/` alone does not give the key away.
    return `${resolve(location.dataDir)}.audit`;
  }
  const state = environment["XDG_STATE_HOME"] || join(homedir(), ".local", "state");
  let name = "postgres";
  try {
    const url = new URL(location.url);
    name = `${url.hostname}-${url.port || "5432"}-${url.pathname.replace(/^\//, "") || "postgres"}`;
  } catch {
    // An unparseable URL fails later, at connection; the default name is enough meanwhile.
  }
  return join(state, "alixan", "audit", name.replace(/[^A-Za-z0-9._-]/g, "_"));
}

/** Parses ALIXAN_AUDIT_PUBLISH_COMMAND: a JSON array of strings, or a plain executable path. */
export function parsePublishCommand(text: string | undefined): readonly string[] | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((item) => typeof item === "string")) {
      throw new Error("ALIXAN_AUDIT_PUBLISH_COMMAND: expected a JSON array of strings, or an executable path");
    }
    return parsed as string[];
  }
  return [trimmed];
}

function keyFingerprint(key: Buffer): string {
  return createHash("sha256").update("alixan audit key fingerprint\n").update(key).digest("hex").slice(0, 16);
}

function refuseLooseMode(path: string, what: string): void {
  if (process.platform === "win32") return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `${what} ${path} is open to other users (mode ${mode.toString(8).padStart(4, "0")}): run chmod 600 ${path}`,
    );
  }
}

function readKey(path: string): Buffer {
  refuseLooseMode(path, "the audit key file");
  const raw = readFileSync(path);
  const text = raw.toString("utf8").trim();
  const key = keyHexPattern.test(text) ? Buffer.from(text, "hex") : raw;
  if (key.length < 32) throw new Error(`the audit key file ${path} holds ${key.length} bytes; at least 32 are needed`);
  return key;
}

/** Reads a head checkpoint file (a missing file reads as absent). */
export function readCheckpointFile(path: string): CheckpointLog {
  if (!existsSync(path)) {
    return { present: false, keyFingerprint: undefined, bySeq: new Map(), last: undefined, malformedLines: [] };
  }
  return parseCheckpoints(readFileSync(path, "utf8"));
}

function parseCheckpoints(text: string): CheckpointLog {
  const bySeq = new Map<number, string[]>();
  const malformedLines: number[] = [];
  let fingerprint: string | undefined;
  let last: Checkpoint | undefined;
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (line === "") return;
    if (line.startsWith("#")) {
      const match = /key ([0-9a-f]{16})/.exec(line);
      if (line.startsWith(headerPrefix) && match !== null) fingerprint = match[1];
      return;
    }
    const match = /^(\d{1,15}) ([0-9a-f]{64}) (\S+)$/.exec(line);
    if (match === null) {
      // A torn last line (crash mid-write) is not tampering; anything else is.
      if (index !== lines.length - 1) malformedLines.push(index + 1);
      return;
    }
    const checkpoint = { seq: Number(match[1]), mac: match[2]!, at: match[3]! };
    const known = bySeq.get(checkpoint.seq);
    if (known === undefined) bySeq.set(checkpoint.seq, [checkpoint.mac]);
    else if (!known.includes(checkpoint.mac)) known.push(checkpoint.mac);
    if (last === undefined || checkpoint.seq > last.seq) last = checkpoint;
  });
  return { present: true, keyFingerprint: fingerprint, bySeq, last, malformedLines };
}

/** Marker plugin carrying the trail through every Kysely instance and transaction derived from the store's. */
class AuditTrailPlugin implements KyselyPlugin {
  readonly trail: AuditTrail;
  constructor(trail: AuditTrail) {
    this.trail = trail;
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** The trail attached to a store's database handle or transaction. */
export function auditTrailOf(db: Pick<Kysely<Database>, "getExecutor">): AuditTrail {
  for (const plugin of db.getExecutor().plugins) if (plugin instanceof AuditTrailPlugin) return plugin.trail;
  throw new Error("this database handle has no audit trail: open it with openStore()");
}

/** The audit key, the head checkpoint and the publisher of one open store. */
export class AuditTrail {
  readonly mode: AuditTrailMode;
  readonly keyFile: string | undefined;
  readonly headFile: string | undefined;
  readonly plugin: KyselyPlugin;
  readonly #key: Buffer | undefined;
  readonly #publishCommand: readonly string[] | undefined;
  readonly #publishTimeoutMs: number;
  readonly #log: (line: string) => void;
  /** Checkpoints of an in-memory trail (no head file). */
  readonly #memoryCheckpoints: string[] = [];
  #db: Kysely<Database> | undefined;
  #head: FileHandle | undefined;
  /** A key generated at this open, not yet written to its file. */
  #keyUnsaved = false;
  #checkpointedSeq = 0;
  #pendingSeq = 0;
  #draining: Promise<void> | undefined;
  #closing = false;
  #publishing: Promise<void> | undefined;
  #publishNext: Checkpoint | undefined;
  /** Caller-given request ids (`x-request-id`) by server request id, while the request runs. */
  readonly #clientRequestIds = new Map<string, string>();

  private constructor(
    mode: AuditTrailMode,
    settings: AuditTrailSettings,
    key: Buffer | undefined,
    log: (line: string) => void,
  ) {
    this.mode = mode;
    this.keyFile = settings.keyFile;
    this.headFile = settings.headFile;
    this.#key = key;
    this.#publishCommand = settings.publishCommand;
    this.#publishTimeoutMs = settings.publishTimeoutMs ?? 10_000;
    this.#log = log;
    this.plugin = new AuditTrailPlugin(this);
  }

  /**
   * Opens the trail. In `write` mode a missing key is generated (0600, in a 0700 directory) and the head file is
   * started; in `verify` mode nothing is created and a missing key is reported by verification.
   */
  static open(
    mode: AuditTrailMode,
    settings: AuditTrailSettings,
    log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ): AuditTrail {
    let key: Buffer | undefined;
    let unsaved = false;
    if (settings.keyFile === undefined) key = mode === "write" ? randomBytes(32) : undefined;
    else if (existsSync(settings.keyFile)) key = readKey(settings.keyFile);
    else if (mode === "write") {
      // Saved by bind() once the store shows no keyed records: a lost key is never silently replaced.
      key = randomBytes(32);
      unsaved = true;
    }
    const trail = new AuditTrail(mode, settings, key, log);
    trail.#keyUnsaved = unsaved;
    return trail;
  }

  #saveNewKey(): void {
    if (!this.#keyUnsaved || this.keyFile === undefined || this.#key === undefined) return;
    mkdirSync(dirname(this.keyFile), { recursive: true, mode: 0o700 });
    // `wx`: two processes starting together never overwrite each other's key.
    writeFileSync(this.keyFile, `${this.#key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(this.keyFile, 0o600);
    this.#keyUnsaved = false;
    this.#log(`audit: created the audit key ${this.keyFile}; back it up apart from the database`);
  }

  /** Whether the key is at hand (verification of keyed records needs it). */
  get hasKey(): boolean {
    return this.#key !== undefined;
  }

  /** Short public fingerprint of the key, to tell a wrong key file from tampering. */
  get keyFingerprint(): string | undefined {
    return this.#key === undefined ? undefined : keyFingerprint(this.#key);
  }

  /** HMAC-SHA256(key, prev_mac || canonical record). */
  mac(previous: string, canonicalRecord: string): string {
    if (this.#key === undefined) throw new Error("the audit key is not available");
    return createHmac("sha256", this.#key).update(previous).update(canonicalRecord).digest("hex");
  }

  /** The checkpoints kept outside the database so far. */
  checkpoints(): CheckpointLog {
    if (this.headFile !== undefined) return readCheckpointFile(this.headFile);
    return { ...parseCheckpoints(this.#memoryCheckpoints.join("")), keyFingerprint: this.keyFingerprint };
  }

  /**
   * Binds the trail to its database and, in `write` mode, checks the store against the checkpoint before anything
   * is appended: a store that ends before its checkpoint, or keyed records without their key, refuse to start.
   */
  async bind(db: Kysely<Database>): Promise<void> {
    this.#db = db;
    const head = await db.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1).executeTakeFirst();
    const headSeq = head === undefined ? 0 : Number(head.seq);
    this.#checkpointedSeq = headSeq;
    this.#pendingSeq = headSeq;
    if (this.mode !== "write") return;
    const keyed = await db
      .selectFrom("audit_log")
      .select("seq")
      .where("chain", "=", chainKinds.keyed)
      .orderBy("seq")
      .limit(1)
      .executeTakeFirst();
    if (this.#keyUnsaved && keyed !== undefined) {
      throw new Error(
        `the audit key file ${this.keyFile} is missing but the audit log holds keyed records (from seq ` +
          `${Number(keyed.seq)}): restore the key from its backup (or point ALIXAN_AUDIT_KEY_FILE at it)`,
      );
    }
    this.#saveNewKey();
    if (this.headFile === undefined) return;
    const log = readCheckpointFile(this.headFile);
    if (!log.present && keyed !== undefined) {
      throw new Error(
        `the audit head checkpoint ${this.headFile} is missing but the audit log holds keyed records (from seq ` +
          `${Number(keyed.seq)}): restore it from its backup or published copy; if it is truly lost, create it empty ` +
          `(install -m 600 /dev/null ${this.headFile}) to start checkpointing again from the current head`,
      );
    }
    if (log.keyFingerprint !== undefined && log.keyFingerprint !== this.keyFingerprint) {
      throw new Error(
        `the audit key ${this.keyFile} (fingerprint ${this.keyFingerprint}) is not the key the head checkpoint ` +
          `${this.headFile} was written with (${log.keyFingerprint}): restore the right key file`,
      );
    }
    if (log.last !== undefined && log.last.seq > headSeq) {
      throw new Error(
        `the audit head checkpoint ${this.headFile} says the audit log reached seq ${log.last.seq} but the store ` +
          `ends at ${headSeq}: records were removed or an older backup was restored. Run \`alixan audit verify\`; ` +
          `to accept the store as it is, move the checkpoint file aside (keep it: it is evidence)`,
      );
    }
  }

  /**
   * Starts checkpointing (write mode, after the tail since the last checkpoint was verified): opens the head file for
   * appending, writes its header if new, and checkpoints the current head if the file is behind it.
   */
  async startCheckpointing(): Promise<void> {
    if (this.mode !== "write" || this.#db === undefined) return;
    if (this.headFile !== undefined) {
      const log = readCheckpointFile(this.headFile);
      this.#head = await open(this.headFile, "a", 0o600);
      if (!log.present || log.keyFingerprint === undefined) {
        await this.#head.appendFile(`${headerPrefix}: <seq> <mac> <time> lines; key ${this.keyFingerprint}\n`);
      }
      if (log.last !== undefined && log.last.seq === this.#checkpointedSeq) return;
    }
    this.#checkpointedSeq = 0;
    await this.#checkpoint();
  }

  /** Notes an append made in a transaction; the head is checkpointed once that transaction commits. */
  noteAppend(seq: number): void {
    if (this.mode !== "write") throw new Error("the audit trail was opened read-only (verification)");
    if (seq > this.#pendingSeq) this.#pendingSeq = seq;
    this.#startDraining();
  }

  #startDraining(): void {
    if (this.#draining !== undefined || this.#closing) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#pendingSeq > this.#checkpointedSeq) this.#startDraining();
    });
  }

  /**
   * Reads the committed head until it reaches the newest append seen. Reading committed state (not the value
   * appended) keeps a rolled-back transaction out of the checkpoint; one that never commits is given up after 5 s.
   */
  async #drain(): Promise<void> {
    let waitMs = 1;
    let waitedMs = 0;
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      try {
        await this.#checkpoint();
      } catch (error) {
        this.#log(`audit: cannot write the head checkpoint: ${(error as Error).message}`);
        // Tried again at the next append, not in a loop (a full disk would spin).
        this.#pendingSeq = this.#checkpointedSeq;
        return;
      }
      if (this.#checkpointedSeq >= this.#pendingSeq || this.#closing) return;
      if (waitedMs > 5000) {
        this.#pendingSeq = this.#checkpointedSeq;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waitedMs += waitMs;
      waitMs = Math.min(waitMs * 2, 100);
    }
  }

  async #checkpoint(): Promise<void> {
    if (this.#db === undefined) return;
    const head = await this.#db.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1).executeTakeFirst();
    if (head === undefined || Number(head.seq) <= this.#checkpointedSeq) return;
    const checkpoint = { seq: Number(head.seq), mac: head.hash, at: new Date().toISOString() };
    const line = `${checkpoint.seq} ${checkpoint.mac} ${checkpoint.at}\n`;
    if (this.#head !== undefined) {
      await this.#head.appendFile(line);
      await this.#head.datasync();
    } else if (this.headFile === undefined) this.#memoryCheckpoints.push(line);
    this.#checkpointedSeq = checkpoint.seq;
    this.#publish(checkpoint);
  }

  /** Runs the operator's publish command with the head; one at a time, the newest head wins, failures are logged. */
  #publish(checkpoint: Checkpoint): void {
    if (this.#publishCommand === undefined) return;
    if (this.#publishing !== undefined) {
      this.#publishNext = checkpoint;
      return;
    }
    const [executable, ...leading] = this.#publishCommand;
    this.#publishing = new Promise<void>((resolve) => {
      const child = spawn(executable!, [...leading, String(checkpoint.seq), checkpoint.mac, checkpoint.at], {
        shell: false,
        stdio: ["ignore", "ignore", "pipe"],
        timeout: this.#publishTimeoutMs,
        killSignal: "SIGKILL",
      });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        if (stderr.length < 500) stderr += chunk.toString("utf8");
      });
      child.on("error", (error) => {
        this.#log(`audit: publishing head ${checkpoint.seq} failed: ${error.message}`);
        resolve();
      });
      child.on("close", (code, signal) => {
        if (code !== 0) {
          const why =
            signal !== null ? `was stopped (${signal}; timeout ${this.#publishTimeoutMs} ms)` : `exited ${code}`;
          this.#log(`audit: publishing head ${checkpoint.seq}: ${executable} ${why} ${stderr.trim()}`.trimEnd());
        }
        resolve();
      });
    }).finally(() => {
      this.#publishing = undefined;
      const next = this.#publishNext;
      this.#publishNext = undefined;
      if (next !== undefined) this.#publish(next);
    });
  }

  /** Waits until every committed append is checkpointed (and published). */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
    if (this.mode === "write") await this.#checkpoint().catch(() => undefined);
    while (this.#publishing !== undefined) await this.#publishing;
  }

  /** Flushes the checkpoint and releases the head file; call before closing the database. */
  async close(): Promise<void> {
    await this.flush();
    this.#closing = true;
    await this.#head?.close();
    this.#head = undefined;
  }

  /** Keeps a caller's `x-request-id` beside the server's id while the request runs. */
  rememberClientRequestId(requestId: string, clientRequestId: string): void {
    // Bounded by requests in flight; a leak from a lost hook cannot grow without end.
    if (this.#clientRequestIds.size > 10_000) this.#clientRequestIds.clear();
    this.#clientRequestIds.set(requestId, clientRequestId);
  }

  /** Forgets a finished request's caller id. */
  forgetClientRequestId(requestId: string): void {
    this.#clientRequestIds.delete(requestId);
  }

  /** The caller's id of a running request, if it gave one. */
  clientRequestIdOf(requestId: string): string | undefined {
    return this.#clientRequestIds.get(requestId);
  }
}
