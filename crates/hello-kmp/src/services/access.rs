//! Who may do what. Every service that reads or changes a tip, an account, the routing rules or
//! the audit log asks here first; the console only hides links to what these rules refuse.
//!
//! - Administrators may do everything.
//! - Headquarters reads every tip and changes none.
//! - A thana or unit officer works the tips whose desk (`assigned_place`) is their thana or unit,
//!   and reads, and writes internal notes on, the tips copied to it (`copy_place`).
//! - Editors have no tips; they and administrators keep the contacts directory and write the FAQ
//!   and the news. Auditors read the audit log only.
//! - The SOS board is the control room's: its unit officers and administrators work alerts and
//!   see call-back numbers; headquarters watches the board without either.

use crate::domain::officer::Role;
use crate::services::ServiceError;
use crate::services::accounts::Officer;

/// What an officer wants to do with a tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipRight {
    /// Open it and read what the tipster wrote.
    Read,
    /// Write an internal note.
    Note,
    /// Change status, assignment, desk, priority or due date, and write to the tipster.
    Work,
}

/// Where a tip sits: its desk and the desk it is copied to.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    pub lead: Option<String>,
    pub copy: Option<String>,
}

/// Whether `officer` may do `right` to a tip at `desk`.
pub fn may(officer: &Officer, right: TipRight, desk: &Desk) -> bool {
    let own = |place: &Option<String>| place.as_deref() == Some(officer.place.as_str());
    match officer.role {
        Role::Administrator => true,
        Role::Headquarters => right == TipRight::Read,
        Role::ThanaOfficer | Role::UnitOfficer => {
            own(&desk.lead) || (own(&desk.copy) && right != TipRight::Work)
        }
        Role::Editor | Role::Auditor => false,
    }
}

/// Refuses with [`ServiceError::Forbidden`] unless [`may`] allows it.
pub fn check(officer: &Officer, right: TipRight, desk: &Desk) -> Result<(), ServiceError> {
    if may(officer, right, desk) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Which tips the officer's queue holds: `Ok(None)` for every tip, `Ok(Some(place))` for those
/// at or copied to that place; refused for roles without tips.
pub fn queue_scope(officer: &Officer) -> Result<Option<&str>, ServiceError> {
    match officer.role {
        Role::Administrator | Role::Headquarters => Ok(None),
        Role::ThanaOfficer | Role::UnitOfficer => Ok(Some(officer.place.as_str())),
        Role::Editor | Role::Auditor => Err(ServiceError::Forbidden),
    }
}

/// Whether the role has a queue of tips at all.
pub fn has_tips(role: Role) -> bool {
    !matches!(role, Role::Editor | Role::Auditor)
}

/// Creating, editing, disabling and unlocking accounts; editing the routing rules.
pub fn administers(officer: &Officer) -> Result<(), ServiceError> {
    match officer.role {
        Role::Administrator => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// Editing the contacts directory (numbers, addresses, officers in charge, hotlines).
pub fn edits_contacts(officer: &Officer) -> Result<(), ServiceError> {
    match officer.role {
        Role::Administrator | Role::Editor => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// Writing, publishing and deleting FAQ entries and news posts, and reading their drafts.
pub fn publishes(officer: &Officer) -> Result<(), ServiceError> {
    match officer.role {
        Role::Administrator | Role::Editor => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// Reading the audit log.
pub fn reads_audit(officer: &Officer) -> Result<(), ServiceError> {
    match officer.role {
        Role::Administrator | Role::Auditor => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// The unit that keeps the SOS board.
pub const CONTROL_ROOM: &str = "control_room";

/// What an officer wants with the SOS board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SosRight {
    /// See the board and its alerts live (without call-back numbers).
    Watch,
    /// Acknowledge, dispatch and close alerts, and see call-back numbers.
    Work,
}

/// Whether `officer` may do `right` on the SOS board.
pub fn may_sos(officer: &Officer, right: SosRight) -> bool {
    match officer.role {
        Role::Administrator => true,
        Role::Headquarters => right == SosRight::Watch,
        Role::UnitOfficer => officer.place == CONTROL_ROOM,
        Role::ThanaOfficer | Role::Editor | Role::Auditor => false,
    }
}

/// Refuses with [`ServiceError::Forbidden`] unless [`may_sos`] allows it.
pub fn check_sos(officer: &Officer, right: SosRight) -> Result<(), ServiceError> {
    if may_sos(officer, right) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer(role: Role, place: &str) -> Officer {
        Officer {
            id: 1,
            username: "x".into(),
            display_name: "x".into(),
            role,
            place: place.into(),
        }
    }

    #[test]
    fn the_sos_board_is_the_control_rooms() {
        let control_room = officer(Role::UnitOfficer, CONTROL_ROOM);
        let detectives = officer(Role::UnitOfficer, "detective_branch");
        let hq = officer(Role::Headquarters, "kmp_hq");
        let admin = officer(Role::Administrator, "kmp_hq");
        for right in [SosRight::Watch, SosRight::Work] {
            assert!(may_sos(&control_room, right));
            assert!(may_sos(&admin, right));
            assert!(!may_sos(&detectives, right));
            assert!(!may_sos(&officer(Role::ThanaOfficer, "sonadanga"), right));
            assert!(!may_sos(&officer(Role::Editor, "kmp_hq"), right));
            assert!(!may_sos(&officer(Role::Auditor, "kmp_hq"), right));
        }
        assert!(may_sos(&hq, SosRight::Watch));
        assert!(!may_sos(&hq, SosRight::Work));
    }

    #[test]
    fn desks_decide_for_thana_and_unit_officers() {
        let desk = Desk {
            lead: Some("sonadanga".into()),
            copy: Some("detective_branch".into()),
        };
        let thana = officer(Role::ThanaOfficer, "sonadanga");
        let other = officer(Role::ThanaOfficer, "khalishpur");
        let unit = officer(Role::UnitOfficer, "detective_branch");
        for right in [TipRight::Read, TipRight::Note, TipRight::Work] {
            assert!(may(&thana, right, &desk));
            assert!(!may(&other, right, &desk));
        }
        assert!(may(&unit, TipRight::Read, &desk));
        assert!(may(&unit, TipRight::Note, &desk));
        assert!(!may(&unit, TipRight::Work, &desk));
        let hq = officer(Role::Headquarters, "kmp_hq");
        assert!(may(&hq, TipRight::Read, &desk));
        assert!(!may(&hq, TipRight::Note, &desk));
        assert!(!may(
            &officer(Role::Auditor, "kmp_hq"),
            TipRight::Read,
            &desk
        ));
        assert!(may(
            &officer(Role::Administrator, "kmp_hq"),
            TipRight::Work,
            &desk
        ));
    }
}
