// Stand-in TUS with the real tus-js-client: creation-with-upload (the POST carries the first 6 MiB chunk),
// the 6 MiB chunk rule, Upload-Expires, and a resume after a connection dropped in the middle of a PATCH
// (through a loopback proxy that cuts it).
import { Buffer } from "node:buffer";
import * as tus from "npm:tus-js-client@4.3.1";
import { TUS_CHUNK } from "../standin/standin.ts";
import { assert, assertEquals, envTest } from "./_helpers.ts";

const MiB = 1024 * 1024;
/** Deterministic, non-repeating test bytes. */
function bytesOf(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
async function sha256(b: Uint8Array | ArrayBuffer) {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", b as ArrayBuffer))].map((x) => x.toString(16).padStart(2, "0")).join("");
}

type Seen = { method: string; status: number; offset: string | null; expires: string | null };

function upload(url: string, anon: string, token: string, data: Uint8Array, name: string, extra: Partial<tus.UploadOptions> = {}) {
  const seen: Seen[] = [];
  let up!: tus.Upload;
  const done = new Promise<void>((resolve, reject) => {
    up = new tus.Upload(Buffer.from(data), {
      endpoint: `${url}/storage/v1/upload/resumable`,
      headers: { authorization: `Bearer ${token}`, apikey: anon, "x-upsert": "true" },
      uploadDataDuringCreation: true,
      removeFingerprintOnSuccess: true,
      metadata: { bucketName: "images", objectName: name, contentType: "image/png", cacheControl: "3600" },
      chunkSize: TUS_CHUNK,
      retryDelays: [],
      onAfterResponse(req, res) {
        seen.push({ method: req.getMethod(), status: res.getStatus(), offset: res.getHeader("Upload-Offset") ?? null, expires: res.getHeader("Upload-Expires") ?? null });
      },
      onError: reject,
      onSuccess: () => resolve(),
      ...extra,
    });
  });
  return { up, seen, done };
}

envTest("standin TUS with tus-js-client: creation-with-upload, 6 MiB chunks, Upload-Expires, the object arrives intact", async (env) => {
  const s = env.standin;
  const u = await env.signUp();
  const data = bytesOf(2 * TUS_CHUNK + 1234);
  const name = `${u.id}/proj/big.png`;
  const t = upload(s.url, s.anonKey, u.token, data, name);
  t.up.start();
  await t.done;
  assertEquals(t.seen.map((x) => [x.method, x.status, x.offset]), [
    ["POST", 201, String(TUS_CHUNK)], ["PATCH", 204, String(2 * TUS_CHUNK)], ["PATCH", 204, String(data.length)],
  ], "the POST carried the first 6 MiB chunk");
  const exp = Date.parse(t.seen[0].expires ?? "");
  assert(exp > Date.now() + 23 * 3600_000 && exp <= Date.now() + 24 * 3600_000 + 5000, `Upload-Expires ${t.seen[0].expires}`);
  const dl = await fetch(`${s.url}/storage/v1/object/images/${name}`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${u.token}` } });
  const got = new Uint8Array(await dl.arrayBuffer());
  assertEquals([dl.status, got.length, await sha256(got)], [200, data.length, await sha256(data)]);
  const [row] = await s.sql`select owner::text, metadata from storage.objects where bucket_id = 'images' and name = ${name}`;
  assertEquals([row.owner, row.metadata.size, row.metadata.mimetype], [u.id, data.length, "image/png"]);
});

envTest("standin TUS with tus-js-client: chunks other than 6 MiB are refused (400) and their bytes dropped", async (env) => {
  const s = env.standin;
  const u = await env.signUp();
  const data = bytesOf(3 * MiB);
  const t = upload(s.url, s.anonKey, u.token, data, `${u.id}/proj/small-chunks.png`, { chunkSize: MiB, uploadDataDuringCreation: false });
  t.up.start();
  const err = await t.done.then(() => null, (e) => e as tus.DetailedError);
  assert(err, "the upload fails");
  assertEquals(err.originalResponse?.getStatus(), 400);
  const body = JSON.parse(err.originalResponse?.getBody() ?? "{}");
  assertEquals([body.statusCode, body.error], ["400", "invalid_chunk_size"]);
  const head = await fetch(t.up.url!, { method: "HEAD", headers: { apikey: s.anonKey, Authorization: `Bearer ${u.token}`, "Tus-Resumable": "1.0.0" } });
  assertEquals([head.status, head.headers.get("Upload-Offset"), head.headers.get("Upload-Length")], [200, "0", String(data.length)], "nothing kept");
  assert(head.headers.get("Upload-Expires"), "HEAD carries Upload-Expires");
  // a single request carrying the whole file is always fine, whatever its size
  const whole = upload(s.url, s.anonKey, u.token, data, `${u.id}/proj/one-go.png`, { chunkSize: Infinity });
  whole.up.start();
  await whole.done;
  assertEquals(whole.seen.map((x) => [x.method, x.status]), [["POST", 201]]);
});

/** A loopback TCP proxy that, once armed, cuts the client's connection after `cutAfter` more bytes. */
function cuttingProxy(targetPort: number) {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state = { armed: false, cutAfter: 0, cuts: 0 };
  const open = new Set<Deno.Conn>();
  const pump = async (from: Deno.Conn, to: Deno.Conn, count: boolean, kill: () => void) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        if (count && state.armed) {
          state.cutAfter -= n;
          if (state.cutAfter <= 0) {
            state.armed = false;
            state.cuts++;
            kill();
            return;
          }
        }
        for (let off = 0; off < n;) off += await to.write(buf.subarray(off, n));
      }
    } catch { /* closed */ }
    kill();
  };
  (async () => {
    for await (const c of l) {
      const up = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      open.add(c).add(up);
      const kill = () => {
        for (const x of [c, up]) {
          try {
            x.close();
          } catch { /* already */ }
          open.delete(x);
        }
      };
      pump(c, up, true, kill);
      pump(up, c, false, kill);
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(l.addr as Deno.NetAddr).port}`,
    state,
    close() {
      l.close();
      for (const c of open) {
        try {
          c.close();
        } catch { /* already */ }
      }
    },
  };
}

envTest("standin TUS with tus-js-client: a PATCH cut mid-body is resumed from the offset HEAD reports", async (env) => {
  const s = env.standin;
  const u = await env.signUp();
  const proxy = cuttingProxy(Number(new URL(s.url).port));
  try {
    const data = bytesOf(2 * TUS_CHUNK + 777, 7);
    const name = `${u.id}/proj/resumed.png`;
    const t = upload(proxy.url, s.anonKey, u.token, data, name, {
      retryDelays: [0, 50, 200],
      onChunkComplete(_size, accepted) {
        // after the first chunk (sent with the POST), cut the next PATCH about 2 MiB into its body
        if (accepted === TUS_CHUNK && proxy.state.cuts === 0) Object.assign(proxy.state, { armed: true, cutAfter: 2 * MiB });
      },
    });
    t.up.start();
    await t.done;
    assertEquals(proxy.state.cuts, 1, "the connection was cut once");
    // POST (first chunk), PATCH cut mid-body (no response), HEAD → offset, [PATCH 409 while the server still holds the
    // dead request's lock, HEAD …], the final PATCH from the last offset
    const seen = JSON.stringify(t.seen);
    assertEquals([t.seen[0].method, t.seen[0].status, t.seen[1].method], ["POST", 201, "HEAD"], seen);
    const heads = t.seen.filter((x) => x.method === "HEAD");
    const resumedAt = Number(heads[heads.length - 1].offset);
    assert(resumedAt > TUS_CHUNK && resumedAt < 2 * TUS_CHUNK, `bytes that arrived before the cut were kept (offset ${resumedAt}): ${seen}`);
    assert(t.seen.every((x) => x.status < 400 || x.status === 409), seen);
    const last = t.seen[t.seen.length - 1];
    assertEquals([last.method, last.status, last.offset], ["PATCH", 204, String(data.length)], seen);
    const dl = await fetch(`${s.url}/storage/v1/object/images/${name}`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${u.token}` } });
    const got = new Uint8Array(await dl.arrayBuffer());
    assertEquals([got.length, await sha256(got)], [data.length, await sha256(data)], "the object is intact");
  } finally {
    proxy.close();
  }
});
