//! The Cognito provider against moto's cognito-idp, and our verifier against moto's tokens
//! (moto signs with the real AWS issuer URL but serves its JWKS on 127.0.0.1).

use std::{sync::Arc, time::Duration};

use expedite_aws::{
    CognitoIdp,
    provision::{self, PasswordKind},
};
use expedite_core::identity::{IdentityProvider, SessionEnd, SignInError};
use expedite_domain::Role;
use expedite_identity::{HttpJwks, TokenUse, Verifier, VerifierSettings};

const TEMPORARY: &str = "Temporary-Passw0rd!";
const CHOSEN: &str = "Chosen-Passw0rd-123!";

struct Pool {
    idp: CognitoIdp,
    verifier: Verifier,
}

async fn pool_with_admin(email: &str) -> Pool {
    let config = crate::moto::config().await;
    let (pool_id, client_id) = provision::create_user_pool(&config).await.unwrap();
    provision::add_user(
        &config,
        &pool_id,
        email,
        TEMPORARY,
        PasswordKind::Temporary,
        &["admins"],
    )
    .await
    .unwrap();
    let endpoint = std::env::var("EXPEDITE_TEST_MOTO_URL").unwrap();
    let verifier = Verifier::new(
        VerifierSettings {
            issuer: format!("https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"),
            client_id: client_id.clone(),
            leeway: Duration::from_secs(60),
            min_refresh_interval: Duration::from_secs(60),
        },
        Arc::new(HttpJwks::new(format!(
            "{endpoint}/{pool_id}/.well-known/jwks.json"
        ))),
    );
    Pool {
        idp: CognitoIdp::new(&config, client_id),
        verifier,
    }
}

#[tokio::test]
async fn a_temporary_password_leads_through_the_challenge_to_verified_tokens() {
    let pool = pool_with_admin("ana@example.com").await;
    let challenge = pool
        .idp
        .sign_in("ana@example.com", TEMPORARY)
        .await
        .unwrap_err();
    let SignInError::NewPasswordRequired { session } = challenge else {
        panic!("expected the new-password challenge, got {challenge:?}");
    };
    let tokens = pool
        .idp
        .complete_new_password("ana@example.com", CHOSEN, &session)
        .await
        .unwrap();

    let caller = pool
        .verifier
        .verify(&tokens.access_token, TokenUse::Access)
        .await
        .unwrap();
    assert_eq!(caller.role, Role::Admin, "groups come from cognito:groups");
    assert!(
        pool.verifier
            .verify(&tokens.id_token, TokenUse::Id)
            .await
            .is_ok()
    );
    assert!(
        pool.verifier
            .verify(&tokens.id_token, TokenUse::Access)
            .await
            .is_err()
    );

    let again = pool.idp.sign_in("ana@example.com", CHOSEN).await.unwrap();
    let refreshed = pool.idp.refresh(&again.refresh_token).await.unwrap();
    assert!(
        pool.verifier
            .verify(&refreshed.access_token, TokenUse::Access)
            .await
            .is_ok()
    );
    pool.idp
        .sign_out(&SessionEnd {
            access_token: Some(refreshed.access_token),
            refresh_token: Some(refreshed.refresh_token),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_look_the_same() {
    let pool = pool_with_admin("bo@example.com").await;
    for (email, password) in [
        ("bo@example.com", "Wrong-Passw0rd!"),
        ("nobody@example.com", TEMPORARY),
    ] {
        assert_eq!(
            pool.idp.sign_in(email, password).await.unwrap_err(),
            SignInError::InvalidCredentials,
            "{email}"
        );
    }
    assert_eq!(
        pool.idp.refresh("not-a-refresh-token").await.unwrap_err(),
        SignInError::SessionEnded
    );
}
