//! The org's users: a handful with fixed names. User 1 is the API user every session belongs
//! to; seeded Accounts are owned by all of them, so `Owner.Name` has something to show.

use crate::account::{Account, make_id};

/// The users' names; user `n` (from 1) has the id `make_id("005", n)`.
const NAMES: [&str; 5] = [
    "Morgan Reyes",
    "Priya Natarajan",
    "Lukas Becker",
    "Aiko Tanaka",
    "Samuel Okafor",
];

/// How many users the org has.
pub(crate) const COUNT: u64 = NAMES.len() as u64;

/// The id of user `n` (1 ..= [`COUNT`]).
pub(crate) fn user_id(n: u64) -> String {
    make_id("005", n)
}

/// Every user of the sandbox org: `(id, name)`, in id order.
pub fn users() -> Vec<(String, &'static str)> {
    (1..=COUNT)
        .zip(NAMES)
        .map(|(n, name)| (user_id(n), name))
        .collect()
}

/// The name of the user with this 18-character id; `None` if the org has no such user.
pub fn user_name(id: &str) -> Option<&'static str> {
    (1..=COUNT)
        .zip(NAMES)
        .find(|(n, _)| user_id(*n) == id)
        .map(|(_, name)| name)
}

impl Account {
    /// `Owner.Name`: the owning user's name; `None` when `OwnerId` is empty or names no user.
    pub fn owner_name(&self) -> Option<&'static str> {
        user_name(&self.owner_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SANDBOX_USER_ID;

    #[test]
    fn users_have_fixed_ids_and_names() {
        let users = users();
        assert_eq!(users.len(), 5);
        assert_eq!(users[0].0, SANDBOX_USER_ID);
        assert!(users.iter().all(|(id, _)| id.starts_with("005")));
        assert_eq!(user_name(SANDBOX_USER_ID), Some("Morgan Reyes"));
        assert_eq!(user_name(&user_id(COUNT + 1)), None);
        assert_eq!(user_name(""), None);
    }
}
