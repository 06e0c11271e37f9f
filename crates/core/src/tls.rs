//! Telling a certificate an HTTPS client does not accept apart from other connection failures:
//! the first cannot be fixed by trying again, the others often can. Shared by the outbound
//! adapters (Salesforce, OpenAI), whose reqwest clients use rustls.

use std::error::Error;

/// The rustls certificate error somewhere in `error`'s cause chain, described.
pub fn certificate_failure(error: &(dyn Error + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        match current.downcast_ref::<rustls::Error>() {
            Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {
                return Some(
                    "it is signed by an unknown certificate authority (UnknownIssuer)".into(),
                );
            }
            Some(rustls::Error::InvalidCertificate(problem)) => return Some(problem.to_string()),
            Some(rustls::Error::NoCertificatesPresented) => {
                return Some("the server presented no certificate".into());
            }
            _ => {}
        }
        cause = next_cause(current);
    }
    None
}

/// The error under `error`. rustls' error reaches reqwest wrapped in `io::Error`s (hyper-rustls
/// wraps it, hyper-util wraps that again), and `io::Error::source` skips the error it wraps,
/// so an `io::Error` is opened with `get_ref` instead.
fn next_cause<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a (dyn Error + 'static)> {
    match error
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        Some(inner) => Some(inner as &(dyn Error + 'static)),
        None => error.source(),
    }
}
