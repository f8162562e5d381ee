// FACTS.md, "The eight thanas": every spelling listed, English and Bangla, by thana key. Read
// with `include!` by the search's unit test (services/directory.rs) and by tests/it/contacts.rs.
&[
    (
        "khulna_sadar",
        &[
            "Khulna Sadar",
            "Kotwali",
            "Khulna Thana",
            "খুলনা সদর থানা",
            "কোতোয়ালী থানা",
            "খুলনা থানা",
        ],
    ),
    ("sonadanga", &["Sonadanga Model", "সোনাডাঙ্গা মডেল থানা"]),
    ("khalishpur", &["Khalishpur", "খালিশপুর থানা"]),
    ("daulatpur", &["Daulatpur", "Doulatpur", "দৌলতপুর থানা"]),
    (
        "khan_jahan_ali",
        &["Khan Jahan Ali", "খানজাহান আলী থানা", "খান জাহান আলী থানা"],
    ),
    (
        "aranghata",
        &["Aranghata", "Arongghata", "Arangghata", "আড়ংঘাটা থানা"],
    ),
    (
        "harintana",
        &["Harintana", "Horintana", "হরিণটানা থানা", "হরিনটানা থানা"],
    ),
    (
        "labanchara",
        &[
            "Labanchara",
            "Lobonchora",
            "Labonchora",
            "লবণচরা থানা",
            "লবনচরা থানা",
        ],
    ),
]
