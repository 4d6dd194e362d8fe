/**
 * Small schema helpers shared by routes.
 */
import { type TSchema, Type } from "typebox";

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
