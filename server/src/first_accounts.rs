//! Demo mode: with nothing configured, the built-in provider gets an administrator and a
//! standard user on first start, and their passwords are printed once.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use expedite_domain::{ADMINS_GROUP, Email};
use expedite_identity::{AuthError, LocalIdp};
use rand::RngCore;

/// The demo accounts: (email, groups).
pub const DEMO_USERS: [(&str, &[&str]); 2] = [
    ("admin@expedite.local", &[ADMINS_GROUP]),
    ("user@expedite.local", &[]),
];

/// Creates the demo accounts that do not exist yet and prints their credentials.
pub async fn seed_users(idp: &LocalIdp) -> anyhow::Result<()> {
    for (email, groups) in DEMO_USERS {
        let address = Email::parse(email).expect("demo emails are valid");
        if idp.user_exists(&address).await? {
            continue;
        }
        let password = random_password();
        let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
        match idp.add_user(email, &password, &groups).await {
            Ok(_) => println!(
                "Demo account created: {email} / {password}{} (shown once; change it with `server users passwd`)",
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
