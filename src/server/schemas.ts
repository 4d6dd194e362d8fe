/**
 * Small schema helpers shared by routes.
 */
import { type Static, type TSchema, Type } from "typebox";

/** A string that must be one of `values`: one JSON Schema `enum`, so a wrong value gets one clear error. */
export function StringEnum<const Values extends readonly string[]>(
  values: Values,
  options: { description?: string } = {},
) {
  return Type.Unsafe<Values[number]>({ type: "string", enum: [...values], ...options });
}

/** `schema` or null. */
export function Nullable<Schema extends TSchema>(schema: Schema) {
  return Type.Union([schema, Type.Null()]);
}

type DeepReadonly<T> = T extends readonly (infer Item)[]
  ? readonly DeepReadonly<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> }
    : T;

/**
 * What a handler may return for a response schema: its static type, read-only all the way down so services' read-only
 * views fit. Annotating a handler with it makes the compiler check the schema against what the handler builds (a
 * missing or mistyped field); the test-time guard (response-check.ts) catches the fields a schema would drop.
 */
export type Reply<Schema extends TSchema> = DeepReadonly<Static<Schema>>;
