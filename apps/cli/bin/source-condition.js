// Module resolution hook for running from the repository: resolve `@gruvision/*` packages to their
// TypeScript sources (the `@gruvision/source` export condition), as `node --conditions` would.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@gruvision/source')
    ? context.conditions
    : ['@gruvision/source', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
