/**
 * Administration on the store itself, as the local operator: `alixan tenant|user|key ...` and `alixan audit ...`.
 * They act as `system:cli` with platform-admin rights and are audited like API calls. With the embedded store, stop
 * the server first (the data directory is locked while it runs) or use the HTTP API.
 */
import type { Command } from "commander";
import { AppError } from "../../core/errors.ts";
import { restrictFileCreation } from "../../core/private-files.ts";
import { type AuditVerification, verifyAuditChain } from "../../store/audit.ts";
import type { AuditTrailMode } from "../../store/audit-trail.ts";
import { locationFromEnvironment, openStore, type Store } from "../../store/database.ts";
import { everyPage, type RequestContext, systemPrincipal, TenancyService } from "../../tenancy/service.ts";
import { CliError, exitCodes, printJson, renderTable, wantsJson } from "../output.ts";

interface StoreOptions {
  dataDir?: string;
}

const context: RequestContext = { principal: systemPrincipal("cli"), requestId: `cli-${process.pid}` };

async function withStore<Result>(
  options: StoreOptions,
  work: (store: Store, tenancy: TenancyService) => Promise<Result>,
  audit: AuditTrailMode = "write",
) {
  let store: Store;
  // Files these commands create belong to the store: private to this user.
  restrictFileCreation();
  try {
    store = await openStore(
      options.dataDir !== undefined ? { kind: "pglite", dataDir: options.dataDir } : locationFromEnvironment(),
      { audit },
    );
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  try {
    return await work(store, new TenancyService(store.db));
  } catch (error) {
    if (error instanceof AppError) {
      throw new CliError(`${error.field === undefined ? "" : `${error.field}: `}${error.message}`, exitCodes.invalid);
    }
    throw error;
  } finally {
    await store.close();
  }
}

function storeOption(command: Command): Command {
  return command.option(
    "--data-dir <dir>",
    "embedded store directory (default ./data; DATABASE_URL selects PostgreSQL)",
  );
}

function output(command: Command, value: unknown, table: () => string): void {
  if (wantsJson(command)) printJson(value);
  else process.stdout.write(`${table()}\n`);
}

async function findUser(tenancy: TenancyService, emailOrId: string) {
  const users = await everyPage((page) => tenancy.listUsers(context, page));
  const user = users.find((candidate) => candidate.id === emailOrId || candidate.email === emailOrId.toLowerCase());
  if (user === undefined) throw new CliError(`no user with id or e-mail "${emailOrId}"`);
  return user;
}

/** The verification as people read it: the first problem first, by record and kind, then every problem. */
export function describeVerification(verification: AuditVerification, store: Store): string {
  const checkpoint =
    verification.checkpoint === null
      ? "no head checkpoint yet"
      : `head checkpoint at seq ${verification.checkpoint.seq} (${verification.checkpoint.at})`;
  if (verification.ok) {
    return (
      `audit log intact: ${verification.records} records chained (${verification.keyedRecords} keyed), ${checkpoint}` +
      `\n  key ${store.audit.keyFile ?? "(in memory)"}, checkpoint ${store.audit.headFile ?? "(in memory)"}`
    );
  }
  const first = verification.firstProblem!;
  const where = first.seq === null ? "the store" : `record ${first.seq}`;
  return [
    `audit log TAMPERED: first bad: ${where} (${first.kind}): ${first.problem}`,
    `${verification.problems.length} problem(s) in ${verification.records} records, ${checkpoint}:`,
  ]
    .concat(
      verification.problems.map(
        (problem) =>
          `  ${problem.seq === null ? "store" : `record ${problem.seq}`} [${problem.kind}]: ${problem.problem}`,
      ),
    )
    .join("\n");
}

/** `alixan tenant list|create`. */
function registerTenantCommands(program: Command): void {
  const tenant = program.command("tenant").description("list and create tenants");
  storeOption(tenant.command("list").description("list tenants")).action(
    async (options: StoreOptions, command: Command) => {
      await withStore(options, async (_store, tenancy) => {
        const tenants = await everyPage((page) => tenancy.listTenants(context, page));
        output(command, tenants, () =>
          renderTable(
            [{ header: "id" }, { header: "name" }, { header: "kind" }, { header: "data classes" }],
            tenants.map((item) => [item.id, item.name, item.kind, item.data_classes.join(", ")]),
          ),
        );
      });
    },
  );
  storeOption(
    tenant
      .command("create")
      .description("create a tenant")
      .argument("<id>", "tenant id (lower-case letters, digits, -)")
      .requiredOption("--name <name>", "display name")
      .requiredOption("--kind <kind>", "pharma, diagnostics, hospital, campus, genai, research or operator")
      .option("--data-classes <list>", "comma-separated: public, confidential, health", "public,confidential"),
  ).action(
    async (
      id: string,
      options: StoreOptions & { name: string; kind: string; dataClasses: string },
      command: Command,
    ) => {
      await withStore(options, async (_store, tenancy) => {
        const created = await tenancy.createTenant(context, {
          id,
          name: options.name,
          kind: options.kind,
          dataClasses: options.dataClasses.split(",").map((item) => item.trim()),
        });
        output(command, created, () => `created tenant ${created.id}`);
      });
    },
  );
}

/** `alixan user list|create|disable`. */
function registerUserCommands(program: Command): void {
  const user = program.command("user").description("list, create and disable users");
  storeOption(user.command("list").description("list users")).action(
    async (options: StoreOptions, command: Command) => {
      await withStore(options, async (_store, tenancy) => {
        const users = await everyPage((page) => tenancy.listUsers(context, page));
        output(command, users, () =>
          renderTable(
            [{ header: "id" }, { header: "e-mail" }, { header: "role" }, { header: "tenant" }, { header: "disabled" }],
            users.map((item) => [item.id, item.email, item.role, item.tenant_id ?? "—", item.disabled_at ?? ""]),
          ),
        );
      });
    },
  );
  storeOption(
    user
      .command("create")
      .description("create a user")
      .requiredOption("--email <email>", "e-mail address")
      .requiredOption("--name <name>", "display name")
      .requiredOption(
        "--role <role>",
        "platform-admin, facility-operator, auditor, metrics-reader (scrapes /metrics only), telemetry-writer (pushes samples only), tenant-admin, tenant-member, student",
      )
      .option("--tenant <id>", "tenant (required for tenant roles)"),
  ).action(
    async (
      options: StoreOptions & { email: string; name: string; role: string; tenant?: string },
      command: Command,
    ) => {
      await withStore(options, async (_store, tenancy) => {
        const created = await tenancy.createUser(context, {
          tenantId: options.tenant ?? null,
          name: options.name,
          email: options.email,
          role: options.role,
        });
        output(command, created, () => `created user ${created.id} (${created.email}, ${created.role})`);
      });
    },
  );
  storeOption(
    user.command("disable").description("disable a user and revoke their keys").argument("<user>", "id or e-mail"),
  ).action(async (who: string, options: StoreOptions, command: Command) => {
    await withStore(options, async (_store, tenancy) => {
      const disabled = await tenancy.disableUser(context, (await findUser(tenancy, who)).id);
      output(command, disabled, () => `disabled ${disabled.email}; their keys are revoked`);
    });
  });
}

/** `alixan key create|list|revoke`. */
function registerKeyCommands(program: Command): void {
  const key = program.command("key").description("create, list and revoke API keys");
  storeOption(
    key
      .command("create")
      .description("create an API key (the token is printed once)")
      .requiredOption("--user <user>", "id or e-mail of the user")
      .option("--name <name>", "what the key is for", "cli")
      .option("--expires <date>", "expiry date (ISO 8601)"),
  ).action(async (options: StoreOptions & { user: string; name: string; expires?: string }, command: Command) => {
    await withStore(options, async (_store, tenancy) => {
      const owner = await findUser(tenancy, options.user);
      const created = await tenancy.createApiKey(context, {
        userId: owner.id,
        name: options.name,
        expiresAt: options.expires ?? null,
      });
      output(
        command,
        created,
        () => `${created.token}\n(key ${created.key.id} for ${owner.email}: shown once, store it now)`,
      );
    });
  });
  storeOption(
    key.command("list").description("list keys (never their secrets)").option("--user <user>", "id or e-mail"),
  ).action(async (options: StoreOptions & { user?: string }, command: Command) => {
    await withStore(options, async (_store, tenancy) => {
      const userId = options.user === undefined ? undefined : (await findUser(tenancy, options.user)).id;
      const keys = await everyPage((page) => tenancy.listApiKeys(context, page, userId));
      output(command, keys, () =>
        renderTable(
          [
            { header: "id" },
            { header: "user" },
            { header: "name" },
            { header: "created" },
            { header: "expires" },
            { header: "revoked" },
          ],
          // "never": a key without an expiry, not a blank that reads as unknown.
          keys.map((item) => [
            item.id,
            item.userId,
            item.name,
            item.createdAt,
            item.expiresAt ?? "never",
            item.revokedAt ?? "",
          ]),
        ),
      );
    });
  });
  storeOption(key.command("revoke").description("revoke a key").argument("<id>", "key id")).action(
    async (id: string, options: StoreOptions, command: Command) => {
      await withStore(options, async (_store, tenancy) => {
        const revoked = await tenancy.revokeApiKey(context, id);
        output(command, revoked, () => `revoked key ${revoked.id}`);
      });
    },
  );
}

/** `alixan audit verify|list`. */
function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("read and verify the keyed, checkpointed audit log");
  storeOption(
    audit
      .command("verify")
      .description(
        "recompute the keyed chain, compare it with the head checkpoint and check the append-only triggers; exit 1 " +
          "naming the first bad record if anything was edited, deleted, renumbered, cut off, forged or unprotected",
      ),
  ).action(async (options: StoreOptions, command: Command) => {
    await withStore(
      options,
      async (store) => {
        const verification = await verifyAuditChain(store.db);
        output(command, verification, () => describeVerification(verification, store));
        if (!verification.ok) process.exitCode = exitCodes.invalid;
      },
      "verify",
    );
  });
  storeOption(
    audit
      .command("list")
      .description("list audit records")
      .option("--after <seq>", "start after this sequence number", "0")
      .option("--limit <n>", "how many", "50"),
  ).action(async (options: StoreOptions & { after: string; limit: string }, command: Command) => {
    await withStore(options, async (store) => {
      const rows = await store.db
        .selectFrom("audit_log")
        .selectAll()
        .where("seq", ">", Number(options.after))
        .orderBy("seq")
        .limit(Number(options.limit))
        .execute();
      output(command, rows, () =>
        renderTable(
          [
            { header: "seq", align: "right" },
            { header: "at" },
            { header: "actor" },
            { header: "action" },
            { header: "resource" },
          ],
          rows.map((row) => [String(row.seq), row.at, row.actor, row.action, row.resource]),
        ),
      );
    });
  });
}

/** Adds `tenant`, `user`, `key` and `audit`. */
export function registerAdminCommands(program: Command): void {
  registerTenantCommands(program);
  registerUserCommands(program);
  registerKeyCommands(program);
  registerAuditCommands(program);
}
