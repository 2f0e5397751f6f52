import * as z from 'zod/mini';
import english from 'zod/v4/locales/en.js';

/*
 * The config schemas are written with `zod/mini`, zod's functional API: the same validation core as the
 * chaining API without its methods, which every run of the CLI would load and compile. Import it as
 * `import * as z from 'zod/mini'` in each file (never re-export the namespace): the bundler then keeps
 * only the functions used, not every locale and the JSON Schema generator.
 * Mini sets no locale; English gives the messages that users see for `.min(1)` and the like.
 */
z.config(english());

/**
 * A copy of `schema` that carries `metadata` (description, default, pattern) for the JSON Schema; parsing is
 * unchanged. The copy keeps the original as its parent, so a schema shared by several keys can be described
 * differently at each.
 */
export function withMeta<Schema extends z.ZodMiniType>(schema: Schema, metadata: z.core.GlobalMeta): Schema {
  const copy = schema.clone();
  z.globalRegistry.add(copy, metadata);
  return copy;
}

export function described<Schema extends z.ZodMiniType>(schema: Schema, description: string): Schema {
  return withMeta(schema, { description });
}
