//! The FAQ: questions and answers in Bangla and English, in ordered groups. Citizens read the
//! published entries and search them; editors and administrators keep them ([`edit`]).
//! Reading the FAQ records nothing about the reader.

pub mod edit;
pub mod seed;

use sqlx::Row;

use crate::domain::content::{Bilingual, fold, matches_all, query_terms};
use crate::services::ServiceError;
use crate::store::{Conn, Store, StoreError, now};

/// A group of questions.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: i64,
    pub title: Bilingual,
    pub entries: Vec<Entry>,
}

/// A question and its answer.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub group_id: i64,
    pub question: Bilingual,
    pub answer: Bilingual,
    pub published: bool,
    pub updated_at: i64,
}

impl Entry {
    /// The question and answer in both languages, folded for search.
    fn search_text(&self) -> String {
        fold(
            &[
                self.question.bn.as_str(),
                &self.question.en,
                &self.answer.bn,
                &self.answer.en,
            ]
            .join(" "),
        )
    }
}

/// Every group in order, each with its entries in order; only published entries, and only
/// groups that have one, unless `drafts`.
pub(crate) async fn load(store: &Store, drafts: bool) -> Result<Vec<Group>, StoreError> {
    let group_rows =
        sqlx::query("SELECT id, title_bn, title_en FROM faq_groups ORDER BY sort_order, id")
            .fetch_all(store.reader())
            .await?;
    let mut groups = group_rows
        .iter()
        .map(|r| {
            Ok(Group {
                id: r.try_get("id")?,
                title: Bilingual {
                    bn: r.try_get("title_bn")?,
                    en: r.try_get("title_en")?,
                },
                entries: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let sql = if drafts {
        "SELECT id, group_id, question_bn, question_en, answer_bn, answer_en, published, \
         updated_at FROM faq_entries ORDER BY sort_order, id"
    } else {
        "SELECT id, group_id, question_bn, question_en, answer_bn, answer_en, published, \
         updated_at FROM faq_entries WHERE published = 1 ORDER BY sort_order, id"
    };
    for row in sqlx::query(sql).fetch_all(store.reader()).await? {
        let entry = entry_of(&row)?;
        if let Some(group) = groups.iter_mut().find(|g| g.id == entry.group_id) {
            group.entries.push(entry);
        }
    }
    if !drafts {
        groups.retain(|g| !g.entries.is_empty());
    }
    Ok(groups)
}

pub(crate) fn entry_of(row: &sqlx::any::AnyRow) -> Result<Entry, StoreError> {
    Ok(Entry {
        id: row.try_get("id")?,
        group_id: row.try_get("group_id")?,
        question: Bilingual {
            bn: row.try_get("question_bn")?,
            en: row.try_get("question_en")?,
        },
        answer: Bilingual {
            bn: row.try_get("answer_bn")?,
            en: row.try_get("answer_en")?,
        },
        published: row.try_get::<i64, _>("published")? != 0,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The FAQ as citizens see it: published entries only.
pub async fn published(store: &Store) -> Result<Vec<Group>, ServiceError> {
    Ok(load(store, false).await?)
}

/// The published FAQ, or only what a search finds in it when `query` is given.
pub async fn published_matching(
    store: &Store,
    query: Option<&str>,
) -> Result<Vec<Group>, ServiceError> {
    let groups = published(store).await?;
    Ok(match query {
        Some(query) => search(groups, query),
        None => groups,
    })
}

// Limitation: search reads every published entry and compares in memory, on each request: right
// for the tens or few hundreds of questions an FAQ has, not for thousands; the words are matched
// as typed (no stemming, no spelling variants beyond what `content::fold` evens out).
/// The groups and entries in which every word of `query` is found, in the question or the
/// answer, in either language, whatever the case; groups without a match are left out.
pub fn search(groups: Vec<Group>, query: &str) -> Vec<Group> {
    let terms = query_terms(query);
    groups
        .into_iter()
        .filter_map(|mut group| {
            group
                .entries
                .retain(|e| matches_all(&e.search_text(), &terms));
            (!group.entries.is_empty()).then_some(group)
        })
        .collect()
}

/// Writes the questions of [`seed::GROUPS`] the first time the server starts on a database;
/// never again, so that what editors change or delete stays so.
pub async fn seed_defaults(store: &Store) -> Result<(), StoreError> {
    store
        .write(|conn| Box::pin(async move { write_seed(conn).await }))
        .await
}

async fn write_seed(conn: &mut Conn) -> Result<(), StoreError> {
    let first: Option<String> = sqlx::query_scalar(
        "INSERT INTO content_seeds (name, at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING \
         RETURNING name",
    )
    .bind(seed::SEED_NAME)
    .bind(now())
    .fetch_optional(&mut *conn)
    .await?;
    if first.is_none() {
        return Ok(());
    }
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(sort_order), 0) FROM faq_groups")
        .fetch_one(&mut *conn)
        .await?;
    for (g, group) in seed::GROUPS.iter().enumerate() {
        let group_id: i64 = sqlx::query_scalar(
            "INSERT INTO faq_groups (title_bn, title_en, sort_order, updated_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(group.title_bn)
        .bind(group.title_en)
        .bind(base + 1 + g as i64)
        .bind(now())
        .fetch_one(&mut *conn)
        .await?;
        for (e, entry) in group.entries.iter().enumerate() {
            sqlx::query(
                "INSERT INTO faq_entries (group_id, question_bn, question_en, answer_bn, \
                 answer_en, sort_order, published, seed_key, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) ON CONFLICT (seed_key) DO NOTHING",
            )
            .bind(group_id)
            .bind(entry.question_bn)
            .bind(entry.question_en)
            .bind(entry.answer_bn)
            .bind(entry.answer_en)
            .bind(1 + e as i64)
            .bind(entry.key)
            .bind(now())
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: i64, entries: &[(&str, &str, &str, &str)]) -> Group {
        Group {
            id,
            title: Bilingual::default(),
            entries: entries
                .iter()
                .enumerate()
                .map(|(i, (qbn, qen, abn, aen))| Entry {
                    id: id * 10 + i as i64,
                    group_id: id,
                    question: Bilingual {
                        bn: qbn.to_string(),
                        en: qen.to_string(),
                    },
                    answer: Bilingual {
                        bn: abn.to_string(),
                        en: aen.to_string(),
                    },
                    published: true,
                    updated_at: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn search_reads_both_languages_and_drops_empty_groups() {
        let groups = vec![
            group(1, &[("রসিদ কী?", "What is the receipt?", "উত্তর", "Answer")]),
            group(2, &[("ফি কত?", "The fee?", "৫০০ টাকা", "BDT 500")]),
        ];
        let found = search(groups.clone(), "RECEIPT");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, 1);
        assert_eq!(search(groups.clone(), "টাকা")[0].id, 2);
        // Bangla digits find ASCII ones, and both words must be there.
        assert_eq!(search(groups.clone(), "bdt ৫০০")[0].id, 2);
        assert!(search(groups.clone(), "receipt 500").is_empty());
        assert!(search(groups, "   ").is_empty());
    }

    #[test]
    fn every_seeded_answer_is_in_both_languages_and_names_no_number_beyond_the_facts() {
        let mut keys = Vec::new();
        for group in seed::GROUPS {
            assert!(!group.title_bn.is_empty() && !group.title_en.is_empty());
            for e in group.entries {
                for text in [e.question_bn, e.question_en, e.answer_bn, e.answer_en] {
                    assert!(!text.trim().is_empty(), "{}", e.key);
                    assert!(!text.contains("  "), "{}: a double space", e.key);
                }
                keys.push(e.key);
                // Every number of three digits or more is a national number or the fee from
                // FACTS.md, or the 100 MB video limit.
                for text in [e.answer_en, &crate::domain::digits::to_ascii(e.answer_bn)] {
                    for number in text
                        .split(|c: char| !c.is_ascii_digit())
                        .filter(|n| n.len() >= 3)
                    {
                        assert!(
                            ["999", "16163", "109", "500", "100"].contains(&number),
                            "{}: {number} is not a published number",
                            e.key
                        );
                    }
                }
            }
        }
        let count = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), count, "seed keys are unique");
    }
}
