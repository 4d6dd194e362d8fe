/**
 * Demo tenants of the Alixan campus, created on the first start of an empty store: pharma, diagnostics and a
 * hospital consortium (health data), the training campus (students), a generative-AI start-up; plus platform staff.
 * Keys are printed once and kept in the data directory (mode 0600) so a local demo can be reopened.
 */
import type { Kysely } from "kysely";
import type { Database } from "../store/schema.ts";
import type { Role } from "../tenancy/roles.ts";
import { type RequestContext, systemPrincipal, type TenancyService } from "../tenancy/service.ts";

/** One demo user and the key created for them. */
export interface DemoKey {
  readonly email: string;
  readonly role: Role;
  readonly tenantId: string | null;
  readonly userId: string;
  readonly token: string;
}

const tenants = [
  {
    id: "rhone-pharma",
    name: "Rhône Pharma (drug discovery)",
    kind: "pharma",
    dataClasses: ["public", "confidential"],
  },
  {
    id: "valdiag",
    name: "ValDiag diagnostics",
    kind: "diagnostics",
    dataClasses: ["public", "confidential", "health"],
  },
  {
    id: "hopitaux-drome",
    name: "Hôpitaux Drôme-Ardèche consortium",
    kind: "hospital",
    dataClasses: ["public", "confidential", "health"],
  },
  { id: "campus-valence", name: "Valence AI training campus", kind: "campus", dataClasses: ["public"] },
  { id: "atelier-genai", name: "Atelier GenAI (start-up)", kind: "genai", dataClasses: ["public", "confidential"] },
] as const;

const people: readonly { name: string; email: string; role: Role; tenantId: string | null }[] = [
  { name: "Platform admin", email: "admin@alixan.local", role: "platform-admin", tenantId: null },
  { name: "Camille Faure", email: "camille@alixan.local", role: "facility-operator", tenantId: null },
  { name: "Yanis Roux", email: "yanis@alixan.local", role: "platform-admin", tenantId: null },
  { name: "Audit office", email: "audit@alixan.local", role: "auditor", tenantId: null },
  { name: "Léa Martin", email: "lea.martin@valdiag.example", role: "tenant-member", tenantId: "valdiag" },
  { name: "ValDiag admin", email: "admin@valdiag.example", role: "tenant-admin", tenantId: "valdiag" },
  { name: "Rhône Pharma admin", email: "admin@rhone-pharma.example", role: "tenant-admin", tenantId: "rhone-pharma" },
  { name: "Hugo Blanc", email: "hugo@rhone-pharma.example", role: "tenant-member", tenantId: "rhone-pharma" },
  { name: "Hospital admin", email: "admin@hopitaux-drome.example", role: "tenant-admin", tenantId: "hopitaux-drome" },
  { name: "Campus admin", email: "admin@campus-valence.example", role: "tenant-admin", tenantId: "campus-valence" },
  { name: "Inès Garnier", email: "ines@campus-valence.example", role: "student", tenantId: "campus-valence" },
  { name: "Atelier admin", email: "admin@atelier-genai.example", role: "tenant-admin", tenantId: "atelier-genai" },
];

const projects: Readonly<Record<string, readonly string[]>> = {
  "rhone-pharma": ["docking", "protein-folding"],
  valdiag: ["pathology-finetune"],
  "hopitaux-drome": ["radiology-triage"],
  "campus-valence": ["course-deep-learning"],
  "atelier-genai": ["llm-pretraining", "inference"],
};

/** Seeds the demo when the store has no tenant yet; returns the keys created, or undefined if already seeded. */
export async function seedDemo(db: Kysely<Database>, tenancy: TenancyService): Promise<DemoKey[] | undefined> {
  const existing = await db.selectFrom("tenants").select("id").limit(1).executeTakeFirst();
  if (existing !== undefined) return undefined;
  const context: RequestContext = { principal: systemPrincipal("seed"), requestId: "seed" };
  for (const tenant of tenants)
    await tenancy.createTenant(context, { ...tenant, dataClasses: [...tenant.dataClasses] });
  for (const [tenantId, names] of Object.entries(projects)) {
    for (const name of names) await tenancy.createProject(context, { tenantId, name });
  }
  const keys: DemoKey[] = [];
  for (const person of people) {
    const user = await tenancy.createUser(context, person);
    const { token } = await tenancy.createApiKey(context, { userId: user.id, name: "demo" });
    keys.push({ email: person.email, role: person.role, tenantId: person.tenantId, userId: user.id, token });
  }
  return keys;
}
