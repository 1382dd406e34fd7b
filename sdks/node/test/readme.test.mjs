// The README's quick start, run as written against the real server.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { startPaydesk } from "./support/server.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

let pd;
before(async () => {
  pd = await startPaydesk();
});
after(async () => {
  await pd?.stop();
});

test("the quick start is five lines and works as written", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.split("## Quick start")[1];
  const code = /```js\n([\s\S]*?)```/.exec(section)[1];
  assert.equal(code.trim().split("\n").length, 5, code);
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd: root,
    env: { ...process.env, PAYDESK_API_KEY: pd.secretKey, PAYDESK_URL: pd.origin },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /email: 'jenny@example\.com'/);
  assert.match(run.stdout, /^cus_\S+ jenny@example\.com$/m);
});
