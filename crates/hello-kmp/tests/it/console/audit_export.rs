//! The audit log's CSV export: the current filter, as a download Excel reads in Bangla, safe to
//! open (no cell is taken for a formula), and itself written to the audit log before it is sent.

#[allow(unused_imports)]
use super::*;
use crate::on_both;
use crate::support::Officer;

const BOM: char = '\u{feff}';

/// The rows of an exported file, the header row first.
fn rows_of(body: &str) -> Vec<Vec<String>> {
    let text = body.strip_prefix(BOM).expect("the file starts with a BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

async fn export(officer: &Officer, query: &str, lang: &str) -> Answer {
    let cookie = format!("{}; lang={lang}", officer.cookie);
    officer
        .app
        .get_with(
            &format!("/console/audit/export?{query}"),
            &[("cookie", &cookie)],
        )
        .await
}

on_both!(
    auditors_export_the_filtered_log_as_csv,
    |app: TestApp| async move {
        let secret = "=HYPERLINK(\"http://evil.example\") yaba at the blue door";
        let (reference, _) = send_tip(&app, "drugs", "sonadanga", secret).await;
        let admin = app.officer().await;
        admin.get(&format!("/console/tips/{reference}")).await;
        admin.get(&format!("/console/tips/{reference}")).await;
        let moved = admin
            .post_form(
                &format!("/console/tips/{reference}/transfer"),
                &[("place", "khalishpur"), ("reason", "the reason is secret")],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let auditor = app.officer_with("salma", "auditor", "kmp_hq").await;

        // The page offers the current filter as a file.
        let page = auditor
            .get(&format!(
                "/console/audit?action=tip.view&tip={reference}&username=admin"
            ))
            .await;
        let link = page.attr("a#audit-export", "href").expect("an export link");
        assert_eq!(
            link,
            format!(
                "/console/audit/export?username=admin&action=tip.view&tip={reference}&from=&to="
            )
        );

        let file = auditor.get(&link).await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.body);
        assert_eq!(file.header("content-type"), "text/csv; charset=utf-8");
        let disposition = file.header("content-disposition");
        assert!(
            disposition.starts_with("attachment; filename=\"audit-log-")
                && disposition.ends_with(".csv\""),
            "{disposition}"
        );
        assert_eq!(file.header("cache-control"), "no-store");
        assert_eq!(file.header("x-content-type-options"), "nosniff");
        assert!(file.body.starts_with(BOM), "UTF-8 with a BOM, for Excel");
        let rows = rows_of(&file.body);
        // Bangla by default: the header and the actions in words.
        assert_eq!(rows[0][0], "ক্রম");
        assert_eq!(rows.len(), 3, "a header and the two views: {rows:?}");
        for row in &rows[1..] {
            assert_eq!(row.len(), rows[0].len());
            assert_eq!(row[3], "admin");
            assert_eq!(row[4], "তথ্য খুলেছেন");
            assert_eq!(row[5], "tip.view");
            assert_eq!(row[6], reference);
        }
        let seqs: Vec<i64> = rows[1..]
            .iter()
            .map(|r| r[0].parse().expect("a number"))
            .collect();
        assert!(seqs[0] > seqs[1], "newest first: {seqs:?}");
        let unix: i64 = rows[1][2].parse().expect("unix seconds");
        assert!((hello_kmp::store::now() - unix).abs() < 600);
        assert_eq!(
            rows[1][1].len(),
            "2026-01-31 23:59:59".len(),
            "{:?}",
            rows[1]
        );

        // The export is itself recorded, with the filter and the number of rows.
        let exports = audit(&app, "audit.export").await;
        assert_eq!(exports.len(), 1);
        let detail = &exports[0].detail;
        assert!(
            detail.contains("user=admin")
                && detail.contains("action=tip.view")
                && detail.contains(&format!("tip={reference}"))
                && detail.ends_with("rows=2"),
            "{detail}"
        );

        // Everything, in English: nothing a tipster wrote, nor the transfer's reason.
        let all = export(&auditor, "", "en").await;
        assert_eq!(all.status, StatusCode::OK);
        let rows = rows_of(&all.body);
        assert_eq!(rows[0][0], "No.");
        assert!(
            rows.iter()
                .any(|r| r[5] == "tip.transfer" && r[4] == "Transferred a tip"),
            "{rows:?}"
        );
        assert!(
            rows.iter().any(|r| r[5] == "audit.export"),
            "the first export is in it"
        );
        for forbidden in ["yaba", "blue door", "HYPERLINK", "reason is secret"] {
            assert!(!all.body.contains(forbidden), "{forbidden:?} in the export");
        }
        let entries = app.count("audit_log").await;
        let exports = audit(&app, "audit.export").await;
        assert_eq!(exports.len(), 2);
        assert_eq!(
            exports[1].detail,
            format!(
                "user= action= tip= from= to= rows={}",
                rows.len() as i64 - 1
            )
        );
        assert_eq!(
            rows.len() as i64 - 1,
            entries - 1,
            "every entry before the export's own"
        );
        assert!(
            !audit(&app, "audit.view").await.is_empty(),
            "the page's reading is recorded as before"
        );
    }
);

on_both!(
    no_exported_cell_is_taken_for_a_formula,
    |app: TestApp| async move {
        // Rows written beside the log by hand are exported too (first, as on the page), so they
        // are the way to put anything at all into a cell.
        let dangerous = [
            "=1+2",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tinside",
            "\rinside",
            "plain, with a comma and \"quotes\"",
        ];
        for detail in dangerous {
            sqlx::query(
                "INSERT INTO audit_log (at, officer_id, action, tip_id, detail) \
                 VALUES (1796000000, NULL, 'tip.view', NULL, $1)",
            )
            .bind(detail)
            .execute(app.state.store.reader())
            .await
            .expect("row written beside the log");
        }
        // A username may begin with a dash, and names the officer in its own column.
        let odd = app.officer_with("-cmd", "auditor", "kmp_hq").await;
        let file = export(&odd, "", "en").await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.body);
        let rows = rows_of(&file.body);
        let details: Vec<&str> = rows[1..=dangerous.len()]
            .iter()
            .map(|r| r[7].as_str())
            .collect();
        assert_eq!(
            details,
            [
                "'=1+2",
                "'+1",
                "'-1",
                "'@SUM(A1)",
                "'\tinside",
                "'\rinside",
                "plain, with a comma and \"quotes\"",
            ]
        );
        assert!(
            rows[1..=dangerous.len()]
                .iter()
                .all(|r| r[0].starts_with("outside the chain")),
            "rows outside the chain are marked as such"
        );
        assert!(
            rows.iter().any(|r| r[3] == "'-cmd"),
            "the username is neutralised too: {rows:?}"
        );
        for row in &rows {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} would be read as a formula"
                );
            }
        }
    }
);

on_both!(
    the_export_is_for_those_who_read_the_log,
    |app: TestApp| async move {
        let officer = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        let refused = export(&officer, "", "bn").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(!refused.body.contains("officer.login"));
        assert!(audit(&app, "audit.export").await.is_empty());
        // Editors neither.
        let editor = app.officer_with("nadia", "editor", "kmp_hq").await;
        assert_eq!(
            export(&editor, "", "en").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(audit(&app, "audit.export").await.is_empty());
    }
);

on_both!(
    an_export_too_large_for_one_file_is_refused,
    |app: TestApp| async move {
        let admin = app.officer().await;
        let cap = hello_kmp::services::audit::EXPORT_MAX as i64;
        // One more entry than a file holds, written beside the log in one statement.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO audit_log (at, officer_id, action, tip_id, detail) \
             SELECT 1796000000, NULL, 'tip.view', NULL, 'bulk' FROM n",
        )
        .bind(cap + 1)
        .execute(app.state.store.reader())
        .await
        .expect("rows written beside the log");
        let refused = export(&admin, "", "bn").await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&refused, "ফিল্টার ছোট করুন", "Narrow the filter");
        assert!(audit(&app, "audit.export").await.is_empty(), "nothing left");
        // A narrower filter still downloads.
        let narrow = export(&admin, "action=officer.login", "en").await;
        assert_eq!(narrow.status, StatusCode::OK);
        assert_eq!(rows_of(&narrow.body).len(), 2, "the header and the log-in");
        assert_eq!(audit(&app, "audit.export").await.len(), 1);
    }
);
