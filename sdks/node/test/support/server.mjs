// A real `paydesk serve` for one test file: a fresh SQLite database in a temp dir, a free
// loopback port, an Admin made with the CLI, a user token from /auth/login and a
// full-access test key from /api-keys. `stop()` ends the server and removes the dir.
//
// The binary: PAYDESK_BIN, else <repo>/target/release/paydesk, else built there with
// `cargo build --release`.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Paydesk } from "paydesk";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const PASSWORD = "sdk-node-password-1";

export function paydeskBinary() {
  if (process.env.PAYDESK_BIN) return process.env.PAYDESK_BIN;
  const built = join(repoRoot, "target/release/paydesk");
  if (!existsSync(built)) {
    const run = spawnSync("cargo", ["build", "--release", "--locked"], { cwd: repoRoot, stdio: "inherit" });
    if (run.status !== 0) throw new Error("cargo build --release failed");
  }
  return built;
}

/** A port nothing listens on now (the server binds it right after). */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts the server and bootstraps it. Returns `{ origin, env, token, key, secretKey,
 * publishableKey, user, client, stop, log }`: `user` is a client with the token, `client`
 * one with the secret key.
 */
export async function startPaydesk({ email = "admin@sdk-node.test", merchant = "SDK Node" } = {}) {
  const bin = paydeskBinary();
  const dir = mkdtempSync(join(tmpdir(), "paydesk-sdk-node-"));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PAYDESK_BIND: `127.0.0.1:${port}`,
    PAYDESK_DATABASE_URL: `sqlite://${join(dir, "p.db")}`,
    PAYDESK_SECRET: randomBytes(48).toString("hex"),
    PAYDESK_WEBHOOK_ALLOW_PRIVATE: "true",
    PAYDESK_WEBHOOK_RETRY_BASE_MS: "60000",
    PAYDESK_LOG_FORMAT: "text",
    NO_COLOR: "1",
  };
  delete env.PAYDESK_REDIS_URL;
  delete env.PAYDESK_METRICS_BIND;
  const logPath = join(dir, "server.log");
  const out = openSync(logPath, "a");
  const server = spawn(bin, ["serve"], { cwd: dir, env, stdio: ["ignore", out, out] });
  let exited = false;
  server.on("exit", () => {
    exited = true;
  });
  const log = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((ok) => server.once("exit", ok));
      server.kill("SIGTERM");
      const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(origin, () => exited, log);
    const made = spawnSync(
      bin,
      ["user", "create", "--email", email, "--role", "admin", "--merchant", merchant, "--password-stdin"],
      { cwd: dir, env, input: `${PASSWORD}\n`, encoding: "utf8" },
    );
    if (made.status !== 0) throw new Error(`paydesk user create failed: ${made.stderr}`);
    const login = await new Paydesk(null, { baseUrl: origin }).auth.login({ email, password: PASSWORD });
    const user = new Paydesk(login.token, { baseUrl: origin });
    const key = await user.apiKeys.create({ name: "sdk-node suite", permissions: "*", rate_limit: 100000 });
    const client = new Paydesk(key.secret_key, { baseUrl: origin });
    return {
      origin,
      env,
      dir,
      token: login.token,
      key,
      secretKey: key.secret_key,
      publishableKey: key.publishable_key,
      user,
      client,
      stop,
      log,
    };
  } catch (e) {
    const text = log();
    await stop();
    throw new Error(`${e.message}\n--- server log ---\n${text.slice(-4000)}`);
  }
}

async function waitUntilUp(origin, exited, log) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`paydesk serve exited:\n${log()}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error("paydesk serve did not answer /healthz within 30 s");
}

/** A fetch that records each request (method, URL, headers, body) before sending it. */
export function recordingFetch(calls, inner = globalThis.fetch) {
  return async (url, init = {}) => {
    calls.push({
      method: init.method ?? "GET",
      url: new URL(url),
      headers: { ...(init.headers ?? {}) },
      body: init.body,
    });
    return inner(url, init);
  };
}
