// The type declarations of both builds compile as a user's code would import them
// (`import … from "paydesk"` in an ES module, `require("paydesk")` in CommonJS).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

test("the declarations type-check from ESM and from CommonJS", () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", join(here, "types")], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
