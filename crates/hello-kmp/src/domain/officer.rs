//! Officers' roles, usernames and passwords, parsed.

use super::InputError;

/// What an officer may do; checked in the services (the console issue builds the checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Administrator,
    /// Reads everything, changes no case.
    Headquarters,
    /// The tips of their own thana.
    ThanaOfficer,
    /// What is routed to their unit (Detective Branch, City Special Branch, control room).
    UnitOfficer,
    /// News, FAQ and contacts.
    Editor,
    /// The audit log only.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Self::Administrator,
        Self::Headquarters,
        Self::ThanaOfficer,
        Self::UnitOfficer,
        Self::Editor,
        Self::Auditor,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Headquarters => "headquarters",
            Self::ThanaOfficer => "thana_officer",
            Self::UnitOfficer => "unit_officer",
            Self::Editor => "editor",
            Self::Auditor => "auditor",
        }
    }

    pub fn parse(key: &str) -> Result<Role, InputError> {
        Self::ALL
            .into_iter()
            .find(|r| r.key() == key.trim())
            .ok_or(InputError::RoleUnknown)
    }

    /// The kind of place (`hq`, `thana`, `unit`) an officer of this role belongs to.
    pub fn fits_place_kind(self, kind: &str) -> bool {
        match self {
            Self::ThanaOfficer => kind == "thana",
            Self::UnitOfficer => kind == "unit",
            Self::Headquarters => kind == "hq",
            // Their work does not depend on a desk; they may sit anywhere.
            Self::Administrator | Self::Editor | Self::Auditor => {
                matches!(kind, "hq" | "unit" | "thana")
            }
        }
    }
}

/// 3 to 32 lowercase letters, digits, dots, dashes or underscores.
pub fn parse_username(input: &str) -> Result<String, InputError> {
    let name = input.trim().to_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(name)
    } else {
        Err(InputError::UsernameMalformed)
    }
}

/// Shortest and longest password an officer may choose, in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A new password as an officer chose it: typed twice, at least 12 characters, and not one that
/// zxcvbn's lists of common passwords, names and words (or the username) crack quickly.
pub fn parse_new_password(
    password: &str,
    confirm: &str,
    username: &str,
) -> Result<String, InputError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(InputError::PasswordTooShort);
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(InputError::PasswordTooLong);
    }
    if password != confirm {
        return Err(InputError::PasswordMismatch);
    }
    let contains_username = !username.is_empty() && password.to_lowercase().contains(username);
    let strength = zxcvbn::zxcvbn(password, &[username, "kmp", "khulna", "police", "hello"]);
    if contains_username || strength.score() < zxcvbn::Score::Three {
        return Err(InputError::PasswordCommon);
    }
    Ok(password.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_places() {
        assert_eq!(Role::parse("thana_officer"), Ok(Role::ThanaOfficer));
        assert_eq!(Role::parse("sheriff"), Err(InputError::RoleUnknown));
        assert!(Role::ThanaOfficer.fits_place_kind("thana"));
        assert!(!Role::ThanaOfficer.fits_place_kind("unit"));
        assert!(Role::Auditor.fits_place_kind("hq"));
        assert!(Role::Headquarters.fits_place_kind("hq"));
        assert!(!Role::Headquarters.fits_place_kind("thana"));
    }

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" Rahim.Khan "), Ok("rahim.khan".into()));
        assert_eq!(parse_username("ab"), Err(InputError::UsernameMalformed));
        assert_eq!(parse_username("রহিম"), Err(InputError::UsernameMalformed));
    }

    #[test]
    fn new_passwords() {
        let strong = "river lantern quietly 48 mango";
        assert_eq!(
            parse_new_password(strong, strong, "rahim"),
            Ok(strong.into())
        );
        let short = "Tr0ub4dor&3";
        assert_eq!(
            parse_new_password(short, short, "rahim"),
            Err(InputError::PasswordTooShort)
        );
        for common in [
            "password1234",
            "qwertyuiop123",
            "123456789012",
            "khulnapolice1",
        ] {
            assert_eq!(
                parse_new_password(common, common, "rahim"),
                Err(InputError::PasswordCommon),
                "{common}"
            );
        }
        assert_eq!(
            parse_new_password("rahim.khan.rahim", "rahim.khan.rahim", "rahim.khan"),
            Err(InputError::PasswordCommon)
        );
        assert_eq!(
            parse_new_password(strong, "river lantern", "rahim"),
            Err(InputError::PasswordMismatch)
        );
        let long = "a".repeat(129);
        assert_eq!(
            parse_new_password(&long, &long, "rahim"),
            Err(InputError::PasswordTooLong)
        );
    }
}
