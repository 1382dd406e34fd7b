// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with its declarations, and
// marks each folder with its module type so Node reads each build as what it is.
// Run by `npm run build` and by the `prepare` script (so `npm install ./sdks/node` builds).
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
let tsc;
try {
  tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
} catch {
  console.error("paydesk: typescript is missing; run `npm install` in sdks/node first");
  process.exit(1);
}

rmSync(join(root, "dist"), { recursive: true, force: true });
for (const [config, type] of [
  ["tsconfig.esm.json", "module"],
  ["tsconfig.cjs.json", "commonjs"],
]) {
  const run = spawnSync(process.execPath, [tsc, "-p", join(root, config)], { stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const out = join(root, "dist", type === "module" ? "esm" : "cjs");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "package.json"), JSON.stringify({ type }) + "\n");
}
