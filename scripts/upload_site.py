"""Uploads the built site's static files (target/site/pkg, and the favicon) to the stack's bucket.

    upload_site.py SITE_DIR BUCKET REGION [ENDPOINT_URL]
    upload_site.py --self-test

Each object is stored uncompressed with its content type and a cache lifetime: a year,
immutable, for the bundle's hashed names (`expedite.<hash>.wasm`, cargo-leptos `hash-files`: a
new build has new names), five minutes for the rest (the favicon, wasm-bindgen snippets). S3
cannot negotiate an encoding, so no `Content-Encoding` is stored and the `.br`/`.gz` siblings a
`--precompress` build writes are skipped: CloudFront compresses per viewer (the `/pkg/*`
behaviour's `Compress: true` and a cache policy that accepts br and gzip). Old names stay in
the bucket, so pages rendered before a deploy still find their bundle. The endpoint is for
tests against a local S3 stand-in (moto). crates/aws-stack's gateway.rs applies the same rule.
"""

import mimetypes
import pathlib
import re
import sys

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
# cargo-leptos' hash: the MD5 of the file, base64url without padding (22 characters).
HASHED = re.compile(r"^[^.]+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]+$")
PRECOMPRESSED = (".br", ".gz")


def cache_control(name: str) -> str:
    return IMMUTABLE if HASHED.match(name) else SHORT


def objects(site: pathlib.Path):
    """(key, path) for every file the CloudFront static behaviours serve."""
    for path in sorted((site / "pkg").rglob("*")):
        # wasm-bindgen's TypeScript declarations (`*.d.<hash>.ts`) are for editors, not browsers.
        if path.is_file() and path.suffix not in PRECOMPRESSED and path.suffix != ".ts":
            yield path.relative_to(site).as_posix(), path
    for name in ("favicon.svg", "favicon.ico"):
        if (site / name).is_file():
            yield name, site / name


def metadata(path: pathlib.Path) -> dict:
    kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {"ContentType": kind, "CacheControl": cache_control(path.name)}


def self_test() -> int:
    assert cache_control("expedite.fbH6V0Ykgt2sE7nLZQCc4Q.wasm") == IMMUTABLE
    assert cache_control("expedite.a-b_c0123456789ABCDEFG.js") == IMMUTABLE
    assert cache_control("expedite.wasm") == SHORT
    assert cache_control("favicon.svg") == SHORT
    assert cache_control("inline0.js") == SHORT
    assert metadata(pathlib.Path("pkg/expedite.fbH6V0Ykgt2sE7nLZQCc4Q.wasm"))["ContentType"] == "application/wasm"
    print("upload_site.py: self-test passed")
    return 0


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    import boto3

    site, bucket, region = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    endpoint = sys.argv[4] if len(sys.argv) == 5 else None
    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint)
    uploaded = 0
    for key, path in objects(site):
        s3.upload_file(str(path), bucket, key, ExtraArgs=metadata(path))
        uploaded += 1
    if uploaded == 0:
        print(f"nothing to upload under {site}/pkg: build the site first", file=sys.stderr)
        return 1
    print(f"uploaded {uploaded} files to s3://{bucket}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
