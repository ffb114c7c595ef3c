// The architecture check (`npm run check:layers`, part of `npm test`): the layers point one
// way, downward, and may skip a layer — workers → durable-objects → services → engine →
// schemas — with no import cycles. The engine is pure: no Workers runtime, no bindings.
const LAYERS = ["schemas", "engine", "services", "durable-objects", "workers"];

const upward = LAYERS.flatMap((layer, i) =>
  LAYERS.slice(i + 1).map((higher) => ({
    name: `${layer}-not-up-to-${higher}`,
    comment: `${layer}/ sits below ${higher}/: it may not import from it.`,
    severity: "error",
    from: { path: `^${layer}/` },
    to: { path: `^${higher}/` },
  })),
);

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "An import cycle tangles modules that should be read one at a time.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: "engine-is-pure",
      comment: "The engine has no I/O: no cloudflare:* modules, no Node built-ins.",
      severity: "error",
      from: { path: "^(engine|schemas)/" },
      to: { path: "^(cloudflare:|node:)", dependencyTypes: ["core", "unknown", "undetermined"] },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "workerd"] },
    exclude: { path: "^test/" },
  },
};
