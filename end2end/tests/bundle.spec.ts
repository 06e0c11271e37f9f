import * as http from "node:http";
import { test, expect } from "./fixtures";

// The bundle under /pkg: compressed when asked (br, else gzip), plain otherwise, hashed names
// cached for a year; the pages themselves revalidate. Self-hosted the server answers /pkg, in
// the AWS-shaped stack the CloudFront stand-in (crates/aws-stack gateway.rs) does.

// A regression gate, not the goal (300 KB gzipped). The release wasm built by `scripts/test` is
// 678 KB as the server gzips it since the Operations page came in (621 KB before it). Lower this
// as the bundle shrinks.
const MAX_WASM_GZIP = 700 * 1024;
const IMMUTABLE = "public, max-age=31536000, immutable";
const HASHED = /^\/pkg\/expedite\.[A-Za-z0-9_-]{22}\.(js|wasm|css)$/;

type Raw = { status: number; headers: http.IncomingHttpHeaders; bytes: number };

/** GET with exactly these request headers and the body's bytes as sent (not decoded). */
function rawGet(url: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let bytes = 0;
        response.on("data", (chunk: Buffer) => (bytes += chunk.length));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes }));
        response.on("error", reject);
      })
      .on("error", reject);
  });
}

/** The JS, wasm and CSS a page links to, from its HTML. */
async function bundleOf(baseURL: string): Promise<{ page: Raw; files: string[] }> {
  const page = await rawGet(`${baseURL}/sign-in`, { "accept-encoding": "identity" });
  const html = await new Promise<string>((resolve, reject) => {
    http.get(`${baseURL}/sign-in`, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve(body));
    }).on("error", reject);
  });
  const files = [...new Set([...html.matchAll(/(?:href|src)="(\/pkg\/[^"?#]+)"/g)].map((match) => match[1]))];
  return { page, files };
}

test("the bundle's names carry a hash and the pages are not cached", async ({ baseURL }) => {
  const { page, files } = await bundleOf(baseURL!);
  expect(page.status).toBe(200);
  expect(page.headers["content-type"]).toMatch(/^text\/html/);
  expect(page.headers["cache-control"]).toBe("no-cache");
  const kinds = files.map((file) => file.split(".").pop()).sort();
  expect(kinds).toEqual(["css", "js", "wasm"]);
  for (const file of files) expect(file).toMatch(HASHED);
});

test("the bundle is compressed when asked, plain when not, and immutable", async ({ baseURL }) => {
  const { files } = await bundleOf(baseURL!);
  expect(files).toHaveLength(3);
  for (const file of files) {
    const url = `${baseURL}${file}`;
    const plain = await rawGet(url, { "accept-encoding": "identity" });
    expect(plain.status, file).toBe(200);
    expect(plain.headers["content-encoding"], file).toBeUndefined();
    expect(plain.headers["cache-control"], file).toBe(IMMUTABLE);
    for (const encoding of ["br", "gzip"]) {
      const packed = await rawGet(url, { "accept-encoding": encoding });
      expect(packed.status, `${file} ${encoding}`).toBe(200);
      expect(packed.headers["content-encoding"], `${file} ${encoding}`).toBe(encoding);
      expect(packed.headers["vary"] ?? "", `${file} ${encoding}`).toMatch(/accept-encoding/i);
      expect(packed.headers["cache-control"], `${file} ${encoding}`).toBe(IMMUTABLE);
      expect(packed.bytes, `${file} ${encoding}`).toBeLessThan(plain.bytes);
    }
    // A browser's usual header: brotli wins.
    const browser = await rawGet(url, { "accept-encoding": "gzip, deflate, br" });
    expect(browser.headers["content-encoding"], file).toBe("br");
  }
});

test("a missing bundle file is a 404 that is not cached for a year", async ({ baseURL }) => {
  const missing = await rawGet(`${baseURL}/pkg/expedite.AAAAAAAAAAAAAAAAAAAAAA.wasm`, {
    "accept-encoding": "br",
  });
  expect([403, 404]).toContain(missing.status);
  expect(missing.headers["cache-control"] ?? "").not.toContain("immutable");
});

test(`the wasm stays under ${MAX_WASM_GZIP / 1024} KB gzipped`, async ({ baseURL }) => {
  const { files } = await bundleOf(baseURL!);
  const wasm = files.find((file) => file.endsWith(".wasm"));
  expect(wasm).toBeDefined();
  const packed = await rawGet(`${baseURL}${wasm}`, { "accept-encoding": "gzip" });
  expect(packed.headers["content-encoding"]).toBe("gzip");
  expect(packed.bytes).toBeLessThan(MAX_WASM_GZIP);
});
