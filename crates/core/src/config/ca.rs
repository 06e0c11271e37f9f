//! `EXPEDITE_CA_FILE`: extra certificate authorities for the outbound HTTPS clients.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::ConfigError;

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// A PEM bundle of certificate authorities the Salesforce and OpenAI clients trust in addition
/// to their built-in roots: a TLS-inspecting proxy's or a private CA. Read once at start-up;
/// each adapter turns the PEM into its own client's certificates.
#[derive(Clone, PartialEq, Eq)]
pub struct CaBundle {
    path: PathBuf,
    pem: String,
    certificates: usize,
}

impl CaBundle {
    /// Reads the bundle at `path`; an error when it cannot be read or holds no certificate.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let problem = |problem| ConfigError {
            name: "EXPEDITE_CA_FILE",
            value: path.display().to_string(),
            problem,
        };
        let pem = std::fs::read_to_string(path).map_err(|error| {
            problem(match error.kind() {
                std::io::ErrorKind::NotFound => "no such file",
                std::io::ErrorKind::PermissionDenied => "permission denied",
                std::io::ErrorKind::InvalidData => "not a text (PEM) file",
                _ => "cannot be read",
            })
        })?;
        let certificates = count_certificates(&pem).ok_or_else(|| {
            problem("a PEM certificate block is damaged (its base64 does not decode)")
        })?;
        if certificates == 0 {
            return Err(problem(
                "holds no certificate (expected PEM blocks: -----BEGIN CERTIFICATE-----)",
            ));
        }
        Ok(Self {
            path: path.to_owned(),
            pem,
            certificates,
        })
    }

    /// The bundle as read: one or more PEM `CERTIFICATE` blocks (anything else is ignored).
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// Where it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many certificates it holds (at least one).
    pub fn len(&self) -> usize {
        self.certificates
    }

    /// Always `false`: a bundle without certificates is refused when read.
    pub fn is_empty(&self) -> bool {
        self.certificates == 0
    }
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaBundle")
            .field("path", &self.path)
            .field("certificates", &self.certificates)
            .finish()
    }
}

/// The `CERTIFICATE` blocks in `pem`, `None` if one's body is not base64 (the DER inside is
/// checked by the TLS library when a client is built, also at start-up).
fn count_certificates(pem: &str) -> Option<usize> {
    let mut count = 0;
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let body = &rest[start + BEGIN.len()..];
        let end = body.find(END)?;
        let base64: String = body[..end].split_whitespace().collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(base64)
            .ok()?;
        if der.is_empty() {
            return None;
        }
        count += 1;
        rest = &body[end + END.len()..];
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str =
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_bundle_is_read_once_with_its_certificates_counted() {
        let dir = std::env::temp_dir().join(format!("expedite-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let two = write(&dir, "two.pem", &format!("# proxy\n{ONE}junk\n{ONE}"));
        let bundle = CaBundle::read(&two).unwrap();
        assert_eq!(bundle.len(), 2);
        assert!(bundle.pem().contains("proxy"));
        assert!(
            !format!("{bundle:?}").contains("MIIB"),
            "no PEM in debug output"
        );

        let none = write(
            &dir,
            "key.pem",
            "-----BEGIN PRIVATE KEY-----\nMII=\n-----END PRIVATE KEY-----\n",
        );
        let error = CaBundle::read(&none).unwrap_err();
        assert!(
            error.to_string().contains("holds no certificate"),
            "{error}"
        );
        let cut = write(&dir, "cut.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");
        assert!(CaBundle::read(&cut).is_err());
        let garbage = write(
            &dir,
            "bad.pem",
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        );
        assert!(CaBundle::read(&garbage).is_err());
        let error = CaBundle::read(&dir.join("missing.pem")).unwrap_err();
        assert_eq!(error.name, "EXPEDITE_CA_FILE");
        assert!(error.to_string().contains("no such file"), "{error}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
