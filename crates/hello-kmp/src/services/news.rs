//! News: posts editors write in Bangla and English, kept as drafts until published. Citizens
//! see only published posts; editors and administrators write, publish, unpublish and delete
//! them (checked here, [`access::publishes`]), each change audited in its own transaction.
//! Reading the news records nothing about the reader.
//!
//! A post may carry one picture. It is cleaned by the code that cleans a tip's photos (checked
//! to be only a picture, decoded, turned upright and encoded again, so that no EXIF, GPS,
//! camera details, XMP, IPTC or comment survive), shrunk to fit a page, and kept in the blob
//! store like every file. A published post's picture is public.

use sqlx::Row;

use crate::blobs::Blobs;
use crate::domain::InputError;
use crate::domain::content::{Bilingual, slug};
use crate::domain::digits;
use crate::domain::media::{self, IMAGE_MAX_BYTES, MediaKind};
use crate::sealing::{Keys, random_hex};
use crate::services::ServiceError;
use crate::services::access;
use crate::services::accounts::Officer;
use crate::services::attachments::clean_off_thread;
use crate::services::audit::{self, Action};
use crate::store::{Conn, Store, StoreError, now};

/// Posts on one page of the list.
pub const PER_PAGE: i64 = 10;
/// Longest title, in characters, in each language.
pub const TITLE_MAX_CHARS: usize = 200;
/// Longest summary, in characters, in each language.
pub const SUMMARY_MAX_CHARS: usize = 500;
/// Longest body, in characters, in each language (10,000 Bangla characters are about 30 KB).
pub const BODY_MAX_CHARS: usize = 10_000;
/// Longest description of a picture, in characters, in each language.
pub const ALT_MAX_CHARS: usize = 300;
/// A picture is shrunk to fit this box (wide enough for a large phone at twice its density,
/// and for the previews of sharing sites).
pub const PICTURE_MAX_WIDTH: u32 = 1200;
pub const PICTURE_MAX_HEIGHT: u32 = 1600;

/// The refusal of a picture over the photo limit (the tipsters' default; editors' pictures do
/// not follow the `attachments` settings).
pub fn picture_too_large() -> InputError {
    media::FileLimits::default().too_large(Some(MediaKind::Jpeg))
}

/// A post as stored.
#[derive(Debug, Clone)]
pub struct Post {
    pub id: i64,
    pub slug: String,
    pub title: Bilingual,
    pub summary: Bilingual,
    pub body: Bilingual,
    pub published: bool,
    /// When it was first published; kept when it is unpublished and published again.
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub picture: Option<Picture>,
}

/// A post's picture, cleaned.
#[derive(Debug, Clone)]
pub struct Picture {
    pub uid: String,
    pub kind: MediaKind,
    pub width: i64,
    pub height: i64,
    /// What it shows, for readers who cannot see it; empty for a decorative picture.
    pub alt: Bilingual,
}

impl Picture {
    /// Where citizens load it: the uid changes with the picture, so the address may be cached
    /// for good.
    pub fn path(&self) -> String {
        format!("/news/pictures/{}.{}", self.uid, self.kind.extension())
    }
}

impl Post {
    /// The post's address: its number, then the words of its English title.
    pub fn path(&self) -> String {
        if self.slug.is_empty() {
            format!("/news/{}", self.id)
        } else {
            format!("/news/{}-{}", self.id, self.slug)
        }
    }

    /// When citizens see it was published (a draft: when it was written).
    pub fn date(&self) -> i64 {
        self.published_at.unwrap_or(self.created_at)
    }
}

/// The number of a post in its address (`12` in `/news/12-new-helpline`).
pub fn id_in_path(segment: &str) -> Option<i64> {
    let digits: String = segment.chars().take_while(char::is_ascii_digit).collect();
    let rest = &segment[digits.len()..];
    if digits.is_empty() || !(rest.is_empty() || rest.starts_with('-')) {
        return None;
    }
    digits.parse().ok()
}

/// A post as an editor typed it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub title_bn: String,
    pub title_en: String,
    pub summary_bn: String,
    pub summary_en: String,
    pub body_bn: String,
    pub body_en: String,
    pub alt_bn: String,
    pub alt_en: String,
    /// `1` to take the picture off the post.
    pub remove_picture: String,
    /// `1` when the "published" box is ticked.
    pub published: String,
}

/// A post's texts, checked: a draft has a title in one language at least; a published post
/// has title, summary and body in both.
struct PostText {
    title: Bilingual,
    summary: Bilingual,
    body: Bilingual,
    alt: Bilingual,
    published: bool,
}

impl PostForm {
    /// The form filled with a stored post, to edit it.
    pub fn of(post: &Post) -> PostForm {
        PostForm {
            title_bn: post.title.bn.clone(),
            title_en: post.title.en.clone(),
            summary_bn: post.summary.bn.clone(),
            summary_en: post.summary.en.clone(),
            body_bn: post.body.bn.clone(),
            body_en: post.body.en.clone(),
            alt_bn: post
                .picture
                .as_ref()
                .map(|p| p.alt.bn.clone())
                .unwrap_or_default(),
            alt_en: post
                .picture
                .as_ref()
                .map(|p| p.alt.en.clone())
                .unwrap_or_default(),
            remove_picture: String::new(),
            published: if post.published { "1" } else { "" }.into(),
        }
    }

    pub fn removes_picture(&self) -> bool {
        self.remove_picture == "1"
    }

    pub fn is_published(&self) -> bool {
        self.published == "1"
    }

    /// Checks the texts; refuses before anything is read from a picture or written.
    pub fn check(&self) -> Result<(), InputError> {
        self.parse().map(|_| ())
    }

    fn parse(&self) -> Result<PostText, InputError> {
        let title = Bilingual::parse(
            &self.title_bn,
            &self.title_en,
            TITLE_MAX_CHARS,
            InputError::NewsTitleTooLong,
        )?;
        let summary = Bilingual::parse(
            &self.summary_bn,
            &self.summary_en,
            SUMMARY_MAX_CHARS,
            InputError::NewsSummaryTooLong,
        )?;
        let body = Bilingual::parse(
            &self.body_bn,
            &self.body_en,
            BODY_MAX_CHARS,
            InputError::NewsBodyTooLong,
        )?;
        let alt = Bilingual::parse(
            &self.alt_bn,
            &self.alt_en,
            ALT_MAX_CHARS,
            InputError::NewsAltTooLong,
        )?;
        if title.is_empty() {
            return Err(InputError::NewsTitleMissing);
        }
        let published = self.is_published();
        if published {
            title.require_both(
                InputError::NewsTitleBnMissing,
                InputError::NewsTitleEnMissing,
            )?;
            summary.require_both(
                InputError::NewsSummaryBnMissing,
                InputError::NewsSummaryEnMissing,
            )?;
            body.require_both(InputError::NewsBodyBnMissing, InputError::NewsBodyEnMissing)?;
        }
        Ok(PostText {
            title,
            summary,
            body,
            alt,
            published,
        })
    }
}

const COLUMNS: &str = "id, slug, title_bn, title_en, summary_bn, summary_en, body_bn, body_en, \
     published, published_at, created_at, updated_at, picture_uid, picture_kind, picture_width, \
     picture_height, picture_alt_bn, picture_alt_en";

fn post_of(row: &sqlx::any::AnyRow) -> Result<Post, StoreError> {
    let pair = |bn: &str, en: &str| -> Result<Bilingual, StoreError> {
        Ok(Bilingual {
            bn: row.try_get(bn)?,
            en: row.try_get(en)?,
        })
    };
    Ok(Post {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        title: pair("title_bn", "title_en")?,
        summary: pair("summary_bn", "summary_en")?,
        body: pair("body_bn", "body_en")?,
        published: row.try_get::<i64, _>("published")? != 0,
        published_at: row.try_get("published_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        picture: picture_of(row)?,
    })
}

fn picture_of(row: &sqlx::any::AnyRow) -> Result<Option<Picture>, StoreError> {
    let Some(uid) = row.try_get::<Option<String>, _>("picture_uid")? else {
        return Ok(None);
    };
    let kind: String = row
        .try_get::<Option<String>, _>("picture_kind")?
        .unwrap_or_default();
    Ok(Some(Picture {
        uid,
        kind: MediaKind::parse(&kind).ok_or(StoreError::Sealing)?,
        width: row.try_get::<Option<i64>, _>("picture_width")?.unwrap_or(0),
        height: row
            .try_get::<Option<i64>, _>("picture_height")?
            .unwrap_or(0),
        alt: Bilingual {
            bn: row.try_get("picture_alt_bn")?,
            en: row.try_get("picture_alt_en")?,
        },
    }))
}

/// The page number asked for: none is the first; anything but a whole number from 1 is refused.
pub fn parse_page_number(raw: Option<&str>) -> Result<i64, InputError> {
    match raw {
        None => Ok(1),
        Some(text) => digits::to_ascii(text.trim())
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or(InputError::PageNumberMalformed),
    }
}

/// A post by its address segment (`12-new-helpline`, or the number alone), published only.
pub async fn published_post_at(store: &Store, segment: &str) -> Result<Post, ServiceError> {
    let id = id_in_path(segment).ok_or(InputError::PostUnknown)?;
    match published_post(store, id).await {
        Err(ServiceError::NotFound) => Err(InputError::PostUnknown.into()),
        other => other,
    }
}

/// One page of published posts, newest first.
#[derive(Debug, Clone)]
pub struct PostPage {
    pub posts: Vec<Post>,
    pub number: i64,
    pub has_older: bool,
}

/// Page `number` (from 1) of the published posts; a page past the last is not found (the
/// first page is there even when empty).
pub async fn page(store: &Store, number: i64) -> Result<PostPage, ServiceError> {
    if number < 1 {
        return Err(ServiceError::NotFound);
    }
    let offset = (number - 1)
        .checked_mul(PER_PAGE)
        .ok_or(ServiceError::NotFound)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM news_posts WHERE published = 1 \
         ORDER BY published_at DESC, id DESC LIMIT $1 OFFSET $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(PER_PAGE + 1)
        .bind(offset)
        .fetch_all(store.reader())
        .await?;
    let mut posts = rows.iter().map(post_of).collect::<Result<Vec<_>, _>>()?;
    if posts.is_empty() && number > 1 {
        return Err(ServiceError::NotFound);
    }
    let has_older = posts.len() as i64 > PER_PAGE;
    posts.truncate(PER_PAGE as usize);
    Ok(PostPage {
        posts,
        number,
        has_older,
    })
}

/// The newest `count` published posts (for the feed).
pub async fn latest(store: &Store, count: i64) -> Result<Vec<Post>, ServiceError> {
    Ok(page_rows(store, count).await?)
}

async fn page_rows(store: &Store, count: i64) -> Result<Vec<Post>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM news_posts WHERE published = 1 \
         ORDER BY published_at DESC, id DESC LIMIT $1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(count)
        .fetch_all(store.reader())
        .await?;
    rows.iter().map(post_of).collect()
}

/// A published post; a draft is not found.
pub async fn published_post(store: &Store, id: i64) -> Result<Post, ServiceError> {
    let post = find(store, id).await?.ok_or(ServiceError::NotFound)?;
    if !post.published {
        return Err(ServiceError::NotFound);
    }
    Ok(post)
}

async fn find(store: &Store, id: i64) -> Result<Option<Post>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM news_posts WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(store.reader())
        .await?;
    row.as_ref().map(post_of).transpose()
}

/// Every post, drafts first and then the newest, for the console.
pub async fn all(store: &Store, officer: &Officer) -> Result<Vec<Post>, ServiceError> {
    access::publishes(officer)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM news_posts \
         ORDER BY published, COALESCE(published_at, created_at) DESC, id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(store.reader())
        .await?;
    Ok(rows.iter().map(post_of).collect::<Result<_, _>>()?)
}

/// One post, draft or not, for the console.
pub async fn post(store: &Store, officer: &Officer, id: i64) -> Result<Post, ServiceError> {
    access::publishes(officer)?;
    find(store, id).await?.ok_or(ServiceError::NotFound)
}

fn state_word(published: bool) -> &'static str {
    if published { "published" } else { "draft" }
}

/// Writes a new post, with the picture prepared for it if any; answers its id. If it fails, the
/// picture is discarded.
pub async fn create(
    store: &Store,
    blobs: &Blobs,
    officer: &Officer,
    form: &PostForm,
    picture: Option<PreparedPicture>,
) -> Result<i64, ServiceError> {
    let new_uid = picture.as_ref().map(|p| p.uid.clone());
    let created = write_new(store, officer, form, picture).await;
    if let (Err(_), Some(uid)) = (&created, new_uid) {
        delete_blob(blobs, &uid).await;
    }
    created
}

async fn write_new(
    store: &Store,
    officer: &Officer,
    form: &PostForm,
    picture: Option<PreparedPicture>,
) -> Result<i64, ServiceError> {
    access::publishes(officer)?;
    let text = form.parse()?;
    let actor = officer.id;
    Ok(store
        .write_audited(move |conn| {
            Box::pin(async move {
                let at = now();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO news_posts (slug, title_bn, title_en, summary_bn, summary_en, \
                     body_bn, body_en, published, published_at, created_by, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
                     RETURNING id",
                )
                .bind(slug(&text.title.en))
                .bind(&text.title.bn)
                .bind(&text.title.en)
                .bind(&text.summary.bn)
                .bind(&text.summary.en)
                .bind(&text.body.bn)
                .bind(&text.body.en)
                .bind(i64::from(text.published))
                .bind(text.published.then_some(at))
                .bind(actor)
                .bind(at)
                .fetch_one(&mut *conn)
                .await?;
                set_picture(conn, id, picture.as_ref(), &text.alt).await?;
                let detail = format!(
                    "post {id}, {}{}",
                    state_word(text.published),
                    picture_word(picture.as_ref())
                );
                audit::record(conn, Some(actor), Action::NewsCreate, None, &detail).await?;
                Ok(id)
            })
        })
        .await?)
}

/// What an edit does to the picture.
pub enum PictureChange {
    Keep,
    Remove,
    Replace(PreparedPicture),
}

/// Saves an edited post. A picture replaced or removed leaves the blob store once the change
/// is committed; if it fails, a new picture is discarded.
pub async fn save(
    store: &Store,
    blobs: &Blobs,
    officer: &Officer,
    id: i64,
    form: &PostForm,
    change: PictureChange,
) -> Result<(), ServiceError> {
    let new_uid = match &change {
        PictureChange::Replace(picture) => Some(picture.uid.clone()),
        _ => None,
    };
    let saved = write_edit(store, officer, id, form, change).await;
    match (saved, new_uid) {
        (Ok(Some(old)), _) => {
            delete_blob(blobs, &old).await;
            Ok(())
        }
        (Ok(None), _) => Ok(()),
        (Err(err), Some(uid)) => {
            delete_blob(blobs, &uid).await;
            Err(err)
        }
        (Err(err), None) => Err(err),
    }
}

/// Writes the edit; answers the picture the post no longer uses.
async fn write_edit(
    store: &Store,
    officer: &Officer,
    id: i64,
    form: &PostForm,
    change: PictureChange,
) -> Result<Option<String>, ServiceError> {
    access::publishes(officer)?;
    let text = form.parse()?;
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let old: Option<Option<String>> =
                    sqlx::query_scalar("SELECT picture_uid FROM news_posts WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let Some(old) = old else {
                    return Ok(Err(ServiceError::NotFound));
                };
                let at = now();
                sqlx::query(
                    "UPDATE news_posts SET slug = $1, title_bn = $2, title_en = $3, \
                     summary_bn = $4, summary_en = $5, body_bn = $6, body_en = $7, \
                     published = $8, published_at = CASE WHEN $8 = 1 THEN \
                     COALESCE(published_at, $9) ELSE published_at END, updated_at = $9 \
                     WHERE id = $10",
                )
                .bind(slug(&text.title.en))
                .bind(&text.title.bn)
                .bind(&text.title.en)
                .bind(&text.summary.bn)
                .bind(&text.summary.en)
                .bind(&text.body.bn)
                .bind(&text.body.en)
                .bind(i64::from(text.published))
                .bind(at)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                let (gone, word) = match &change {
                    PictureChange::Keep => {
                        sqlx::query(
                            "UPDATE news_posts SET picture_alt_bn = $1, picture_alt_en = $2 \
                             WHERE id = $3",
                        )
                        .bind(&text.alt.bn)
                        .bind(&text.alt.en)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                        (None, "")
                    }
                    PictureChange::Remove => {
                        set_picture(conn, id, None, &text.alt).await?;
                        let word = if old.is_some() {
                            ", picture removed"
                        } else {
                            ""
                        };
                        (old, word)
                    }
                    PictureChange::Replace(picture) => {
                        set_picture(conn, id, Some(picture), &text.alt).await?;
                        (old, ", new picture")
                    }
                };
                let detail = format!("post {id}, {}{word}", state_word(text.published));
                audit::record(conn, Some(actor), Action::NewsEdit, None, &detail).await?;
                Ok(Ok(gone))
            })
        })
        .await?
}

/// Records the picture of a post (or none), with its description.
async fn set_picture(
    conn: &mut Conn,
    id: i64,
    picture: Option<&PreparedPicture>,
    alt: &Bilingual,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE news_posts SET picture_uid = $1, picture_kind = $2, picture_key_sealed = $3, \
         picture_width = $4, picture_height = $5, picture_alt_bn = $6, picture_alt_en = $7 \
         WHERE id = $8",
    )
    .bind(picture.map(|p| p.uid.clone()))
    .bind(picture.map(|p| p.kind.key()))
    .bind(picture.map(|p| p.key_sealed.clone()))
    .bind(picture.map(|p| i64::from(p.width)))
    .bind(picture.map(|p| i64::from(p.height)))
    .bind(&alt.bn)
    .bind(&alt.en)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn picture_word(picture: Option<&PreparedPicture>) -> &'static str {
    if picture.is_some() {
        ", with a picture"
    } else {
        ""
    }
}

async fn delete_blob(blobs: &Blobs, uid: &str) {
    if let Err(err) = blobs.delete(uid).await {
        tracing::warn!(error = %err, "a news picture no longer used could not be deleted");
    }
}

/// Publishes or unpublishes a post; publishing needs every text in both languages.
pub async fn set_published(
    store: &Store,
    officer: &Officer,
    id: i64,
    published: bool,
) -> Result<(), ServiceError> {
    let stored = post(store, officer, id).await?;
    let mut form = PostForm::of(&stored);
    form.published = if published { "1" } else { "" }.into();
    // The stored texts are checked as if typed again, so that the refusal names what is missing.
    form.parse()?;
    let actor = officer.id;
    let action = if published {
        Action::NewsPublish
    } else {
        Action::NewsUnpublish
    };
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let at = now();
                let changed = sqlx::query(
                    "UPDATE news_posts SET published = $1, published_at = CASE WHEN $1 = 1 \
                     THEN COALESCE(published_at, $2) ELSE published_at END, updated_at = $2 \
                     WHERE id = $3",
                )
                .bind(i64::from(published))
                .bind(at)
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Ok(Err(ServiceError::NotFound));
                }
                audit::record(conn, Some(actor), action, None, &format!("post {id}")).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Deletes a post for good, once the editor has confirmed.
pub async fn delete(
    store: &Store,
    blobs: &Blobs,
    officer: &Officer,
    id: i64,
    confirmed: bool,
) -> Result<(), ServiceError> {
    access::publishes(officer)?;
    if !confirmed {
        return Err(InputError::DeleteNotConfirmed.into());
    }
    let actor = officer.id;
    let picture = store
        .write_audited(move |conn| {
            Box::pin(async move {
                let row = sqlx::query("SELECT title_en, picture_uid FROM news_posts WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                let Some(row) = row else {
                    return Ok(Err(ServiceError::NotFound));
                };
                let title: String = row.try_get("title_en")?;
                let picture: Option<String> = row.try_get("picture_uid")?;
                sqlx::query("DELETE FROM news_posts WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                // The title is public text; the audit keeps enough of it to tell which post.
                let short: String = title.chars().take(80).collect();
                let detail = format!("post {id}: {short}");
                audit::record(conn, Some(actor), Action::NewsDelete, None, &detail).await?;
                Ok(Ok(picture))
            })
        })
        .await??;
    if let Some(uid) = picture {
        delete_blob(blobs, &uid).await;
    }
    Ok(())
}

/// Refuses an officer who may not write news, or texts that would be refused, before a picture
/// sent with them is read.
pub fn check_before_picture(officer: &Officer, form: &PostForm) -> Result<(), ServiceError> {
    access::publishes(officer)?;
    Ok(form.check()?)
}

/// A picture cleaned and sealed into the blob store, not yet recorded.
pub struct PreparedPicture {
    uid: String,
    kind: MediaKind,
    width: u32,
    height: u32,
    key_sealed: Vec<u8>,
}

/// Checks the officer may write news and the post's texts, then recognises, checks, cleans and
/// shrinks the picture and seals it into the blob store. A file that is not a JPEG, PNG or
/// WebP photo is refused; so is one that hides other data, as for a tip's photos.
pub async fn prepare_picture(
    blobs: &Blobs,
    keys: &Keys,
    officer: &Officer,
    form: &PostForm,
    bytes: Vec<u8>,
) -> Result<PreparedPicture, ServiceError> {
    check_before_picture(officer, form)?;
    let kind = match media::sniff(&bytes) {
        Ok(kind) if kind.is_image() => kind,
        Err(InputError::FileEmpty) => return Err(InputError::FileEmpty.into()),
        _ => return Err(InputError::PictureKindRefused.into()),
    };
    if bytes.len() > IMAGE_MAX_BYTES {
        return Err(picture_too_large().into());
    }
    let clean = clean_off_thread(move || {
        media::clean_picture(kind, &bytes, PICTURE_MAX_WIDTH, PICTURE_MAX_HEIGHT)
    })
    .await?;
    let uid = format!("news-{}", random_hex(16));
    let sealed = blobs.put(keys, &uid, &clean.bytes).await?;
    Ok(PreparedPicture {
        uid,
        kind: clean.kind,
        width: clean.width,
        height: clean.height,
        key_sealed: sealed.key_sealed,
    })
}

/// Deletes a prepared picture that will not be recorded.
pub async fn discard_picture(blobs: &Blobs, picture: PreparedPicture) {
    delete_blob(blobs, &picture.uid).await;
}

/// A published post's picture, by the file name in its address (`{uid}.{extension}`); that of
/// a draft is not found.
pub async fn public_picture(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    file: &str,
) -> Result<(MediaKind, Vec<u8>), ServiceError> {
    let (uid, extension) = file.rsplit_once('.').ok_or(ServiceError::NotFound)?;
    let row = sqlx::query(
        "SELECT picture_kind, picture_key_sealed FROM news_posts \
         WHERE picture_uid = $1 AND published = 1",
    )
    .bind(uid)
    .fetch_optional(store.reader())
    .await?
    .ok_or(ServiceError::NotFound)?;
    open_picture(blobs, keys, uid, &row, Some(extension)).await
}

/// A post's picture for the console, published or not.
pub async fn console_picture(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    officer: &Officer,
    id: i64,
) -> Result<(MediaKind, Vec<u8>), ServiceError> {
    access::publishes(officer)?;
    let row = sqlx::query(
        "SELECT picture_uid, picture_kind, picture_key_sealed FROM news_posts \
         WHERE id = $1 AND picture_uid IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(store.reader())
    .await?
    .ok_or(ServiceError::NotFound)?;
    let uid: String = row.try_get("picture_uid")?;
    open_picture(blobs, keys, &uid, &row, None).await
}

async fn open_picture(
    blobs: &Blobs,
    keys: &Keys,
    uid: &str,
    row: &sqlx::any::AnyRow,
    extension: Option<&str>,
) -> Result<(MediaKind, Vec<u8>), ServiceError> {
    let kind: String = row.try_get("picture_kind")?;
    let kind = MediaKind::parse(&kind).ok_or(ServiceError::NotFound)?;
    if extension.is_some_and(|e| e != kind.extension()) {
        return Err(ServiceError::NotFound);
    }
    let key_sealed: Vec<u8> = row.try_get("picture_key_sealed")?;
    Ok((kind, blobs.open(keys, uid, &key_sealed).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(published: bool) -> PostForm {
        PostForm {
            title_bn: "শিরোনাম".into(),
            title_en: "Title".into(),
            summary_bn: "সারাংশ".into(),
            summary_en: "Summary".into(),
            body_bn: "লেখা".into(),
            body_en: "Body".into(),
            published: if published { "1" } else { "" }.into(),
            ..PostForm::default()
        }
    }

    #[test]
    fn a_published_post_has_every_text_in_both_languages() {
        assert!(form(true).check().is_ok());
        type Blank = fn(&mut PostForm);
        let cases: [(Blank, InputError); 6] = [
            (|f| f.title_bn.clear(), InputError::NewsTitleBnMissing),
            (|f| f.title_en.clear(), InputError::NewsTitleEnMissing),
            (|f| f.summary_bn.clear(), InputError::NewsSummaryBnMissing),
            (|f| f.summary_en.clear(), InputError::NewsSummaryEnMissing),
            (|f| f.body_bn = " \n ".into(), InputError::NewsBodyBnMissing),
            (|f| f.body_en.clear(), InputError::NewsBodyEnMissing),
        ];
        for (blank, error) in cases {
            let mut typed = form(true);
            blank(&mut typed);
            assert_eq!(typed.check(), Err(error));
            typed.published.clear();
            assert!(typed.check().is_ok(), "{error:?} may wait in a draft");
        }
        let mut untitled = form(false);
        untitled.title_bn.clear();
        untitled.title_en.clear();
        assert_eq!(untitled.check(), Err(InputError::NewsTitleMissing));
        let mut long = form(false);
        long.body_en = "a".repeat(BODY_MAX_CHARS + 1);
        assert_eq!(long.check(), Err(InputError::NewsBodyTooLong));
        long.summary_bn = "স".repeat(SUMMARY_MAX_CHARS + 1);
        assert_eq!(long.check(), Err(InputError::NewsSummaryTooLong));
        long.title_en = "t".repeat(TITLE_MAX_CHARS + 1);
        assert_eq!(long.check(), Err(InputError::NewsTitleTooLong));
    }

    #[test]
    fn a_post_is_found_by_the_number_in_its_address() {
        assert_eq!(id_in_path("12-new-helpline"), Some(12));
        assert_eq!(id_in_path("12"), Some(12));
        assert_eq!(id_in_path("12x"), None);
        assert_eq!(id_in_path("feed.atom"), None);
        assert_eq!(id_in_path("-3"), None);
        assert_eq!(id_in_path("99999999999999999999999"), None);
    }
}
