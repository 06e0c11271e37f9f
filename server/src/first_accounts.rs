//! The first accounts: a fresh built-in provider (no accounts at all yet) gets an administrator
//! and a standard user, whose passwords are printed once, so that a new install can be signed
//! into at once. Once any account exists nothing is created.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use expedite_domain::{ADMINS_GROUP, Email};
use expedite_identity::{AuthError, LocalIdp};
use rand::RngCore;

/// The first accounts: (email, groups).
pub const FIRST_ACCOUNTS: [(&str, &[&str]); 2] = [
    ("admin@expedite.local", &[ADMINS_GROUP]),
    ("user@expedite.local", &[]),
];

/// Creates the first accounts when the provider has none, and prints their credentials.
pub async fn create_if_none(idp: &LocalIdp) -> anyhow::Result<()> {
    if idp.has_accounts().await? {
        return Ok(());
    }
    for (email, groups) in FIRST_ACCOUNTS {
        let address = Email::parse(email).expect("the first accounts' emails are valid");
        if idp.user_exists(&address).await? {
            continue;
        }
        let password = random_password();
        let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
        match idp.add_user(email, &password, &groups).await {
            Ok(_) => println!(
                "First account created: {email} / {password}{} (shown once; change it with `server users passwd`)",
                if groups.is_empty() { "" } else { " [admin]" }
            ),
            Err(AuthError::UserExists) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

fn random_password() -> String {
    let mut bytes = [0_u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
