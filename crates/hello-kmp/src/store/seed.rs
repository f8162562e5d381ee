//! KMP's reference data, written at every start without overwriting what operators changed:
//! headquarters, the eight thanas with every spelling the press uses, the units, and the national
//! hotlines. Facts come from `shared/data/FACTS.md`; unpublished values (station phones, officers
//! in charge) stay empty for operators to fill in.

use super::{Store, StoreError};

/// A thana, unit or headquarters.
pub struct SeedPlace {
    pub key: &'static str,
    pub kind: &'static str,
    pub name_bn: &'static str,
    pub name_en: &'static str,
    /// Every other spelling, Bangla and Latin, separated by `|`.
    pub variants: &'static str,
    /// The address, when it is published; citizens see it on the contacts page.
    pub address_bn: &'static str,
    pub address_en: &'static str,
    /// For operators only: what is still to be confirmed.
    pub note: &'static str,
}

pub const PLACES: &[SeedPlace] = &[
    SeedPlace {
        key: "kmp_hq",
        kind: "hq",
        name_bn: "খুলনা মেট্রোপলিটন পুলিশ সদর দপ্তর",
        name_en: "KMP Headquarters",
        variants: "কেএমপি|KMP|Khulna Metropolitan Police",
        address_bn: "১৮৯ খান জাহান আলী রোড, খুলনা",
        address_en: "189 Khan Jahan Ali Road, Khulna",
        note: "",
    },
    SeedPlace {
        key: "khulna_sadar",
        kind: "thana",
        name_bn: "খুলনা সদর থানা",
        name_en: "Khulna Sadar",
        variants: "কোতোয়ালী থানা|খুলনা থানা|Kotwali|Khulna Thana",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "sonadanga",
        kind: "thana",
        name_bn: "সোনাডাঙ্গা মডেল থানা",
        name_en: "Sonadanga Model",
        variants: "সোনাডাঙ্গা|Sonadanga",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "khalishpur",
        kind: "thana",
        name_bn: "খালিশপুর থানা",
        name_en: "Khalishpur",
        variants: "খালিশপুর",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "daulatpur",
        kind: "thana",
        name_bn: "দৌলতপুর থানা",
        name_en: "Daulatpur",
        variants: "দৌলতপুর|Doulatpur",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "khan_jahan_ali",
        kind: "thana",
        name_bn: "খানজাহান আলী থানা",
        name_en: "Khan Jahan Ali",
        variants: "খান জাহান আলী থানা|খানজাহান আলী|Khan Jahan Ali",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "aranghata",
        kind: "thana",
        name_bn: "আড়ংঘাটা থানা",
        name_en: "Aranghata",
        variants: "আড়ংঘাটা|Arongghata|Arangghata",
        address_bn: "",
        address_en: "",
        note: "Year of creation to be confirmed (2011–2013).",
    },
    SeedPlace {
        key: "harintana",
        kind: "thana",
        name_bn: "হরিণটানা থানা",
        name_en: "Harintana",
        variants: "হরিনটানা থানা|হরিণটানা|Horintana",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "labanchara",
        kind: "thana",
        name_bn: "লবণচরা থানা",
        name_en: "Labanchara",
        variants: "লবনচরা থানা|লবণচরা|Lobonchora|Labonchora",
        address_bn: "",
        address_en: "",
        note: "Year of creation to be confirmed (2011 or 2013).",
    },
    SeedPlace {
        key: "detective_branch",
        kind: "unit",
        name_bn: "নগর গোয়েন্দা শাখা",
        name_en: "Detective Branch",
        variants: "ডিবি|DB",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "city_special_branch",
        kind: "unit",
        name_bn: "নগর বিশেষ শাখা",
        name_en: "City Special Branch",
        variants: "সিটি এসবি|CSB|City SB",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "traffic",
        kind: "unit",
        name_bn: "ট্রাফিক বিভাগ",
        name_en: "Traffic Division",
        variants: "Traffic",
        address_bn: "",
        address_en: "",
        note: "",
    },
    SeedPlace {
        key: "control_room",
        kind: "unit",
        name_bn: "কন্ট্রোল রুম",
        name_en: "Control Room",
        variants: "",
        address_bn: "",
        address_en: "",
        note: "",
    },
];

/// A national hotline.
pub struct SeedHotline {
    pub number: &'static str,
    pub name_bn: &'static str,
    pub name_en: &'static str,
    pub note_bn: &'static str,
    pub note_en: &'static str,
    /// Found only in old reports: shown to operators as "to be confirmed", hidden from citizens.
    pub uncertain: bool,
}

pub const HOTLINES: &[SeedHotline] = &[
    SeedHotline {
        number: "999",
        name_bn: "জাতীয় জরুরি সেবা (পুলিশ, ফায়ার সার্ভিস, অ্যাম্বুলেন্স)",
        name_en: "National Emergency Service (police, fire, ambulance)",
        note_bn: "যেকোনো ফোন থেকে বিনা খরচে, ব্যালান্স না থাকলেও; দিনরাত ২৪ ঘণ্টা",
        note_en: "Free from any phone, even with no balance; 24 hours a day",
        uncertain: false,
    },
    SeedHotline {
        number: "16163",
        name_bn: "ফায়ার সার্ভিস ও সিভিল ডিফেন্স",
        name_en: "Fire Service and Civil Defence",
        note_bn: "",
        note_en: "",
        uncertain: false,
    },
    SeedHotline {
        number: "109",
        name_bn: "নারী ও শিশু নির্যাতন প্রতিরোধে জাতীয় হেল্পলাইন",
        name_en: "National helpline against violence towards women and children",
        note_bn: "বিনা খরচে, দিনরাত ২৪ ঘণ্টা",
        note_en: "Free, 24 hours a day",
        uncertain: false,
    },
    SeedHotline {
        number: "16263",
        name_bn: "স্বাস্থ্য বাতায়ন",
        name_en: "Shastho Batayon (government health line)",
        note_bn: "২৪ ঘণ্টা চিকিৎসকের পরামর্শ; সাধারণ কল চার্জ",
        note_en: "A doctor's advice 24 hours a day; normal call charges",
        uncertain: false,
    },
    SeedHotline {
        number: "333",
        name_bn: "জাতীয় তথ্য ও সেবা কল সেন্টার",
        name_en: "National information and service call centre",
        note_bn: "",
        note_en: "",
        uncertain: true,
    },
];

/// Writes whatever reference rows are missing; rows already there are left as operators keep them.
pub async fn seed_reference(store: &Store) -> Result<(), StoreError> {
    store
        .write(|conn| {
            Box::pin(async move {
                for (order, p) in PLACES.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO places (key, kind, name_bn, name_en, variants, note, sort_order, \
                         address_bn, address_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                         ON CONFLICT (key) DO NOTHING",
                    )
                    .bind(p.key)
                    .bind(p.kind)
                    .bind(p.name_bn)
                    .bind(p.name_en)
                    .bind(p.variants)
                    .bind(p.note)
                    .bind(order as i64)
                    .bind(p.address_bn)
                    .bind(p.address_en)
                    .execute(&mut *conn)
                    .await?;
                }
                for (order, h) in HOTLINES.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO hotlines (number, name_bn, name_en, note_bn, note_en, uncertain, sort_order) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (number) DO NOTHING",
                    )
                    .bind(h.number)
                    .bind(h.name_bn)
                    .bind(h.name_en)
                    .bind(h.note_bn)
                    .bind(h.note_en)
                    .bind(i64::from(h.uncertain))
                    .bind(order as i64)
                    .execute(&mut *conn)
                    .await?;
                }
                crate::services::routing::seed_defaults(conn).await
            })
        })
        .await
}
