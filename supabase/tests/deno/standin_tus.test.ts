// Stand-in Storage: TUS resumable uploads (create, PATCH chunks, HEAD resume after a dropped
// connection, offset conflicts, RLS on the caller's folder) and list / move / copy.
import { assert, assertEquals, envTest, sleep } from "./_helpers.ts";

const b64 = (s: string) => btoa(s);

envTest("standin storage TUS: chunks, HEAD resume after a dropped connection, 409 on a wrong offset, own folder only", async (env) => {
  const s = env.standin;
  const a = await env.signUp();
  const b = await env.signUp();
  const data = new Uint8Array(5000).map((_, i) => (i * 7) % 251);
  const name = `${a.id}/proj/big.png`;
  const auth = (tok: string) => ({ apikey: s.anonKey, Authorization: `Bearer ${tok}` });
  const create = (tok: string, obj: string, opts: { len?: number; ct?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${s.url}/storage/v1/upload/resumable`, {
      method: "POST",
      headers: {
        ...auth(tok), "Tus-Resumable": "1.0.0", "Upload-Length": String(opts.len ?? data.length),
        "Upload-Metadata": `bucketName ${b64("images")},objectName ${b64(obj)},contentType ${b64(opts.ct ?? "image/png")},cacheControl ${b64("3600")}`,
        ...opts.headers,
      },
    });
  const patch = (tok: string, loc: string, offset: number, body: BodyInit, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(loc, { method: "PATCH", signal, body, headers: { ...auth(tok), "Tus-Resumable": "1.0.0", "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream", ...headers } });
  const head = (tok: string, loc: string) => fetch(loc, { method: "HEAD", headers: { ...auth(tok), "Tus-Resumable": "1.0.0" } });
  const drain = async (r: Response) => {
    await r.body?.cancel();
    return r.status;
  };
  const rowCount = async () => Number((await s.sql`select count(*)::int as n from storage.objects where bucket_id = 'images' and name = ${name}`)[0].n);

  assertEquals(await drain(await create(a.token, name, { headers: { "Tus-Resumable": "0.2.2" } })), 412, "wrong Tus-Resumable");
  assertEquals(await drain(await create(b.token, name)), 403, "another user's folder is refused at creation");
  assertEquals(await drain(await create(a.token, `${a.id}/proj/x.gif`, { ct: "image/gif" })), 415, "bucket mime types");
  assertEquals(await drain(await create(a.token, name, { len: 15728641 })), 413, "bucket size limit");

  const c = await create(a.token, name);
  assertEquals(await drain(c), 201);
  const loc = c.headers.get("Location") ?? "";
  assert(loc.startsWith(`${s.url}/storage/v1/upload/resumable/`), `Location ${loc}`);
  assertEquals(c.headers.get("Tus-Resumable"), "1.0.0");
  const h0 = await head(a.token, loc);
  assertEquals([h0.status, h0.headers.get("Upload-Offset"), h0.headers.get("Upload-Length")], [200, "0", "5000"]);

  const p1 = await patch(a.token, loc, 0, data.slice(0, 2000));
  assertEquals([await drain(p1), p1.headers.get("Upload-Offset")], [204, "2000"]);
  const stale = await patch(a.token, loc, 0, data.slice(0, 2000));
  assertEquals([await drain(stale), stale.headers.get("Upload-Offset")], [409, "2000"], "wrong offset");
  assertEquals(await drain(await patch(a.token, loc, 2000, data.slice(2000, 3000), { "Content-Type": "application/octet-stream" })), 415);
  assertEquals(await drain(await patch(b.token, loc, 2000, data.slice(2000, 3000))), 403, "another user cannot append");
  assertEquals(await drain(await head(b.token, loc)), 403, "another user cannot probe");
  assertEquals(await rowCount(), 0, "no object before the last chunk");
  assertEquals(await drain(await fetch(`${s.url}/storage/v1/object/images/${name}`, { headers: auth(a.token) })), 400, "not found yet (400 + statusCode 404)");

  // dropped connection: 1000 bytes arrive, then the client aborts mid-request
  const ac = new AbortController();
  const stream = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(data.slice(2000, 3000));
    },
  });
  const inflight = patch(a.token, loc, 2000, stream, {}, ac.signal).then((r) => r.body?.cancel(), (e) => e);
  let offset = "";
  for (let i = 0; i < 200 && offset !== "3000"; i++) {
    await sleep(10);
    offset = (await head(a.token, loc)).headers.get("Upload-Offset") ?? "";
  }
  assertEquals(offset, "3000", "bytes received before the drop are visible via HEAD while streaming");
  ac.abort();
  await inflight;
  // resume like a client: HEAD for the offset, PATCH the rest (back off while the dead request still holds the lock)
  let resumed: Response | null = null;
  for (let i = 0; i < 100; i++) {
    const off = Number((await head(a.token, loc)).headers.get("Upload-Offset"));
    assertEquals(off, 3000, "offset survives the dropped connection");
    resumed = await patch(a.token, loc, off, data.slice(off));
    if (resumed.status !== 409) break;
    await drain(resumed);
    await sleep(10);
  }
  assertEquals([await drain(resumed!), resumed!.headers.get("Upload-Offset")], [204, "5000"]);
  assertEquals(await rowCount(), 1, "object row created with the last chunk");
  const [row] = await s.sql`select owner::text, metadata from storage.objects where bucket_id = 'images' and name = ${name}`;
  assertEquals([row.owner, row.metadata.size, row.metadata.mimetype], [a.id, 5000, "image/png"]);
  const dl = await fetch(`${s.url}/storage/v1/object/images/${name}`, { headers: auth(a.token) });
  assertEquals([dl.status, dl.headers.get("Content-Type")], [200, "image/png"]);
  assertEquals([...new Uint8Array(await dl.arrayBuffer())], [...data], "downloaded bytes equal the uploaded ones");
  assertEquals(await drain(await fetch(`${s.url}/storage/v1/object/images/${name}`, { headers: auth(b.token) })), 400, "RLS on download (statusCode 404)");

  assertEquals(await drain(await create(a.token, name)), 409, "existing object without x-upsert");
  const again = await create(a.token, name, { len: 3, headers: { "x-upsert": "true" } });
  assertEquals(await drain(again), 201);
  assertEquals(await drain(await patch(a.token, again.headers.get("Location")!, 0, new Uint8Array([1, 2, 3, 4]))), 413, "past Upload-Length");
  assertEquals(await drain(await patch(a.token, again.headers.get("Location")!, 0, new Uint8Array([1, 2, 3]))), 204);
  const dl2 = await fetch(`${s.url}/storage/v1/object/images/${name}`, { headers: auth(a.token) });
  assertEquals([...new Uint8Array(await dl2.arrayBuffer())], [1, 2, 3], "upsert replaced the object");
  assertEquals(await drain(await head(a.token, `${s.url}/storage/v1/upload/resumable/${crypto.randomUUID()}`)), 404);
}, { tusChunkSize: 2000 });

envTest("standin storage: list one folder level (folders id null, limit/offset/search/sort), move and copy with RLS", async (env) => {
  const s = env.standin;
  const a = await env.signUp();
  const b = await env.signUp();
  const auth = (tok: string) => ({ apikey: s.anonKey, Authorization: `Bearer ${tok}` });
  for (const p of ["p1/1.png", "p1/2.png", "p2/x.png", "top.png"]) {
    const r = await fetch(`${s.url}/storage/v1/object/images/${a.id}/${p}`, { method: "POST", headers: { ...auth(a.token), "Content-Type": "image/png" }, body: new TextEncoder().encode(p) });
    assertEquals(r.status, 200, p);
    await r.body?.cancel();
  }
  await fetch(`${s.url}/storage/v1/object/images/${b.id}/mine.png`, { method: "POST", headers: { ...auth(b.token), "Content-Type": "image/png" }, body: "b" }).then((r) => r.body?.cancel());
  const list = async (tok: string, body: unknown) => {
    const r = await fetch(`${s.url}/storage/v1/object/list/images`, { method: "POST", headers: { ...auth(tok), "Content-Type": "application/json" }, body: JSON.stringify(body) });
    assertEquals(r.status, 200, "list");
    return await r.json() as { name: string; id: string | null; metadata: { size: number } | null }[];
  };
  const top = await list(a.token, { prefix: a.id, limit: 100, offset: 0, sortBy: { column: "name", order: "asc" } });
  assertEquals(top.map((o) => [o.name, o.id === null]), [["p1", true], ["p2", true], ["top.png", false]]);
  assertEquals(top[2].metadata?.size, 7);
  assertEquals((await list(a.token, { prefix: `${a.id}/p1/` })).map((o) => o.name), ["1.png", "2.png"]);
  assertEquals((await list(a.token, { prefix: `${a.id}/p1`, limit: 1, offset: 1 })).map((o) => o.name), ["2.png"]);
  assertEquals((await list(a.token, { prefix: `${a.id}/p1`, search: "2" })).map((o) => o.name), ["2.png"]);
  assertEquals((await list(a.token, { prefix: `${a.id}/p1`, sortBy: { column: "name", order: "desc" } })).map((o) => o.name), ["2.png", "1.png"]);
  assertEquals(await list(b.token, { prefix: a.id }), [], "RLS: b sees nothing in a's folder");
  assertEquals((await list(b.token, { prefix: "" })).map((o) => o.name), [b.id], "root lists only the caller's folder");

  const move = (tok: string, from: string, to: string, op = "move") => fetch(`${s.url}/storage/v1/object/${op}`, {
    method: "POST", headers: { ...auth(tok), "Content-Type": "application/json" }, body: JSON.stringify({ bucketId: "images", sourceKey: from, destinationKey: to }) });
  const st = async (r: Response) => {
    const b = await r.json();
    assertEquals(r.status, 400, "storage answers errors with HTTP 400");
    return Number(b.statusCode);
  };
  assertEquals(await st(await move(b.token, `${a.id}/p1/1.png`, `${b.id}/stolen.png`)), 404, "b cannot move a's object");
  assertEquals(await st(await move(a.token, `${a.id}/p1/1.png`, `${b.id}/gift.png`)), 403, "a cannot move into b's folder");
  assertEquals(await st(await move(a.token, `${a.id}/p1/1.png`, `${a.id}/p2/x.png`)), 409, "destination exists");
  const ok = await move(a.token, `${a.id}/p1/1.png`, `${a.id}/p2/1.png`);
  assertEquals([ok.status, (await ok.json()).message], [200, "Successfully moved"]);
  assertEquals(await st(await fetch(`${s.url}/storage/v1/object/images/${a.id}/p1/1.png`, { headers: auth(a.token) })), 404, "source gone");
  const moved = await fetch(`${s.url}/storage/v1/object/images/${a.id}/p2/1.png`, { headers: auth(a.token) });
  assertEquals(await moved.text(), "p1/1.png");
  assertEquals((await list(a.token, { prefix: `${a.id}/p2` })).map((o) => o.name), ["1.png", "x.png"]);
  const copy = await move(a.token, `${a.id}/p2/x.png`, `${a.id}/p3/x.png`, "copy");
  assertEquals([copy.status, (await copy.json()).Key], [200, `images/${a.id}/p3/x.png`]);
  assertEquals(await (await fetch(`${s.url}/storage/v1/object/images/${a.id}/p3/x.png`, { headers: auth(a.token) })).text(), "p2/x.png");
  assertEquals(await st(await move(b.token, `${a.id}/p2/x.png`, `${b.id}/x.png`, "copy")), 404, "b cannot copy a's object");
});

envTest("standin storage TUS: expired uploads answer 410; OPTIONS advertises the extensions; a first chunk of the wrong size is refused", async (env) => {
  const s = env.standin;
  const a = await env.signUp();
  const auth = { apikey: s.anonKey, Authorization: `Bearer ${a.token}`, "Tus-Resumable": "1.0.0" };
  const meta = (obj: string) => `bucketName ${b64("images")},objectName ${b64(obj)},contentType ${b64("image/png")}`;
  const opt = await fetch(`${s.url}/storage/v1/upload/resumable`, { method: "OPTIONS", headers: { apikey: s.anonKey } });
  assertEquals([opt.status, opt.headers.get("Tus-Extension")], [204, "creation,creation-with-upload,termination,expiration"]);
  const c = await fetch(`${s.url}/storage/v1/upload/resumable`, { method: "POST", headers: { ...auth, "Upload-Length": "3000", "Upload-Metadata": meta(`${a.id}/p/old.png`) } });
  assertEquals(c.status, 201);
  assert(Date.parse(c.headers.get("Upload-Expires") ?? "") <= Date.now(), "already expired (tusExpiryMs < 0)");
  const h = await fetch(c.headers.get("Location")!, { method: "HEAD", headers: auth });
  assertEquals(h.status, 410, "gone");
  const p = await fetch(c.headers.get("Location")!, { method: "PATCH", headers: { ...auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" }, body: new Uint8Array(3000) });
  assertEquals(p.status, 404, "removed once found expired");
  await p.body?.cancel();
}, { tusExpiryMs: -1 });

envTest("standin storage TUS: creation-with-upload keeps a right-sized first chunk and refuses a wrong one", async (env) => {
  const s = env.standin;
  const a = await env.signUp();
  const auth = { apikey: s.anonKey, Authorization: `Bearer ${a.token}`, "Tus-Resumable": "1.0.0" };
  const create = (obj: string, body: Uint8Array<ArrayBuffer>) => fetch(`${s.url}/storage/v1/upload/resumable`, { method: "POST", body,
    headers: { ...auth, "Upload-Length": "2500", "Content-Type": "application/offset+octet-stream",
      "Upload-Metadata": `bucketName ${b64("images")},objectName ${b64(obj)},contentType ${b64("image/png")}` } });
  const ok = await create(`${a.id}/p/ok.png`, new Uint8Array(1000).fill(7));
  assertEquals([ok.status, ok.headers.get("Upload-Offset")], [201, "1000"]);
  const bad = await create(`${a.id}/p/bad.png`, new Uint8Array(999));
  const body = await bad.json();
  assertEquals([bad.status, body.error], [400, "invalid_chunk_size"]);
  const h = await fetch(bad.headers.get("Location")!, { method: "HEAD", headers: auth });
  assertEquals([h.status, h.headers.get("Upload-Offset")], [200, "0"], "the upload exists, without the refused bytes");
  const whole = await create(`${a.id}/p/whole.png`, new Uint8Array(2500).fill(9));
  assertEquals([whole.status, whole.headers.get("Upload-Offset")], [201, "2500"], "the whole file in the POST");
  const dl = await fetch(`${s.url}/storage/v1/object/images/${a.id}/p/whole.png`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${a.token}` } });
  assertEquals((await dl.arrayBuffer()).byteLength, 2500);
}, { tusChunkSize: 1000 });
