-- The FAQ and the news (SQLite). Everything here is public once published: nothing is sealed,
-- except a news picture's own key, kept as every blob's is.

-- Groups of questions, in the order editors give them.
CREATE TABLE faq_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title_bn TEXT NOT NULL,
    title_en TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A question and its answer in both languages. A draft (published = 0) may lack a language;
-- a published entry has all four texts. `seed_key` names the entries the server wrote itself.
CREATE TABLE faq_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL REFERENCES faq_groups (id),
    question_bn TEXT NOT NULL,
    question_en TEXT NOT NULL,
    answer_bn TEXT NOT NULL,
    answer_en TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    published INTEGER NOT NULL,
    seed_key TEXT UNIQUE,
    updated_at INTEGER NOT NULL
);
CREATE INDEX faq_entries_group ON faq_entries (group_id, sort_order);

-- Seed sets already written, so that an entry an editor deleted is not written again.
CREATE TABLE content_seeds (
    name TEXT PRIMARY KEY,
    at INTEGER NOT NULL
);

-- News posts. `published_at` is set at the first publication and kept, so that unpublishing
-- and publishing again does not move a post to the top of the list.
CREATE TABLE news_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL,
    title_bn TEXT NOT NULL,
    title_en TEXT NOT NULL,
    summary_bn TEXT NOT NULL,
    summary_en TEXT NOT NULL,
    body_bn TEXT NOT NULL,
    body_en TEXT NOT NULL,
    published INTEGER NOT NULL,
    published_at INTEGER,
    picture_uid TEXT UNIQUE,
    picture_kind TEXT,
    picture_key_sealed BLOB,
    picture_width INTEGER,
    picture_height INTEGER,
    -- What the picture shows, for readers who cannot see it; empty for a decorative one.
    picture_alt_bn TEXT NOT NULL DEFAULT '',
    picture_alt_en TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES officers (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX news_posts_published ON news_posts (published, published_at, id);
