//! Keeping the FAQ: editors and administrators write, reorder, publish, unpublish and delete
//! questions and their groups. Each change is checked here ([`access::publishes`]) and written
//! with its audit entry in one transaction.

use sqlx::Row;

use super::{Entry, Group, entry_of, load};
use crate::domain::InputError;
use crate::domain::content::Bilingual;
use crate::services::ServiceError;
use crate::services::access;
use crate::services::accounts::Officer;
use crate::services::audit::{self, Action};
use crate::store::{Conn, Store, StoreError, now};

/// Longest question, in characters, in each language.
pub const QUESTION_MAX_CHARS: usize = 300;
/// Longest answer, in characters, in each language.
pub const ANSWER_MAX_CHARS: usize = 5_000;
/// Longest group title, in characters, in each language.
pub const GROUP_TITLE_MAX_CHARS: usize = 100;

/// A question as an editor typed it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EntryForm {
    pub group: String,
    pub question_bn: String,
    pub question_en: String,
    pub answer_bn: String,
    pub answer_en: String,
    /// `1` when the "published" box is ticked.
    pub published: String,
}

/// A question, checked: a draft may lack a language, a published entry has all four texts.
struct EntryText {
    group_id: i64,
    question: Bilingual,
    answer: Bilingual,
    published: bool,
}

impl EntryForm {
    /// The form filled with a stored entry, to edit it.
    pub fn of(entry: &Entry) -> EntryForm {
        EntryForm {
            group: entry.group_id.to_string(),
            question_bn: entry.question.bn.clone(),
            question_en: entry.question.en.clone(),
            answer_bn: entry.answer.bn.clone(),
            answer_en: entry.answer.en.clone(),
            published: if entry.published { "1" } else { "" }.into(),
        }
    }

    pub fn is_published(&self) -> bool {
        self.published == "1"
    }

    fn parse(&self) -> Result<EntryText, InputError> {
        let group_id = self
            .group
            .trim()
            .parse()
            .map_err(|_| InputError::FaqGroupUnknown)?;
        let question = Bilingual::parse(
            &self.question_bn,
            &self.question_en,
            QUESTION_MAX_CHARS,
            InputError::FaqQuestionTooLong,
        )?;
        let answer = Bilingual::parse(
            &self.answer_bn,
            &self.answer_en,
            ANSWER_MAX_CHARS,
            InputError::FaqAnswerTooLong,
        )?;
        let published = self.is_published();
        if published {
            question.require_both(
                InputError::FaqQuestionBnMissing,
                InputError::FaqQuestionEnMissing,
            )?;
            answer.require_both(
                InputError::FaqAnswerBnMissing,
                InputError::FaqAnswerEnMissing,
            )?;
        } else if question.is_empty() {
            // A draft is still a question in at least one language.
            return Err(InputError::FaqQuestionBnMissing);
        }
        Ok(EntryText {
            group_id,
            question,
            answer,
            published,
        })
    }
}

/// A group's title as an editor typed it; both languages, always (it heads the public page).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct GroupForm {
    pub title_bn: String,
    pub title_en: String,
}

impl GroupForm {
    /// The form filled with a stored group's title, to edit it.
    pub fn of(group: &super::Group) -> GroupForm {
        GroupForm {
            title_bn: group.title.bn.clone(),
            title_en: group.title.en.clone(),
        }
    }

    fn parse(&self) -> Result<Bilingual, InputError> {
        let title = Bilingual::parse(
            &self.title_bn,
            &self.title_en,
            GROUP_TITLE_MAX_CHARS,
            InputError::FaqGroupTitleTooLong,
        )?;
        title.require_both(
            InputError::FaqGroupTitleBnMissing,
            InputError::FaqGroupTitleEnMissing,
        )?;
        Ok(title)
    }
}

/// Which way an entry or a group moves in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

impl Direction {
    fn parse(input: &str) -> Result<Direction, InputError> {
        match input.trim() {
            "up" => Ok(Direction::Up),
            "down" => Ok(Direction::Down),
            _ => Err(InputError::FormTampered),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// Every group and entry, drafts included, for the console.
pub async fn overview(store: &Store, officer: &Officer) -> Result<Vec<Group>, ServiceError> {
    access::publishes(officer)?;
    Ok(load(store, true).await?)
}

/// One entry, draft or not.
pub async fn entry(store: &Store, officer: &Officer, id: i64) -> Result<Entry, ServiceError> {
    access::publishes(officer)?;
    let row = sqlx::query(
        "SELECT id, group_id, question_bn, question_en, answer_bn, answer_en, published, \
         updated_at FROM faq_entries WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.reader())
    .await?
    .ok_or(ServiceError::NotFound)?;
    Ok(entry_of(&row)?)
}

/// One group, without its entries.
pub async fn group(store: &Store, officer: &Officer, id: i64) -> Result<Group, ServiceError> {
    access::publishes(officer)?;
    let row = sqlx::query("SELECT id, title_bn, title_en FROM faq_groups WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Group {
        id: row.try_get("id")?,
        title: Bilingual {
            bn: row.try_get("title_bn")?,
            en: row.try_get("title_en")?,
        },
        entries: Vec::new(),
    })
}

/// Whether the group exists, inside the writer's transaction.
async fn group_exists(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM faq_groups WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// The place after the last entry of a group.
async fn next_entry_order(conn: &mut Conn, group_id: i64) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "SELECT COALESCE(MAX(sort_order), 0) + 1 FROM faq_entries WHERE group_id = $1",
    )
    .bind(group_id)
    .fetch_one(&mut *conn)
    .await
    .map_err(Into::into)
}

/// Adds a question at the end of its group; answers its id.
pub async fn create_entry(
    store: &Store,
    officer: &Officer,
    form: &EntryForm,
) -> Result<i64, ServiceError> {
    access::publishes(officer)?;
    let text = form.parse()?;
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                if !group_exists(conn, text.group_id).await? {
                    return Ok(Err(InputError::FaqGroupUnknown.into()));
                }
                let order = next_entry_order(conn, text.group_id).await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO faq_entries (group_id, question_bn, question_en, answer_bn, \
                     answer_en, sort_order, published, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(text.group_id)
                .bind(&text.question.bn)
                .bind(&text.question.en)
                .bind(&text.answer.bn)
                .bind(&text.answer.en)
                .bind(order)
                .bind(i64::from(text.published))
                .bind(now())
                .fetch_one(&mut *conn)
                .await?;
                let detail = format!(
                    "entry {id} in group {}{}",
                    text.group_id,
                    state_word(text.published)
                );
                audit::record(conn, Some(actor), Action::FaqCreate, None, &detail).await?;
                Ok(Ok(id))
            })
        })
        .await?
}

fn state_word(published: bool) -> &'static str {
    if published { ", published" } else { ", draft" }
}

/// Saves an edited question; one moved to another group goes to that group's end.
pub async fn save_entry(
    store: &Store,
    officer: &Officer,
    id: i64,
    form: &EntryForm,
) -> Result<(), ServiceError> {
    access::publishes(officer)?;
    let text = form.parse()?;
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let current: Option<i64> =
                    sqlx::query_scalar("SELECT group_id FROM faq_entries WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let Some(current_group) = current else {
                    return Ok(Err(ServiceError::NotFound));
                };
                if !group_exists(conn, text.group_id).await? {
                    return Ok(Err(InputError::FaqGroupUnknown.into()));
                }
                if current_group != text.group_id {
                    let order = next_entry_order(conn, text.group_id).await?;
                    sqlx::query(
                        "UPDATE faq_entries SET group_id = $1, sort_order = $2 WHERE id = $3",
                    )
                    .bind(text.group_id)
                    .bind(order)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                sqlx::query(
                    "UPDATE faq_entries SET question_bn = $1, question_en = $2, answer_bn = $3, \
                     answer_en = $4, published = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(&text.question.bn)
                .bind(&text.question.en)
                .bind(&text.answer.bn)
                .bind(&text.answer.en)
                .bind(i64::from(text.published))
                .bind(now())
                .bind(id)
                .execute(&mut *conn)
                .await?;
                let detail = format!(
                    "entry {id} in group {}{}",
                    text.group_id,
                    state_word(text.published)
                );
                audit::record(conn, Some(actor), Action::FaqEdit, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Publishes or unpublishes a question; publishing needs both languages of both texts.
pub async fn set_published(
    store: &Store,
    officer: &Officer,
    id: i64,
    published: bool,
) -> Result<(), ServiceError> {
    let stored = entry(store, officer, id).await?;
    let mut form = EntryForm::of(&stored);
    form.published = if published { "1" } else { "" }.into();
    // The stored texts are checked as if typed again, so that the refusal names what is missing.
    form.parse()?;
    let actor = officer.id;
    let action = if published {
        Action::FaqPublish
    } else {
        Action::FaqUnpublish
    };
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let changed = sqlx::query(
                    "UPDATE faq_entries SET published = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(i64::from(published))
                .bind(now())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Ok(Err(ServiceError::NotFound));
                }
                audit::record(conn, Some(actor), action, None, &format!("entry {id}")).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Swaps an entry with its neighbour in its group (`up` or `down`); at either end nothing
/// moves.
pub async fn move_entry(
    store: &Store,
    officer: &Officer,
    id: i64,
    direction: &str,
) -> Result<(), ServiceError> {
    access::publishes(officer)?;
    let direction = Direction::parse(direction)?;
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let row = sqlx::query("SELECT group_id, sort_order FROM faq_entries WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                let Some(row) = row else {
                    return Ok(Err(ServiceError::NotFound));
                };
                let (group_id, order): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
                let sql = match direction {
                    Direction::Up => {
                        "SELECT id, sort_order FROM faq_entries WHERE group_id = $1 AND \
                         (sort_order < $2 OR (sort_order = $2 AND id < $3)) \
                         ORDER BY sort_order DESC, id DESC LIMIT 1"
                    }
                    Direction::Down => {
                        "SELECT id, sort_order FROM faq_entries WHERE group_id = $1 AND \
                         (sort_order > $2 OR (sort_order = $2 AND id > $3)) \
                         ORDER BY sort_order, id LIMIT 1"
                    }
                };
                let neighbour = sqlx::query(sql)
                    .bind(group_id)
                    .bind(order)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                let Some(neighbour) = neighbour else {
                    return Ok(Ok(()));
                };
                let (other, other_order): (i64, i64) =
                    (neighbour.try_get(0)?, neighbour.try_get(1)?);
                swap_order(conn, "faq_entries", (id, order), (other, other_order)).await?;
                let detail = format!("entry {id} {}", direction.name());
                audit::record(conn, Some(actor), Action::FaqMove, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Gives each row the other's place; rows that shared a place are set apart by one.
async fn swap_order(
    conn: &mut Conn,
    table: &'static str,
    (a, a_order): (i64, i64),
    (b, b_order): (i64, i64),
) -> Result<(), StoreError> {
    let (new_a, new_b) = if a_order == b_order {
        // Equal places are told apart by id; swapping means giving them distinct ones.
        if a < b {
            (a_order + 1, b_order)
        } else {
            (a_order, b_order + 1)
        }
    } else {
        (b_order, a_order)
    };
    let sql = match table {
        "faq_groups" => "UPDATE faq_groups SET sort_order = $1 WHERE id = $2",
        _ => "UPDATE faq_entries SET sort_order = $1 WHERE id = $2",
    };
    for (id, order) in [(a, new_a), (b, new_b)] {
        sqlx::query(sql)
            .bind(order)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Deletes a question for good, once the editor has confirmed.
pub async fn delete_entry(
    store: &Store,
    officer: &Officer,
    id: i64,
    confirmed: bool,
) -> Result<(), ServiceError> {
    access::publishes(officer)?;
    if !confirmed {
        return Err(InputError::DeleteNotConfirmed.into());
    }
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let question: Option<String> =
                    sqlx::query_scalar("SELECT question_en FROM faq_entries WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let Some(question) = question else {
                    return Ok(Err(ServiceError::NotFound));
                };
                sqlx::query("DELETE FROM faq_entries WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                // The question is public text; the audit keeps enough of it to tell which.
                let short: String = question.chars().take(80).collect();
                let detail = format!("entry {id}: {short}");
                audit::record(conn, Some(actor), Action::FaqDelete, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Adds a group at the end; answers its id.
pub async fn create_group(
    store: &Store,
    officer: &Officer,
    form: &GroupForm,
) -> Result<i64, ServiceError> {
    access::publishes(officer)?;
    let title = form.parse()?;
    let actor = officer.id;
    Ok(store
        .write_audited(move |conn| {
            Box::pin(async move {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO faq_groups (title_bn, title_en, sort_order, updated_at) \
                     VALUES ($1, $2, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM faq_groups), \
                     $3) RETURNING id",
                )
                .bind(&title.bn)
                .bind(&title.en)
                .bind(now())
                .fetch_one(&mut *conn)
                .await?;
                let detail = format!("group {id}: {}", title.en);
                audit::record(conn, Some(actor), Action::FaqGroupCreate, None, &detail).await?;
                Ok(id)
            })
        })
        .await?)
}

/// Renames a group.
pub async fn save_group(
    store: &Store,
    officer: &Officer,
    id: i64,
    form: &GroupForm,
) -> Result<(), ServiceError> {
    access::publishes(officer)?;
    let title = form.parse()?;
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let changed = sqlx::query(
                    "UPDATE faq_groups SET title_bn = $1, title_en = $2, updated_at = $3 \
                     WHERE id = $4",
                )
                .bind(&title.bn)
                .bind(&title.en)
                .bind(now())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Ok(Err(ServiceError::NotFound));
                }
                let detail = format!("group {id}: {}", title.en);
                audit::record(conn, Some(actor), Action::FaqGroupEdit, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Swaps a group with its neighbour (`up` or `down`); at either end nothing moves.
pub async fn move_group(
    store: &Store,
    officer: &Officer,
    id: i64,
    direction: &str,
) -> Result<(), ServiceError> {
    access::publishes(officer)?;
    let direction = Direction::parse(direction)?;
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let order: Option<i64> =
                    sqlx::query_scalar("SELECT sort_order FROM faq_groups WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let Some(order) = order else {
                    return Ok(Err(ServiceError::NotFound));
                };
                let sql = match direction {
                    Direction::Up => {
                        "SELECT id, sort_order FROM faq_groups WHERE \
                         (sort_order < $1 OR (sort_order = $1 AND id < $2)) \
                         ORDER BY sort_order DESC, id DESC LIMIT 1"
                    }
                    Direction::Down => {
                        "SELECT id, sort_order FROM faq_groups WHERE \
                         (sort_order > $1 OR (sort_order = $1 AND id > $2)) \
                         ORDER BY sort_order, id LIMIT 1"
                    }
                };
                let neighbour = sqlx::query(sql)
                    .bind(order)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                let Some(neighbour) = neighbour else {
                    return Ok(Ok(()));
                };
                let other = (neighbour.try_get(0)?, neighbour.try_get(1)?);
                swap_order(conn, "faq_groups", (id, order), other).await?;
                let detail = format!("group {id} {}", direction.name());
                audit::record(conn, Some(actor), Action::FaqGroupMove, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Deletes an empty group, once the editor has confirmed.
pub async fn delete_group(
    store: &Store,
    officer: &Officer,
    id: i64,
    confirmed: bool,
) -> Result<(), ServiceError> {
    access::publishes(officer)?;
    if !confirmed {
        return Err(InputError::DeleteNotConfirmed.into());
    }
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let title: Option<String> =
                    sqlx::query_scalar("SELECT title_en FROM faq_groups WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let Some(title) = title else {
                    return Ok(Err(ServiceError::NotFound));
                };
                let entries: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM faq_entries WHERE group_id = $1")
                        .bind(id)
                        .fetch_one(&mut *conn)
                        .await?;
                if entries > 0 {
                    return Ok(Err(InputError::FaqGroupNotEmpty.into()));
                }
                sqlx::query("DELETE FROM faq_groups WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                let detail = format!("group {id}: {title}");
                audit::record(conn, Some(actor), Action::FaqGroupDelete, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(published: bool) -> EntryForm {
        EntryForm {
            group: "1".into(),
            question_bn: "প্রশ্ন".into(),
            question_en: "Question".into(),
            answer_bn: "উত্তর".into(),
            answer_en: "Answer".into(),
            published: if published { "1" } else { "" }.into(),
        }
    }

    #[test]
    fn a_published_entry_needs_every_text_and_a_draft_a_question() {
        assert!(form(true).parse().is_ok());
        for (field, error) in [
            ("question_bn", InputError::FaqQuestionBnMissing),
            ("question_en", InputError::FaqQuestionEnMissing),
            ("answer_bn", InputError::FaqAnswerBnMissing),
            ("answer_en", InputError::FaqAnswerEnMissing),
        ] {
            let mut typed = form(true);
            match field {
                "question_bn" => typed.question_bn = " ".into(),
                "question_en" => typed.question_en.clear(),
                "answer_bn" => typed.answer_bn.clear(),
                _ => typed.answer_en = "\u{200B}".into(),
            }
            assert_eq!(typed.parse().err(), Some(error), "{field}");
            typed.published.clear();
            assert!(typed.parse().is_ok(), "{field} may wait in a draft");
        }
        let mut empty = EntryForm {
            group: "1".into(),
            ..EntryForm::default()
        };
        assert_eq!(empty.parse().err(), Some(InputError::FaqQuestionBnMissing));
        empty.group = "one".into();
        assert_eq!(empty.parse().err(), Some(InputError::FaqGroupUnknown));
        let mut long = form(false);
        long.answer_en = "a".repeat(ANSWER_MAX_CHARS + 1);
        assert_eq!(long.parse().err(), Some(InputError::FaqAnswerTooLong));
        long.question_bn = "প".repeat(QUESTION_MAX_CHARS + 1);
        assert_eq!(long.parse().err(), Some(InputError::FaqQuestionTooLong));
    }

    #[test]
    fn a_group_has_both_titles() {
        let ok = GroupForm {
            title_bn: "বিভাগ".into(),
            title_en: "Group".into(),
        };
        assert!(ok.parse().is_ok());
        let no_en = GroupForm {
            title_en: String::new(),
            ..ok.clone()
        };
        assert_eq!(no_en.parse(), Err(InputError::FaqGroupTitleEnMissing));
        assert_eq!(Direction::parse("sideways"), Err(InputError::FormTampered));
    }
}
