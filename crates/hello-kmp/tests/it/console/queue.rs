//! The queue: newest first, counts, filters and pages.

#[allow(unused_imports)]
use super::*;
use crate::on_both;

on_both!(
    the_queue_is_newest_first_with_counts_and_filters,
    |app: TestApp| async move {
        let (first, _) = send_tip(&app, "drugs", "sonadanga", "queue-text-one").await;
        let (second, _) = send_tip(&app, "theft", "khalishpur", "queue-text-two").await;
        let (third, _) = send_tip(&app, "cyber_crime", "", "queue-text-three").await;
        let officer = app.officer().await;
        redirects_to(
            &officer
                .post_form(
                    &format!("/console/tips/{second}/status"),
                    &[("status", "under_review")],
                )
                .await,
            &format!("/console/tips/{second}"),
        );

        let queue = officer.get("/console").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert_eq!(
            queue_refs(&queue),
            [third.as_str(), second.as_str(), first.as_str()]
        );
        assert_eq!(count_of(&queue, "new"), "2");
        assert_eq!(count_of(&queue, "under_review"), "1");
        assert_eq!(count_of(&queue, "closed_false"), "0");
        assert!(
            !queue.body.contains("queue-text"),
            "the queue never shows what a tip says"
        );

        let by_status = officer.get("/console?status=under_review").await;
        assert_eq!(queue_refs(&by_status), [second.as_str()]);
        assert_eq!(
            by_status
                .attr("select[name=status] option[value=under_review]", "selected")
                .as_deref(),
            Some(""),
            "the filter stays chosen"
        );
        let by_category = officer.get("/console?category=cyber_crime").await;
        assert_eq!(queue_refs(&by_category), [third.as_str()]);
        let by_thana = officer.get("/console?thana=sonadanga").await;
        assert_eq!(queue_refs(&by_thana), [first.as_str()]);
        let combined = officer.get("/console?status=new&category=theft").await;
        assert!(queue_refs(&combined).is_empty());
        assert!(combined.has("#queue-empty"));
        let stale = officer.get("/console?status=no-such-status").await;
        assert_eq!(queue_refs(&stale).len(), 3, "an unknown filter is ignored");
    }
);

on_both!(the_queue_shows_25_tips_a_page, |app: TestApp| async move {
    let mut references = Vec::new();
    for i in 0..30 {
        let (reference, _) = send_tip(&app, "drugs", "daulatpur", &format!("paged-text-{i}")).await;
        references.push(reference);
    }
    let officer = app.officer().await;

    let page_one = officer.get("/console").await;
    assert_eq!(page_one.texts("table.queue tbody tr").len(), 25);
    assert_eq!(queue_refs(&page_one)[0], references[29], "newest first");
    assert!(!page_one.has("a[rel=prev]"));
    let next = page_one.attr("a[rel=next]", "href").expect("a next link");
    assert!(next.ends_with("page=2"), "{next}");

    let page_two = officer.get(&next).await;
    assert_eq!(page_two.status, StatusCode::OK);
    assert_eq!(page_two.texts("table.queue tbody tr").len(), 5);
    assert_eq!(queue_refs(&page_two).last(), Some(&references[0]));
    assert!(!page_two.has("a[rel=next]"));
    assert!(page_two.has("a[rel=prev]"));
    for page in [&page_one, &page_two] {
        assert!(
            !page.body.contains("paged-text"),
            "no tip text in the queue"
        );
    }
});

on_both!(
    a_page_number_that_is_not_one_still_opens_the_queue,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "drugs", "", "bookmarked").await;
        let officer = app.officer().await;
        for query in ["page=abc", "status=&category=&thana=&page="] {
            let queue = officer.get(&format!("/console?{query}")).await;
            assert_eq!(queue.status, StatusCode::OK, "{query}: {}", queue.body);
            assert_eq!(queue_refs(&queue), [reference.as_str()], "{query}");
        }
    }
);
