/**
 * The store is private to the user running the platform: its data directory is 0700, its files 0600, and the
 * platform refuses to start on a directory another local user could write (they could alter the store, plant a
 * symlink or swap a file under it) or that belongs to someone else.
 *
 * A directory an older version created 0755 (readable by others, writable only by us) is tightened to 0700 with
 * everything inside it, once, with a notice: its contents were never alterable by others, only readable, so taking
 * that back is safe and needs no operator decision. A directory others can write is refused instead: its contents
 * can no longer be trusted, and the operator must look at it before running `chmod 700` on it.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Mode of a private directory: owner only. */
export const privateDirectoryMode = 0o700;
/** Mode of a private file: owner read and write. */
export const privateFileMode = 0o600;
/** The process umask that makes every new file private (0600) and directory private (0700). */
export const privateUmask = 0o077;

/** A data directory the platform must not use, with the one-line reason and fix. */
export class UnsafeDirectoryError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.name = "UnsafeDirectoryError";
    this.path = path;
  }
}

/** What `preparePrivateDirectory` did. */
export interface PreparedDirectory {
  /** The directory did not exist and was created 0700. */
  readonly created: boolean;
  /** The directory (and its contents) were readable by others and were tightened to 0700/0600. */
  readonly tightened: boolean;
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/**
 * Makes new files of this process private (umask 077). Called by the commands that write the store (serve, start,
 * the admin commands) only: commands that write reports or configurations to paths the user names keep the user's
 * umask, so their outputs stay as shareable as the user wants.
 */
export function restrictFileCreation(): void {
  process.umask(privateUmask);
}

/**
 * Creates `path` as a private directory, or checks an existing one: refused (UnsafeDirectoryError) when it is not a
 * directory, belongs to another user, or group or others can write it; tightened when only readable by others.
 * `what` names the directory in messages ("data directory", "telemetry directory").
 */
export function preparePrivateDirectory(path: string, what = "data directory"): PreparedDirectory {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(path, { recursive: true, mode: privateDirectoryMode });
    // mkdir's mode passes through the umask; the directory itself is made exactly 0700 whatever the umask.
    chmodSync(path, privateDirectoryMode);
    return { created: true, tightened: false };
  }
  if (!stats.isDirectory()) throw new UnsafeDirectoryError(path, `the ${what} ${path} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new UnsafeDirectoryError(
      path,
      `the ${what} ${path} belongs to user ${stats.uid}, not to the user running alixan (${uid}); run alixan as its owner, or fix: chown -R ${uid} ${path} && chmod 700 ${path}`,
    );
  }
  if ((stats.mode & 0o022) !== 0) {
    throw new UnsafeDirectoryError(
      path,
      `the ${what} ${path} is writable by other users (mode ${octal(stats.mode)}); check its contents, then fix: chmod 700 ${path}`,
    );
  }
  if ((stats.mode & 0o077) === 0) return { created: false, tightened: false };
  chmodSync(path, privateDirectoryMode);
  tightenContents(path);
  return { created: false, tightened: true };
}

/**
 * Takes group and other permissions off everything under `directory` (files become 0600, directories 0700, owner
 * bits kept). Symbolic links are left alone: their target is not ours to change. Used after an embedded engine
 * creates files with its own modes (PGlite writes its initial files 0666 whatever the umask).
 */
export function tightenContents(directory: string): number {
  let changed = 0;
  const pending = [directory];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries: string[];
    try {
      entries = readdirSync(current);
    } catch {
      continue; // removed meanwhile (a temporary file of the engine)
    }
    for (const name of entries) {
      const path = join(current, name);
      let stats: ReturnType<typeof lstatSync>;
      try {
        stats = lstatSync(path);
      } catch {
        continue;
      }
      if (stats.isSymbolicLink()) continue;
      if (stats.isDirectory()) pending.push(path);
      if ((stats.mode & 0o077) === 0) continue;
      try {
        chmodSync(path, stats.mode & 0o700);
        changed++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
  }
  return changed;
}
