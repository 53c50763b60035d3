//! Memberships: nested under coalitions, listed under organisations, with embedding.

use serde_json::json;

use crate::common::TestApp;

async fn add_list_embed_update_remove(app: TestApp) {
    let admin = app.admin();
    let coalition = app.coalition("AZ", "Azerbaijani coalition").await;
    let org = app.organisation("Azerbaijan Internet Forum", "AZ").await;
    let created = app
        .post(
            &format!("/coalitions/{coalition}/members"),
            Some(&admin),
            json!({"organisation_id": org, "role": "coordinator", "joined_on": "2020-07-13", "commitment": "Hosts the secretariat"}),
        )
        .await;
    let membership = created.ok(201).clone();
    let id = membership["id"].as_str().unwrap();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/coalitions/{coalition}/members/{id}")
    );
    assert_eq!(membership["joined_on"], "2020-07-13");
    assert_eq!(membership["left_on"], json!(null));
    assert!(membership.get("organisation").is_none(), "not embedded unless asked");

    let again = app
        .post(
            &format!("/coalitions/{coalition}/members"),
            Some(&admin),
            json!({"organisation_id": org, "role": "member"}),
        )
        .await;
    assert!(again.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("already a member"));

    let members = app
        .get(&format!("/coalitions/{coalition}/members?include=organisation"))
        .await;
    let row = &members.ok(200)["data"][0];
    assert_eq!(row["organisation"]["display"]["name"], "Azerbaijan Internet Forum");
    let memberships = app
        .get(&format!("/organisations/{org}/memberships?include=coalition"))
        .await;
    assert_eq!(
        memberships.ok(200)["data"][0]["coalition"]["display"]["name"],
        "Azerbaijani coalition"
    );
    app.get(&format!("/organisations/{org}/memberships?include=organisation"))
        .await
        .problem(400);

    let left = app
        .patch(
            &format!("/coalitions/{coalition}/members/{id}"),
            Some(&admin),
            json!({"left_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(left.problem(422)["errors"][0]["field"], "left_on");
    let left = app
        .patch(
            &format!("/coalitions/{coalition}/members/{id}"),
            Some(&admin),
            json!({"left_on": "2021-01-31"}),
        )
        .await;
    assert_eq!(left.ok(200)["left_on"], "2021-01-31");
    assert_eq!(left.body["version"], 2);
    assert_eq!(
        app.get(&format!("/coalitions/{coalition}/members?current=true"))
            .await
            .body["page"]["total"],
        0
    );
    assert_eq!(
        app.get(&format!("/coalitions/{coalition}/members?current=false"))
            .await
            .body["page"]["total"],
        1
    );

    let other = app.organisation("Another", "AZ").await;
    let moved = app
        .patch(
            &format!("/coalitions/{coalition}/members/{id}"),
            Some(&admin),
            json!({"organisation_id": other}),
        )
        .await;
    assert_eq!(moved.problem(422)["errors"][0]["code"], "immutable");

    let replaced = app
        .put(
            &format!("/coalitions/{coalition}/members/{id}"),
            Some(&admin),
            json!({"organisation_id": org, "role": "observer"}),
        )
        .await;
    assert_eq!(replaced.ok(200)["role"], "observer");
    assert_eq!(replaced.body["commitment"], json!(null));

    app.delete(&format!("/coalitions/{coalition}/members/{id}"), Some(&admin))
        .await
        .ok(204);
    app.get(&format!("/coalitions/{coalition}/members/{id}"))
        .await
        .problem(404);
}

async fn membership_belongs_to_its_coalition(app: TestApp) {
    let a = app.coalition("EE", "Estonian coalition").await;
    let b = app.coalition("FI", "Finnish coalition").await;
    let org = app.organisation("Nordic Skills", "FI").await;
    let id = app.member(&a, &org).await;
    app.get(&format!("/coalitions/{a}/members/{id}")).await.ok(200);
    app.get(&format!("/coalitions/{b}/members/{id}")).await.problem(404);
    app.delete(&format!("/coalitions/{b}/members/{id}"), Some(&app.admin()))
        .await
        .problem(404);
    app.get(&format!("/coalitions/{}/members", uuid::Uuid::new_v4()))
        .await
        .problem(404);
    let unknown_org = app
        .post(
            &format!("/coalitions/{a}/members"),
            Some(&app.admin()),
            json!({"organisation_id": uuid::Uuid::new_v4(), "role": "member"}),
        )
        .await;
    assert_eq!(unknown_org.problem(422)["errors"][0]["field"], "organisation_id");
}

async fn embedding_returns_every_related_record(app: TestApp) {
    let coalition = app.coalition("PL", "Polish coalition").await;
    for i in 0..30 {
        let org = app.organisation(&format!("Member {i:02}"), "PL").await;
        app.member(&coalition, &org).await;
    }
    let page = app
        .get(&format!(
            "/coalitions/{coalition}/members?include=organisation&limit=100"
        ))
        .await;
    let rows = page.ok(200)["data"].as_array().unwrap();
    assert_eq!(rows.len(), 30);
    for row in rows {
        assert_eq!(row["organisation"]["id"], row["organisation_id"]);
    }
}

crate::backend_tests!(
    add_list_embed_update_remove,
    membership_belongs_to_its_coalition,
    embedding_returns_every_related_record
);
