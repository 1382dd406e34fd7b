// A loopback proxy in front of the real server that records each attempt (method, path,
// Idempotency-Key, the answer's Idempotent-Replayed) and lets a test decide, attempt by
// attempt, to pass it on, answer it itself, or drop the connection.
import { createServer } from "node:http";

import { freePort } from "./server.mjs";

/**
 * `plan(attempt, n)` returns "forward", "drop" (close before forwarding),
 * "forward-then-drop" (the server handles it, the client never hears), or
 * `{ status, headers, body }` to answer without forwarding.
 */
export async function startProxy(upstream, plan = () => "forward") {
  const attempts = [];
  const port = await freePort();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const attempt = {
      method: req.method,
      path: req.url,
      idempotencyKey: req.headers["idempotency-key"],
      signature: req.headers["paydesk-signature"],
      replayed: undefined,
    };
    attempts.push(attempt);
    const step = plan(attempt, attempts.length);
    if (step === "drop") {
      req.socket.destroy();
      return;
    }
    if (typeof step === "object") {
      res.writeHead(step.status, { "content-type": "application/json", ...(step.headers ?? {}) });
      res.end(step.body ?? "");
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    delete headers["content-length"];
    delete headers["transfer-encoding"];
    const answer = await fetch(upstream + req.url, {
      method: req.method,
      headers,
      body: body.length > 0 ? body : undefined,
    });
    const text = await answer.text();
    attempt.status = answer.status;
    attempt.replayed = answer.headers.get("idempotent-replayed") ?? undefined;
    if (step === "forward-then-drop") {
      req.socket.destroy();
      return;
    }
    const out = {};
    answer.headers.forEach((v, k) => {
      if (!["content-length", "transfer-encoding", "connection", "keep-alive"].includes(k)) out[k] = v;
    });
    res.writeHead(answer.status, out);
    res.end(text);
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  return {
    origin: `http://127.0.0.1:${port}`,
    attempts,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
