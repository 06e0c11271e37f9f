"""Uploads the built site's static files (target/site/pkg, and the favicon) to the stack's bucket.

    upload_site.py SITE_DIR BUCKET REGION [ENDPOINT_URL]

Each object gets its content type and a short cache lifetime: the file names do not change with
their contents, so browsers revalidate within minutes, and `scripts/deploy` invalidates /pkg/* on
CloudFront after an upload. The endpoint is for tests against a local S3 stand-in (moto).
"""

import mimetypes
import pathlib
import sys

import boto3

CACHE = "public, max-age=300"
TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".css": "text/css"}


def objects(site: pathlib.Path):
    """(key, path) for every file the CloudFront static behaviours serve."""
    for path in sorted((site / "pkg").rglob("*")):
        if path.is_file():
            yield path.relative_to(site).as_posix(), path
    for name in ("favicon.svg", "favicon.ico"):
        if (site / name).is_file():
            yield name, site / name


def main() -> int:
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    site, bucket, region = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    endpoint = sys.argv[4] if len(sys.argv) == 5 else None
    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint)
    uploaded = 0
    for key, path in objects(site):
        kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": kind, "CacheControl": CACHE})
        uploaded += 1
    if uploaded == 0:
        print(f"nothing to upload under {site}/pkg: build the site first", file=sys.stderr)
        return 1
    print(f"uploaded {uploaded} files to s3://{bucket}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
