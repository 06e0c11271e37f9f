//! Identity: one JWT [`Verifier`] for both issuers (the built-in provider and Cognito), and the
//! built-in identity provider [`LocalIdp`] that issues Cognito-shaped RS256 tokens.
//!
//! The verifier pins RS256, reads keys from a JWKS by `kid` (cached, refetched at most once
//! per interval for an unknown `kid`), and checks `exp`/`nbf`/`iat`, `iss`, `aud` (id tokens)
//! or `client_id` (access tokens) and `token_use`. See `SECURITY.md`'s negative list, which
//! `tests/verifier.rs` walks through.

mod claims;
mod keys;
mod local;
mod password;
mod verified;
mod verifier;

pub use claims::{Claims, TokenUse};
pub use keys::{SigningKey, jwk_for};
pub use local::{AuthError, LocalIdp, LocalIdpSettings, MIN_PASSWORD_CHARS};
pub use password::{hash_password, verify_password};
pub use verifier::{HttpJwks, JwksSource, StaticJwks, Verifier, VerifierSettings, VerifyError};
