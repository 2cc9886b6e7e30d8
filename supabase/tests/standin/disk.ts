// The stand-in's state on disk, so that sessions, stored objects and unfinished TUS uploads
// survive a restart: <dir>/auth.json, <dir>/objects/<key>.{bin,json}, <dir>/uploads/<id>.{bin,json}.
// Without a data dir the stand-in uses a fresh temporary one and removes it on close.
import { createHash } from "node:crypto";

export interface StoredObject {
  bytes: Uint8Array;
  contentType: string;
  etag: string;
  size: number;
  lastModified: string;
}

/** An object's file name: the SHA-256 of its "bucket/name" key (any length, any characters). */
const fname = (key: string) => createHash("sha256").update(key).digest("hex");

export class Disk {
  private constructor(readonly dir: string, readonly temporary: boolean) {}

  static async open(dir?: string): Promise<Disk> {
    const d = dir ?? await Deno.makeTempDir({ prefix: "echoes-standin-" });
    for (const sub of ["objects", "uploads"]) await Deno.mkdir(`${d}/${sub}`, { recursive: true });
    return new Disk(d, dir === undefined);
  }

  async remove() {
    if (this.temporary) await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  readJson<T>(name: string, fallback: T): T {
    try {
      return JSON.parse(Deno.readTextFileSync(`${this.dir}/${name}`)) as T;
    } catch {
      return fallback;
    }
  }

  /** Atomic replace (write a temporary file, then rename). */
  writeJson(name: string, value: unknown) {
    const tmp = `${this.dir}/${name}.tmp-${crypto.randomUUID()}`;
    Deno.writeTextFileSync(tmp, JSON.stringify(value));
    Deno.renameSync(tmp, `${this.dir}/${name}`);
  }

  // ---- objects, keyed "bucket/name" ----
  getObject(key: string): StoredObject | undefined {
    const meta = this.readJson<Omit<StoredObject, "bytes"> | null>(`objects/${fname(key)}.json`, null);
    if (!meta) return undefined;
    try {
      return { ...meta, bytes: Deno.readFileSync(`${this.dir}/objects/${fname(key)}.bin`) };
    } catch {
      return undefined;
    }
  }
  putObject(key: string, bytes: Uint8Array, contentType: string): StoredObject {
    const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
    const tmp = `${this.dir}/objects/${fname(key)}.bin.tmp-${crypto.randomUUID()}`;
    Deno.writeFileSync(tmp, bytes);
    Deno.renameSync(tmp, `${this.dir}/objects/${fname(key)}.bin`);
    const meta = { contentType, etag, size: bytes.length, lastModified: new Date().toUTCString() };
    this.writeJson(`objects/${fname(key)}.json`, meta);
    return { ...meta, bytes };
  }
  deleteObject(key: string) {
    for (const ext of ["json", "bin"]) {
      try {
        Deno.removeSync(`${this.dir}/objects/${fname(key)}.${ext}`);
      } catch { /* absent */ }
    }
  }
  moveObject(from: string, to: string) {
    const o = this.getObject(from);
    if (!o) return;
    this.putObject(to, o.bytes, o.contentType);
    this.deleteObject(from);
  }

  // ---- TUS uploads: metadata JSON + the bytes received so far ----
  uploadMeta<T>(id: string): T | null {
    return /^[0-9a-f-]{36}$/.test(id) ? this.readJson<T | null>(`uploads/${id}.json`, null) : null;
  }
  saveUploadMeta(id: string, meta: unknown) {
    this.writeJson(`uploads/${id}.json`, meta);
  }
  uploadPath(id: string) {
    return `${this.dir}/uploads/${id}.bin`;
  }
  deleteUpload(id: string) {
    for (const ext of ["json", "bin"]) {
      try {
        Deno.removeSync(`${this.dir}/uploads/${id}.${ext}`);
      } catch { /* absent */ }
    }
  }
}
