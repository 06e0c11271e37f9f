//! Administrators: the accounts of the built-in identity provider.

use expedite_domain::{Role, UserSummary};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::list_users,
    components::{require_sign_in::RequireAdmin, time::LocalTime},
    error::UiError,
};

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn AdminUsers() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <Title text="Users" />
        <RequireAdmin>
            <UserList users />
        </RequireAdmin>
    }
}

#[component]
fn UserList(users: Resource<Result<Vec<UserSummary>, UiError>>) -> impl IntoView {
    view! {
        <h1>"Users"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(users) => view! { <UserTable users /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
        <p class="muted">
            "Add accounts with " <code>"server users add --email … [--group admins]"</code> "."
        </p>
    }
}

#[component]
fn UserTable(users: Vec<UserSummary>) -> impl IntoView {
    view! {
        // On phones each row becomes a card (`.stack`, labels from `data-label`).
        <table class="table stack" data-testid="users">
            <thead>
                <tr>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Groups"</th>
                    <th scope="col">"Created"</th>
                </tr>
            </thead>
            <tbody>
                {users
                    .into_iter()
                    .map(|user| {
                        let role = match user.role {
                            Role::Admin => "Administrator",
                            Role::User => "User",
                        };
                        let groups = if user.groups.is_empty() {
                            "—".to_owned()
                        } else {
                            user.groups.join(", ")
                        };
                        view! {
                            <tr>
                                <td class="wrap-anywhere" data-label="Email">{user.email.as_str().to_owned()}</td>
                                <td data-label="Role">{role}</td>
                                <td data-label="Groups">{groups}</td>
                                <td data-label="Created"><LocalTime at=user.created_at /></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
