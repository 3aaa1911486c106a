//! The web pages and the npm package, served from a snapshot taken at start.
//!
//! Serving straight from `www/` and `wasm/js/pkg/` meant that rebuilding the
//! package took the live pages down, every file went out uncompressed
//! (the 2.3 MB `.wasm` too) and nothing said how long a browser may keep it.
//! Instead the files are read once into memory, compressed once when first
//! asked for (brotli and gzip), and served with an ETag. The package is also served under a
//! content-hashed prefix, `/pkg/<hash>/…`, that never changes meaning, so it
//! is cached as `immutable`; the pages' own references to `/pkg/` are
//! rewritten to that prefix in the snapshot. Everything else revalidates
//! (`no-cache` + ETag: a 304 costs one round trip and no bytes).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Most files a snapshot takes (a mistaken `--www /` must not read a disk).
const MAX_FILES: usize = 4_000;
/// Most bytes a snapshot takes.
const MAX_BYTES: u64 = 256 << 20;
/// Files smaller than this are not worth compressing.
const MIN_COMPRESS: usize = 512;

/// One file, ready to send.
#[derive(Debug, Clone)]
struct Asset {
    content_type: &'static str,
    etag: String,
    immutable: bool,
    identity: Bytes,
    /// Brotli and gzip forms (each only when smaller), made on first
    /// request: the service starts at once, and files nobody fetches (the
    /// package's Node and bundler builds) are never compressed.
    compressed: Arc<OnceLock<Compressed>>,
}

#[derive(Debug, Default)]
struct Compressed {
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl Asset {
    fn compressed(&self) -> &Compressed {
        self.compressed.get_or_init(|| {
            if !compressible(self.content_type) || self.identity.len() < MIN_COMPRESS {
                return Compressed::default();
            }
            let smaller = |c: Option<Bytes>| c.filter(|c| c.len() < self.identity.len());
            Compressed {
                br: smaller(brotli(&self.identity)),
                gzip: smaller(gzip(&self.identity)),
            }
        })
    }
}

/// The snapshot: URL path → file.
#[derive(Debug, Clone, Default)]
pub struct StaticSite {
    assets: BTreeMap<String, Asset>,
    pkg_hash: Option<String>,
}

/// A content encoding the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `br`.
    Brotli,
    /// `gzip`.
    Gzip,
    /// None.
    Identity,
}

/// The best encoding `accept` (an `Accept-Encoding` value) allows, of those
/// available: brotli, then gzip. `q=0` refuses one.
pub fn negotiate(accept: &str, have_br: bool, have_gzip: bool) -> Encoding {
    let accepts = |name: &str| {
        accept.split(',').any(|part| {
            let mut it = part.split(';');
            let token = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            });
            (token.eq_ignore_ascii_case(name) || token == "*") && !refused
        })
    };
    if have_br && accepts("br") {
        Encoding::Brotli
    } else if have_gzip && accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// The media type of a file, by its name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "md" | "ts" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type == "application/wasm"
        || content_type == "image/svg+xml"
}

/// Points a page's references to the package at its hashed prefix.
pub fn rewrite_pkg_refs(text: &str, hash: &str) -> String {
    let prefixed = format!("/pkg/{hash}/");
    text.replace("\"/pkg/", &format!("\"{prefixed}"))
        .replace("'/pkg/", &format!("'{prefixed}"))
}

fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).ok()?;
    enc.finish().ok().map(Bytes::from)
}

fn brotli(bytes: &[u8]) -> Option<Bytes> {
    let mut out = Vec::new();
    // Quality 9: within a few percent of 11 and several times faster, since
    // the snapshot is compressed while the service starts.
    let params = brotli::enc::BrotliEncoderParams {
        quality: 9,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).ok()?;
    Some(out.into())
}

fn read_tree(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, Vec<u8>)>,
    budget: &mut (usize, u64),
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            read_tree(root, &path, out, budget)?;
        } else if kind.is_file() {
            let len = entry.metadata()?.len();
            budget.0 += 1;
            budget.1 += len;
            if budget.0 > MAX_FILES || budget.1 > MAX_BYTES {
                return Err(std::io::Error::other(format!(
                    "{} holds more than {MAX_FILES} files or {} MiB",
                    root.display(),
                    MAX_BYTES >> 20
                )));
            }
            let rel = path
                .strip_prefix(root)
                .map_err(std::io::Error::other)?
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read(&path)?));
        }
    }
    Ok(())
}

fn asset(url: &str, body: Vec<u8>, immutable: bool) -> Asset {
    let content_type = content_type(url);
    let digest = Sha256::digest(&body);
    let etag = format!("\"{}\"", hex::encode(&digest[..12]));
    Asset {
        content_type,
        etag,
        immutable,
        identity: body.into(),
        compressed: Arc::default(),
    }
}

impl StaticSite {
    /// Reads `www` (served at `/`) and `pkg` (served at `/pkg/` and at
    /// `/pkg/<hash>/`) into memory. A directory that does not exist is left
    /// out with a warning; one that cannot be read is an error.
    pub fn snapshot(www: Option<&Path>, pkg: Option<&Path>) -> std::io::Result<Self> {
        let mut site = Self::default();
        let mut budget = (0usize, 0u64);
        let read = |dir: &Path, budget: &mut (usize, u64)| -> std::io::Result<Vec<_>> {
            let mut files = Vec::new();
            if dir.is_dir() {
                read_tree(dir, dir, &mut files, budget)?;
            } else {
                tracing::warn!(dir = %dir.display(), "not a directory: not served");
            }
            Ok(files)
        };
        if let Some(pkg) = pkg {
            let files = read(pkg, &mut budget)?;
            if !files.is_empty() {
                let mut h = Sha256::new();
                for (rel, body) in &files {
                    h.update(rel.as_bytes());
                    h.update([0]);
                    h.update((body.len() as u64).to_le_bytes());
                    h.update(body);
                }
                let hash = hex::encode(&h.finalize()[..8]);
                for (rel, body) in files {
                    // One compression serves both URLs (Bytes clones share).
                    let hashed = asset(&rel, body, true);
                    let plain = Asset {
                        immutable: false,
                        ..hashed.clone()
                    };
                    site.assets.insert(format!("/pkg/{hash}/{rel}"), hashed);
                    site.assets.insert(format!("/pkg/{rel}"), plain);
                }
                site.pkg_hash = Some(hash);
            }
        }
        if let Some(www) = www {
            for (rel, body) in read(www, &mut budget)? {
                let body = match (&site.pkg_hash, rel.rsplit('.').next()) {
                    (Some(hash), Some("html" | "js" | "mjs")) => match String::from_utf8(body) {
                        Ok(text) => rewrite_pkg_refs(&text, hash).into_bytes(),
                        Err(e) => e.into_bytes(),
                    },
                    (_, _) => body,
                };
                let url = format!("/{rel}");
                site.assets.insert(url.clone(), asset(&url, body, false));
            }
        }
        Ok(site)
    }

    /// The package's content hash (its immutable prefix), when it is served.
    pub fn pkg_hash(&self) -> Option<&str> {
        self.pkg_hash.as_deref()
    }

    /// How many files and how many bytes (uncompressed) it holds.
    pub fn size(&self) -> (usize, usize) {
        (
            self.assets.len(),
            self.assets.values().map(|a| a.identity.len()).sum(),
        )
    }

    /// Answers a GET or HEAD for `path` (404 when there is no such file;
    /// a directory without its trailing `/` is redirected).
    pub fn respond(&self, req: &Request) -> Response {
        let path = req.uri().path();
        let found = if path.ends_with('/') {
            self.assets.get(&format!("{path}index.html"))
        } else {
            self.assets.get(path)
        };
        let Some(asset) = found else {
            if self.assets.contains_key(&format!("{path}/index.html")) {
                return (
                    StatusCode::PERMANENT_REDIRECT,
                    [(header::LOCATION, format!("{path}/"))],
                )
                    .into_response();
            }
            return (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "not found",
            )
                .into_response();
        };
        respond_with(
            asset,
            req.headers(),
            req.method() == axum::http::Method::HEAD,
        )
    }
}

fn respond_with(asset: &Asset, headers: &HeaderMap, head: bool) -> Response {
    let cache = if asset.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut res = Response::builder()
        .header(header::CONTENT_TYPE, asset.content_type)
        .header(header::CACHE_CONTROL, cache)
        .header(header::ETAG, &asset.etag)
        .header(header::VARY, "Accept-Encoding")
        .header("x-content-type-options", "nosniff");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == asset.etag || t.trim() == "*")
        });
    if fresh {
        return res
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::NOT_MODIFIED.into_response());
    }
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let wants = negotiate(accept, true, true);
    let c = if wants == Encoding::Identity {
        &Compressed::default()
    } else {
        asset.compressed()
    };
    let body = match negotiate(accept, c.br.is_some(), c.gzip.is_some()) {
        Encoding::Brotli => {
            res = res.header(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            c.br.clone()
        }
        Encoding::Gzip => {
            res = res.header(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            c.gzip.clone()
        }
        Encoding::Identity => None,
    }
    .unwrap_or_else(|| asset.identity.clone());
    res = res.header(header::CONTENT_LENGTH, body.len());
    let body = if head {
        Body::empty()
    } else {
        Body::from(body)
    };
    res.body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_brotli_then_gzip_and_honours_q_zero() {
        assert_eq!(negotiate("gzip, deflate, br", true, true), Encoding::Brotli);
        assert_eq!(negotiate("gzip, deflate", true, true), Encoding::Gzip);
        assert_eq!(negotiate("br;q=0, gzip", true, true), Encoding::Gzip);
        assert_eq!(negotiate("br; q=0.0", true, true), Encoding::Identity);
        assert_eq!(negotiate("", true, true), Encoding::Identity);
        assert_eq!(negotiate("*", true, true), Encoding::Brotli);
        assert_eq!(negotiate("br", false, true), Encoding::Identity);
    }

    #[test]
    fn pages_point_at_the_hashed_package() {
        let js =
            "import init from \"/pkg/web.js\";\nconst w = '/pkg/web_bg.wasm'; fetch(\"/v1/pkg/x\")";
        let out = rewrite_pkg_refs(js, "abc123");
        assert!(out.contains("\"/pkg/abc123/web.js\""));
        assert!(out.contains("'/pkg/abc123/web_bg.wasm'"));
        assert!(out.contains("\"/v1/pkg/x\""));
    }

    #[test]
    fn types_by_extension() {
        assert_eq!(content_type("/pkg/web_bg.wasm"), "application/wasm");
        assert!(content_type("/console/index.html").starts_with("text/html"));
        assert_eq!(content_type("/x"), "application/octet-stream");
    }
}
