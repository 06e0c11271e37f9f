//! `server users …`: manage the built-in provider's accounts from a shell. Passwords are read
//! from standard input (one line), never from the command line.

use std::io::BufRead;

use anyhow::{Context, bail};
use expedite_core::Config;
use expedite_runtime::backends::Backends;

use crate::auth::Auth;

const USAGE: &str = "usage:
  server                                   serve Expedite
  server users add --email EMAIL [--group GROUP]...   (password on stdin)
  server users passwd --email EMAIL                   (password on stdin)";

/// An account command from the command line.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    AddUser { email: String, groups: Vec<String> },
    SetPassword { email: String },
}

/// Parses the arguments after the program name; `None` means: serve.
pub fn parse(args: &[String]) -> anyhow::Result<Option<Command>> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let command = match words.as_slice() {
        [] => return Ok(None),
        ["users", "add", rest @ ..] => {
            let (email, groups) = options(rest)?;
            Command::AddUser { email, groups }
        }
        ["users", "passwd", rest @ ..] => {
            let (email, groups) = options(rest)?;
            if !groups.is_empty() {
                bail!("--group does not apply to passwd\n{USAGE}");
            }
            Command::SetPassword { email }
        }
        _ => bail!("unknown command\n{USAGE}"),
    };
    Ok(Some(command))
}

fn options(words: &[&str]) -> anyhow::Result<(String, Vec<String>)> {
    let mut email = None;
    let mut groups = Vec::new();
    let mut words = words.iter();
    while let Some(word) = words.next() {
        let value = words
            .next()
            .with_context(|| format!("{word} needs a value\n{USAGE}"))?;
        match *word {
            "--email" => email = Some((*value).to_owned()),
            "--group" => groups.push((*value).to_owned()),
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    Ok((
        email.with_context(|| format!("--email is required\n{USAGE}"))?,
        groups,
    ))
}

/// Runs a `users` command against the configured store.
pub async fn run(config: Config, command: Command) -> anyhow::Result<()> {
    let backends = Backends::open(&config).await?;
    let auth = Auth::from_config(&config, backends.accounts.as_ref()).await?;
    let Some(idp) = &auth.local else {
        bail!("accounts are managed by Cognito in this deployment");
    };
    let password = read_password()?;
    match command {
        Command::AddUser { email, groups } => {
            let user = idp.add_user(&email, &password, &groups).await?;
            println!("added {} ({})", user.email.as_str(), user.id);
        }
        Command::SetPassword { email } => {
            idp.set_password(&email, &password).await?;
            println!("password changed for {email}");
        }
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_the_commands() {
        assert_eq!(parse(&[]).unwrap(), None);
        assert_eq!(
            parse(&args("users add --email a@b.co --group admins --group x")).unwrap(),
            Some(Command::AddUser {
                email: "a@b.co".into(),
                groups: vec!["admins".into(), "x".into()]
            })
        );
        assert_eq!(
            parse(&args("users passwd --email a@b.co")).unwrap(),
            Some(Command::SetPassword {
                email: "a@b.co".into()
            })
        );
        for bad in [
            "users add",
            "users add --email",
            "users add --mail a@b.co",
            "users passwd --email a@b.co --group g",
            "serve",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }
}
