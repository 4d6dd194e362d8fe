/**
 * The part of `net-snmp` (which ships no types) that the SNMP reader uses, as documented in its README:
 * sessions for v2c and v3, get and subtree, varbind errors and the protocol constants.
 */
declare module "net-snmp" {
  /** One variable binding of a response. */
  export interface Varbind {
    readonly oid: string;
    readonly type: number;
    readonly value: unknown;
  }

  /** Options of a session. */
  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    transport?: "udp4" | "udp6";
    version?: number;
    backwardsGetNexts?: boolean;
  }

  /** An SNMPv3 user. */
  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  /** A session with one agent. */
  export interface Session {
    get(oids: string[], callback: (error: Error | null, varbinds: Varbind[]) => void): void;
    subtree(
      oid: string,
      maxRepetitions: number,
      feed: (varbinds: Varbind[]) => boolean | undefined,
      done: (error: Error | null) => void,
    ): void;
    close(): void;
    on(event: "error", listener: (error: Error) => void): void;
  }

  const snmp: {
    Version2c: number;
    Version3: number;
    SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
    AuthProtocols: Record<"md5" | "sha" | "sha224" | "sha256" | "sha384" | "sha512", number>;
    PrivProtocols: Record<"des" | "aes" | "aes256b" | "aes256r", number>;
    ObjectType: Record<string, number>;
    createSession(target: string, community: string, options: SessionOptions): Session;
    createV3Session(target: string, user: User, options: SessionOptions): Session;
    isVarbindError(varbind: Varbind): boolean;
    varbindError(varbind: Varbind): string;
  };
  export default snmp;
}
