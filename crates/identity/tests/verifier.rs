//! SECURITY.md's negative list against the verifier: every hostile token is refused.
//! (Transport-level cases — no header, wrong scheme — and RBAC are tested at the HTTP edge.)

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use expedite_domain::Role;
use expedite_identity::{
    JwksSource, SigningKey, StaticJwks, TokenUse, Verifier, VerifierSettings, VerifyError,
};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Expedite";
const CLIENT: &str = "client-123";

/// Counts fetches so the tests can see the refresh rate limit.
struct Counting {
    inner: StaticJwks,
    fetches: AtomicUsize,
}

#[async_trait]
impl JwksSource for Counting {
    async fn fetch(&self) -> Result<Value, String> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch().await
    }
}

struct Fixture {
    key: SigningKey,
    other: SigningKey,
    source: Arc<Counting>,
    verifier: Verifier,
}

fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

impl Fixture {
    fn new() -> Self {
        Self::with_interval(Duration::ZERO)
    }

    fn with_interval(min_refresh_interval: Duration) -> Self {
        let key = SigningKey::generate();
        let other = SigningKey::generate();
        let source = Arc::new(Counting {
            inner: StaticJwks::new(json!({"keys": [key.jwk()]})),
            fetches: AtomicUsize::new(0),
        });
        let verifier = Verifier::new(
            VerifierSettings {
                issuer: ISSUER.into(),
                client_id: CLIENT.into(),
                leeway: Duration::from_secs(60),
                min_refresh_interval,
            },
            source.clone(),
        );
        Self {
            key,
            other,
            source,
            verifier,
        }
    }

    fn header(&self) -> Value {
        json!({"alg": "RS256", "kid": self.key.kid()})
    }

    async fn check(&self, token: &str, expected: TokenUse) -> Result<Role, VerifyError> {
        self.verifier
            .verify(token, expected)
            .await
            .map(|caller| caller.role)
    }
}

fn access_claims() -> Value {
    let t = now();
    json!({
        "iss": ISSUER, "sub": "0f1e2d3c-user", "client_id": CLIENT, "token_use": "access",
        "cognito:groups": ["admins"], "username": "alice", "exp": t + 600, "iat": t,
        "auth_time": t, "jti": "j-1"
    })
}

fn id_claims() -> Value {
    let t = now();
    json!({
        "iss": ISSUER, "sub": "0f1e2d3c-user", "aud": CLIENT, "token_use": "id",
        "cognito:username": "alice", "email": "alice@example.com", "exp": t + 600, "iat": t,
        "auth_time": t, "jti": "j-2"
    })
}

fn with(mut claims: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn hs256(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let message = format!("{}.{}", b64(header), b64(payload));
    let sig = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(secret).unwrap(),
        Algorithm::HS256,
    )
    .unwrap();
    format!("{message}.{sig}")
}

#[tokio::test]
async fn valid_tokens_pass_for_their_use_only() {
    let f = Fixture::new();
    let access = f.key.sign_json(&f.header(), &access_claims());
    assert_eq!(f.check(&access, TokenUse::Access).await, Ok(Role::Admin));
    let id = f.key.sign_json(&f.header(), &id_claims());
    let caller = f.verifier.verify(&id, TokenUse::Id).await.unwrap();
    assert_eq!(caller.email.as_deref(), Some("alice@example.com"));
    assert_eq!(caller.role, Role::User);
    // 10: token_use confusion, both ways.
    assert_eq!(
        f.check(&access, TokenUse::Id).await.unwrap_err(),
        VerifyError::InvalidClaims("missing aud".into())
    );
    assert_eq!(
        f.check(&id, TokenUse::Access).await.unwrap_err(),
        VerifyError::WrongTokenUse
    );
}

#[tokio::test]
async fn malformed_tokens_are_refused() {
    let f = Fixture::new();
    let good = f.key.sign_json(&f.header(), &access_claims());
    let parts: Vec<&str> = good.split('.').collect();
    let huge = format!("{}.{}.{}", parts[0], "A".repeat(9000), parts[2]);
    for token in [
        String::new(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{}.{}.{}.{}", parts[0], parts[1], parts[2], parts[2]),
        format!("!!!.{}.{}", parts[1], parts[2]),
        format!("{}.{}.%%%", parts[0], parts[1]),
        format!("{}.@@@.{}", parts[0], parts[2]),
        huge,
        "not a token".into(),
    ] {
        assert!(
            f.check(&token, TokenUse::Access).await.is_err(),
            "{token:.60}"
        );
    }
}

#[tokio::test]
async fn alg_none_is_refused_in_every_spelling() {
    let f = Fixture::new();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = json!({"alg": alg, "kid": f.key.kid()});
        let unsigned = format!("{}.{}.", b64(&header), b64(&access_claims()));
        assert!(
            f.check(&unsigned, TokenUse::Access).await.is_err(),
            "{alg} without signature"
        );
        let with_sig = format!("{}.{}.c2lnbmF0dXJl", b64(&header), b64(&access_claims()));
        assert_eq!(
            f.check(&with_sig, TokenUse::Access).await,
            Err(VerifyError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let f = Fixture::new();
    let header = json!({"alg": "HS256", "kid": f.key.kid()});
    let der = f.key.public_der().to_vec();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    let n = f.key.jwk()["n"].as_str().unwrap().as_bytes().to_vec();
    for secret in [pem.into_bytes(), der, n] {
        let token = hs256(&header, &access_claims(), &secret);
        assert_eq!(
            f.check(&token, TokenUse::Access).await,
            Err(VerifyError::UnsupportedAlgorithm)
        );
    }
}

#[tokio::test]
async fn wrong_keys_and_tampering_are_refused() {
    let f = Fixture::new();
    // Right kid, wrong key.
    let forged = f.other.sign_json(&f.header(), &access_claims());
    assert_eq!(
        f.check(&forged, TokenUse::Access).await,
        Err(VerifyError::BadSignature)
    );
    // A flipped signature byte.
    let good = f.key.sign_json(&f.header(), &access_claims());
    let (message, signature) = good.rsplit_once('.').unwrap();
    let mut sig = URL_SAFE_NO_PAD.decode(signature).unwrap();
    sig[10] ^= 0x01;
    let flipped = format!("{message}.{}", URL_SAFE_NO_PAD.encode(sig));
    assert_eq!(
        f.check(&flipped, TokenUse::Access).await,
        Err(VerifyError::BadSignature)
    );
    // Payload changed after signing (promote to a different subject).
    let parts: Vec<&str> = good.split('.').collect();
    let changed = b64(&with(access_claims(), json!({"sub": "someone-else"})));
    let tampered = format!("{}.{changed}.{}", parts[0], parts[2]);
    assert_eq!(
        f.check(&tampered, TokenUse::Access).await,
        Err(VerifyError::BadSignature)
    );
}

#[tokio::test]
async fn kid_problems_and_key_choosing_headers_are_refused() {
    let f = Fixture::new();
    let claims = access_claims();
    let missing_kid = f.key.sign_json(&json!({"alg": "RS256"}), &claims);
    assert_eq!(
        f.check(&missing_kid, TokenUse::Access).await,
        Err(VerifyError::Malformed("no kid"))
    );
    let unknown = f
        .key
        .sign_json(&json!({"alg": "RS256", "kid": "unknown-kid"}), &claims);
    assert_eq!(
        f.check(&unknown, TokenUse::Access).await,
        Err(VerifyError::UnknownKey)
    );
    for kid in [
        "../../../../etc/passwd",
        "' OR 1=1 --",
        "kid\u{0}",
        "<script>",
        &"k".repeat(300),
    ] {
        let token = f
            .key
            .sign_json(&json!({"alg": "RS256", "kid": kid}), &claims);
        assert!(
            f.check(&token, TokenUse::Access).await.is_err(),
            "{kid:.40}"
        );
    }
    for (name, value) in [
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("jwk", f.other.jwk().clone()),
        ("x5c", json!(["MIIB..."])),
        ("crit", json!(["exp"])),
    ] {
        let mut header = f.header();
        header[name] = value;
        let token = f.key.sign_json(&header, &claims);
        assert_eq!(
            f.check(&token, TokenUse::Access).await,
            Err(VerifyError::ForbiddenHeader(name.into())),
            "{name}"
        );
    }
}

#[tokio::test]
async fn keys_for_other_algorithms_or_uses_are_not_used() {
    let f = Fixture::new();
    let mut rs512 = f.key.jwk().clone();
    rs512["alg"] = json!("RS512");
    let mut enc = f.other.jwk().clone();
    enc["use"] = json!("enc");
    f.source.inner.set(json!({"keys": [rs512, enc]}));
    for key in [&f.key, &f.other] {
        let token = key.sign_json(&json!({"alg": "RS256", "kid": key.kid()}), &access_claims());
        assert_eq!(
            f.check(&token, TokenUse::Access).await,
            Err(VerifyError::UnknownKey)
        );
    }
    for alg in ["PS256", "ES256", "RS512", "HS512"] {
        let token = format!(
            "{}.{}.c2ln",
            b64(&json!({"alg": alg, "kid": f.key.kid()})),
            b64(&access_claims())
        );
        assert_eq!(
            f.check(&token, TokenUse::Access).await,
            Err(VerifyError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
}

#[tokio::test]
async fn time_claims_are_enforced() {
    let f = Fixture::new();
    let t = now();
    let cases = [
        json!({"exp": t - 61}),
        json!({"exp": null}),
        json!({"exp": "9999999999"}),
        json!({"exp": (t + 600) as f64 + 0.5}),
        json!({"nbf": t + 120}),
        json!({"iat": t + 120}),
    ];
    for change in cases {
        let token = f
            .key
            .sign_json(&f.header(), &with(access_claims(), change.clone()));
        assert!(f.check(&token, TokenUse::Access).await.is_err(), "{change}");
    }
    // Within the leeway still passes.
    let skewed = f.key.sign_json(
        &f.header(),
        &with(access_claims(), json!({"exp": t - 30, "iat": t + 30})),
    );
    assert!(f.check(&skewed, TokenUse::Access).await.is_ok());
}

#[tokio::test]
async fn issuer_audience_client_and_token_use_must_match() {
    let f = Fixture::new();
    for iss in [
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
        "https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_Expedite",
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Expedite/",
        "http://cognito-idp.us-east-1.amazonaws.com/us-east-1_Expedite",
    ] {
        let token = f
            .key
            .sign_json(&f.header(), &with(access_claims(), json!({"iss": iss})));
        assert_eq!(
            f.check(&token, TokenUse::Access).await,
            Err(VerifyError::WrongIssuer),
            "{iss}"
        );
    }
    let wrong_aud = f.key.sign_json(
        &f.header(),
        &with(id_claims(), json!({"aud": "other-client"})),
    );
    assert_eq!(
        f.check(&wrong_aud, TokenUse::Id).await,
        Err(VerifyError::WrongAudience)
    );
    let array_aud = f.key.sign_json(
        &f.header(),
        &with(id_claims(), json!({"aud": [CLIENT, "other-client"]})),
    );
    assert!(
        f.check(&array_aud, TokenUse::Id).await.is_err(),
        "an aud array with a foreign value"
    );
    let wrong_client = f.key.sign_json(
        &f.header(),
        &with(access_claims(), json!({"client_id": "other-client"})),
    );
    assert_eq!(
        f.check(&wrong_client, TokenUse::Access).await,
        Err(VerifyError::WrongAudience)
    );
    let no_client = f.key.sign_json(
        &f.header(),
        &with(access_claims(), json!({"client_id": null})),
    );
    assert_eq!(
        f.check(&no_client, TokenUse::Access).await,
        Err(VerifyError::WrongAudience)
    );
    let no_use = f.key.sign_json(
        &f.header(),
        &with(access_claims(), json!({"token_use": null})),
    );
    assert!(f.check(&no_use, TokenUse::Access).await.is_err());
    let odd_use = f.key.sign_json(
        &f.header(),
        &with(access_claims(), json!({"token_use": "refresh"})),
    );
    assert!(f.check(&odd_use, TokenUse::Access).await.is_err());
}

#[tokio::test]
async fn key_rotation_accepts_both_current_keys_and_drops_removed_ones() {
    let f = Fixture::new();
    let old = f.key.sign_json(&f.header(), &access_claims());
    assert!(f.check(&old, TokenUse::Access).await.is_ok());
    // Rotation: both keys published; a token under the new key triggers one refresh.
    f.source
        .inner
        .set(json!({"keys": [f.key.jwk(), f.other.jwk()]}));
    let new = f.other.sign_json(
        &json!({"alg": "RS256", "kid": f.other.kid()}),
        &access_claims(),
    );
    assert!(f.check(&new, TokenUse::Access).await.is_ok());
    assert!(f.check(&old, TokenUse::Access).await.is_ok());
    // The old key is retired; once a refresh happens, its tokens fail.
    f.source.inner.set(json!({"keys": [f.other.jwk()]}));
    let unknown = f.key.sign_json(
        &json!({"alg": "RS256", "kid": "brand-new"}),
        &access_claims(),
    );
    assert_eq!(
        f.check(&unknown, TokenUse::Access).await,
        Err(VerifyError::UnknownKey)
    );
    assert_eq!(
        f.check(&old, TokenUse::Access).await,
        Err(VerifyError::UnknownKey)
    );
    assert!(f.check(&new, TokenUse::Access).await.is_ok());
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_interval() {
    let f = Fixture::with_interval(Duration::from_secs(3600));
    let good = f.key.sign_json(&f.header(), &access_claims());
    assert!(f.check(&good, TokenUse::Access).await.is_ok());
    assert_eq!(f.source.fetches.load(Ordering::SeqCst), 1);
    for n in 0..20 {
        let token = f.key.sign_json(
            &json!({"alg": "RS256", "kid": format!("random-{n}")}),
            &access_claims(),
        );
        assert_eq!(
            f.check(&token, TokenUse::Access).await,
            Err(VerifyError::UnknownKey)
        );
    }
    assert_eq!(
        f.source.fetches.load(Ordering::SeqCst),
        1,
        "a flood of unknown kids costs nothing"
    );
}
