//! Translated text: language maps in every write and read, `display` negotiated by `lang` and
//! `Accept-Language`, per-language merge patches, the feed, search in every language, the
//! `language` filter, entity tags per language, CSV, and the migration of older databases.

use coalition_registry::resources::initiatives::resource::Initiatives;
use coalition_registry::store::sql::Sql;
use coalition_registry::store::Database;
use serde_json::{json, Value};

use crate::common::{Reply, TestApp};

async fn get_with_language(app: &TestApp, path: &str, accept_language: &str) -> Reply {
    let reply = app
        .client
        .get(app.url(path))
        .header("accept-language", accept_language)
        .send()
        .await
        .unwrap();
    Reply::from(reply).await
}

/// The feed's current entry for a record: its `data`.
async fn in_feed(app: &TestApp, id: &str) -> Value {
    let changes = app.get("/changes?types=initiative&limit=1000").await;
    changes.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|c| c["id"] == id)
        .map(|c| c["data"].clone())
        .expect("the record is in the feed")
}

async fn an_initiative_in_latvian_read_in_every_language(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let created = app
        .post(
            "/initiatives",
            Some(&app.admin()),
            json!({
                "coalition_id": lv, "original_language": "lv",
                "title": {"lv": "Digitālo prasmju akadēmija skolotājiem", "en": "Digital skills academy for teachers"},
                "summary": {"lv": "Skolotāji mācās mācīt programmēšanu"},
                "activity_areas": ["education"], "countries": ["LV"], "sphere": "national", "status": "ongoing",
                "start_date": "2024-09-01", "publication": "published"
            }),
        )
        .await;
    let body = created.ok(201).clone();
    let id = body["id"].as_str().unwrap().to_string();
    let path = format!("/initiatives/{id}");
    assert_eq!(
        body["title"],
        json!({"en": "Digital skills academy for teachers", "lv": "Digitālo prasmju akadēmija skolotājiem"})
    );
    assert_eq!(body["description"], json!({}), "the shape never changes: an empty map");
    let show = |reply: &Reply| {
        (
            reply.body["display"]["language"].clone(),
            reply.body["display"]["title"].clone(),
        )
    };
    let latvian = (json!("lv"), json!("Digitālo prasmju akadēmija skolotājiem"));
    let english = (json!("en"), json!("Digital skills academy for teachers"));

    let lv_reply = app.get(&format!("{path}?lang=lv")).await;
    assert_eq!(show(&lv_reply), latvian);
    assert_eq!(lv_reply.header("content-language"), Some("lv"));
    assert!(
        !lv_reply.header("vary").unwrap_or_default().contains("Accept-Language"),
        "lang decides, not the header"
    );
    let de_en = app.get(&format!("{path}?lang=de,en")).await;
    assert_eq!(show(&de_en), english, "German missing: English");
    assert_eq!(de_en.header("content-language"), Some("en"));
    assert_eq!(
        de_en.body["display"]["summary"], "Skolotāji mācās mācīt programmēšanu",
        "each field falls back on its own: the summary is only in Latvian"
    );
    let fr = app.get(&format!("{path}?lang=fr")).await;
    assert_eq!(show(&fr), latvian, "French missing: the original language");
    assert_eq!(fr.header("content-language"), Some("lv"));
    let negotiated = get_with_language(&app, &path, "en;q=0.5, lv").await;
    negotiated.ok(200);
    assert_eq!(show(&negotiated), latvian, "by quality");
    assert_eq!(negotiated.header("content-language"), Some("lv"));
    assert!(negotiated.header("vary").unwrap().contains("Accept-Language"));
    let english_header = get_with_language(&app, &path, "en-GB, lv;q=0.3").await;
    assert_eq!(show(&english_header), english, "en-GB looks up en");
    let plain = app.get(&path).await;
    assert_eq!(show(&plain), latvian, "neither: the original language");
    // The maps are the same whatever the request: only `display` follows it.
    assert_eq!(de_en.body["title"], lv_reply.body["title"]);
    // Lists, embeds and the feed take `lang` too.
    let list = app.get("/initiatives?lang=en&include=coalition").await;
    assert_eq!(list.ok(200)["data"][0]["display"]["title"], english.1);
    assert_eq!(
        list.body["data"][0]["coalition"]["display"]["name"],
        "Latvian coalition"
    );
    let feed = app.get("/changes?types=initiative&lang=en").await;
    assert_eq!(feed.ok(200)["data"][0]["data"]["display"]["title"], english.1);
    // Unknown or malformed tags are a 400 naming the parameter.
    for bad in ["xx", "en_GB", "lv,", "zz-ZZ"] {
        let reply = app.get(&format!("{path}?lang={bad}")).await;
        assert_eq!(reply.problem(400)["errors"][0]["field"], "lang", "{bad}");
    }

    // A representation's tag names the languages shown: a Latvian 304 never revalidates English.
    let lv_tag = lv_reply.header("etag").unwrap().to_string();
    let en_tag = de_en.header("etag").unwrap().to_string();
    assert_ne!(lv_tag, en_tag);
    let revalidate = |lang: &str, tag: &str| {
        app.client
            .get(app.url(&format!("{path}?lang={lang}")))
            .header("if-none-match", tag)
            .send()
    };
    assert_eq!(revalidate("lv", &lv_tag).await.unwrap().status(), 304);
    let en_with_lv_tag = Reply::from(revalidate("en", &lv_tag).await.unwrap()).await;
    en_with_lv_tag.ok(200);
    assert_eq!(show(&en_with_lv_tag), english);
    // The same through the response cache, keyed by Accept-Language too.
    let cached_lv = get_with_language(&app, &path, "lv").await;
    let cached_en = get_with_language(&app, &path, "en").await;
    assert_eq!(show(&cached_lv), latvian);
    assert_eq!(show(&cached_en), english);
    let lists = [
        app.get("/initiatives?lang=lv").await,
        app.get("/initiatives?lang=en").await,
    ];
    assert_ne!(lists[0].header("etag"), lists[1].header("etag"));
    // If-Match takes any representation's tag of the current version.
    let patched = app
        .client
        .patch(app.url(&path))
        .bearer_auth(app.admin())
        .header("if-match", &en_tag)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"title": {"uk": "Академія цифрових навичок для вчителів", "en": null}}).to_string())
        .send()
        .await
        .unwrap();
    let patched = Reply::from(patched).await;
    assert_eq!(
        patched.ok(200)["title"],
        json!({"lv": "Digitālo prasmju akadēmija skolotājiem", "uk": "Академія цифрових навичок для вчителів"}),
        "Ukrainian added, English removed, Latvian untouched"
    );
    assert_eq!(patched.body["summary"], body["summary"], "other fields untouched");
    assert_eq!(patched.body["version"], 2);
    let after_patch = in_feed(&app, &id).await;
    assert_eq!(
        after_patch["title"], patched.body["title"],
        "the feed carries every language"
    );
    let uk = app.get(&format!("{path}?lang=uk")).await;
    assert_eq!(uk.body["display"]["title"], "Академія цифрових навичок для вчителів");
    assert_eq!(
        app.get(&format!("{path}?lang=en")).await.body["display"]["language"],
        "lv"
    );

    // Removing the original language of a required field is a 422, and changes nothing.
    let refused = app
        .patch(&path, Some(&app.admin()), json!({"title": {"lv": null}}))
        .await;
    let problem = refused.problem(422);
    assert_eq!(problem["errors"][0]["field"], "title");
    assert_eq!(problem["errors"][0]["code"], "original_language_missing");
    let current = app.get_as(&path, &app.admin()).await;
    assert_eq!(current.ok(200)["version"], 2);
    assert_eq!(in_feed(&app, &id).await, after_patch, "nothing new in the feed");
    // Removing an optional field's only text leaves an empty map; display shows null.
    let cleared = app
        .patch(
            &path,
            Some(&app.admin()),
            json!({"summary": {"lv": null}, "original_language": "lv"}),
        )
        .await;
    assert_eq!(cleared.ok(200)["summary"], json!({}));
    assert_eq!(cleared.body["display"]["summary"], Value::Null);
    assert_eq!(
        in_feed(&app, &id).await["summary"],
        json!({}),
        "the third state, in the feed"
    );
}

async fn writes_check_every_language_entry(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let base = json!({
        "coalition_id": lv, "activity_areas": ["education"], "countries": ["LV"], "sphere": "national",
        "status": "ongoing", "start_date": "2024-09-01"
    });
    let with = |extra: Value| {
        let mut body = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (extra, field, code) in [
        (json!({"title": {"lv": "x"}}), "original_language", "required"),
        (
            json!({"original_language": "xx", "title": {"lv": "x"}}),
            "original_language",
            "language",
        ),
        (
            json!({"original_language": "lv", "title": {"en": "x"}}),
            "title",
            "original_language_missing",
        ),
        (json!({"original_language": "lv", "title": {}}), "title", "required"),
        (
            json!({"original_language": "lv", "title": {"lv": "x", "klingon": "y"}}),
            "title.klingon",
            "language",
        ),
        (
            json!({"original_language": "lv", "title": {"lv": "x", "LV": "y"}}),
            "title.lv",
            "duplicate_language",
        ),
        (
            json!({"original_language": "lv", "title": {"lv": "  "}}),
            "title.lv",
            "blank",
        ),
        (
            json!({"original_language": "lv", "title": {"lv": "x"}, "summary": {"en": "s".repeat(2001)}}),
            "summary.en",
            "length",
        ),
        (
            json!({"original_language": "lv", "title": "x"}),
            "title",
            "invalid_type",
        ),
        (
            json!({"original_language": "lv", "title": {"lv": 5}}),
            "title.lv",
            "invalid_type",
        ),
    ] {
        let reply = app
            .client
            .post(app.url("/initiatives"))
            .bearer_auth(app.admin())
            .header("content-type", "application/json")
            .body(with(extra.clone()).to_string())
            .send()
            .await
            .unwrap();
        let reply = Reply::from(reply).await;
        let problem = reply.problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{extra}");
        assert_eq!(problem["errors"][0]["code"], code, "{extra}");
    }
    assert_eq!(app.get_as("/initiatives", &app.admin()).await.body["page"]["total"], 0);
    // Tags are compared case-insensitively and stored canonical; a null optional map is none.
    let ok = app
        .client
        .post(app.url("/initiatives"))
        .bearer_auth(app.admin())
        .header("content-type", "application/json")
        .body(with(json!({"original_language": "LV", "title": {"Lv": " x "}, "description": null})).to_string())
        .send()
        .await
        .unwrap();
    let ok = Reply::from(ok).await;
    assert_eq!(ok.ok(201)["original_language"], "lv");
    assert_eq!(ok.body["title"], json!({"lv": "x"}));
    assert_eq!(ok.body["description"], json!({}));
}

async fn search_and_filter_in_every_language(app: TestApp) {
    let ua = app.coalition("UA", "Ukrainian coalition").await;
    let lv = app.coalition("LV", "Latvian coalition").await;
    app.initiative(
        &lv,
        json!({"original_language": "lv", "title": {"lv": "Digitālo prasmju akadēmija", "en": "Digital skills academy"}}),
    )
    .await;
    app.initiative(
        &ua,
        json!({"original_language": "uk", "title": {"uk": "Цифрові навички для вчителів"},
               "summary": {"en": "Teachers learn", "uk": "Вчителі навчаються"}}),
    )
    .await;
    app.initiative(&ua, json!({"original_language": "en", "title": {"en": "Coding club"}}))
        .await;
    let titles = |path: String| {
        let app = &app;
        async move {
            let reply = app.get(&path).await;
            let mut titles: Vec<String> = reply.ok(200)["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["display"]["title"].as_str().unwrap().to_string())
                .collect();
            titles.sort();
            titles
        }
    };
    assert_eq!(
        titles("/initiatives?q=digitalo".into()).await,
        ["Digitālo prasmju akadēmija"],
        "diacritics-insensitive"
    );
    assert_eq!(
        titles("/initiatives?q=DIGITĀLO".into()).await,
        ["Digitālo prasmju akadēmija"]
    );
    assert_eq!(
        titles("/initiatives?q=навички".into()).await,
        ["Цифрові навички для вчителів"]
    );
    assert_eq!(
        titles("/initiatives?q=teachers".into()).await,
        ["Цифрові навички для вчителів"],
        "every language of every translated field"
    );
    assert_eq!(
        titles("/initiatives?q=academy&lang=en".into()).await,
        ["Digital skills academy"],
        "a translation is found too"
    );
    assert_eq!(
        titles("/initiatives?language=uk".into()).await,
        ["Цифрові навички для вчителів"]
    );
    assert_eq!(
        titles("/initiatives?language=en".into()).await,
        ["Coding club", "Digitālo prasmju akadēmija"],
        "the title's languages, whatever the original"
    );
    assert_eq!(
        titles("/initiatives?language=uk&language=LV".into()).await,
        ["Digitālo prasmju akadēmija", "Цифрові навички для вчителів"],
        "any of several, case-insensitive"
    );
    let bad = app.get("/initiatives?language=xx").await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "language");
    // The other translated resources: coalitions, organisations, events.
    app.organisation("Latvijas Informācijas tehnoloģiju asociācija", "LV")
        .await;
    let orgs = app.get("/organisations?q=informacijas%20asociacija").await;
    assert_eq!(orgs.ok(200)["page"]["total"], 1);
    app.training(
        Some(&lv),
        json!({"original_language": "lv", "title": {"lv": "Semināra diena", "en": "Seminar day"}}),
    )
    .await;
    let events = app.get("/trainings?text_language=lv&q=seminara&lang=en").await;
    assert_eq!(events.ok(200)["data"][0]["display"]["title"], "Seminar day");
    // CSV: a column per language present, and the display in the request's language.
    let csv = app
        .client
        .get(app.url("/initiatives.csv?sort=title&lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "title.en",
        "title.lv",
        "title.uk",
        "summary.en",
        "summary.uk",
        "display.title",
    ] {
        assert!(header.contains(&column.to_string()), "{column} in {header:?}");
    }
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let at = |row: &Vec<String>, column: &str| row[header.iter().position(|h| h == column).unwrap()].clone();
    let academy = rows
        .iter()
        .find(|r| at(r, "title.lv") == "Digitālo prasmju akadēmija")
        .unwrap();
    assert_eq!(at(academy, "title.en"), "Digital skills academy");
    assert_eq!(at(academy, "display.title"), "Digital skills academy");
    assert_eq!(at(academy, "display.language"), "en");
}

async fn vocabulary_labels_in_every_language(app: TestApp) {
    let vocabularies = app.get("/vocabularies?lang=lv").await;
    let body = vocabularies.ok(200).clone();
    let areas = body["activity_areas"].as_array().expect("activity areas");
    let education = areas.iter().find(|t| t["code"] == "education").unwrap();
    assert_eq!(education["label"]["en"], "Digital skills in education");
    assert_eq!(
        education["display"],
        json!({"language": "lv", "label": education["label"]["lv"]})
    );
    assert!(education["label"]["lv"]
        .as_str()
        .is_some_and(|l| !l.is_empty() && l != "Education"));
    for (lang, vocabulary) in [("el", "sectors"), ("ka", "coalition_statuses"), ("lv", "event_kinds")] {
        let reply = app.get(&format!("/vocabularies?lang={lang}")).await;
        for term in reply.ok(200)[vocabulary].as_array().unwrap() {
            assert_eq!(term["display"]["language"], lang, "{vocabulary} {term}");
            assert_eq!(term["display"]["label"], term["label"][lang], "{vocabulary} {term}");
        }
    }
    // Every accepted language has a label for every term of the six translated vocabularies.
    for vocabulary in [
        "activity_areas",
        "sectors",
        "coalition_statuses",
        "membership_roles",
        "event_kinds",
        "event_formats",
    ] {
        for term in body[vocabulary].as_array().unwrap() {
            assert_eq!(term["label"].as_object().unwrap().len(), 30, "{vocabulary} {term}");
        }
    }
}

async fn older_databases_are_migrated_losslessly(app: TestApp) {
    // A database as it was before translations: undo the migration, write rows the old way.
    let db = Database::connect(&app.database_url, 1).unwrap();
    let ua = app.coalition("UA", "placeholder").await;
    let org = app.organisation("placeholder", "LV").await;
    let initiative = app.initiative(&ua, json!({})).await["id"].as_str().unwrap().to_string();
    let event = app.training(None, json!({"country_code": "GE"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.revert_through("2026-11-27-000012").unwrap();
    db.write_blocking(|conn| {
        for sql in [
            format!(
                "UPDATE coalitions SET name = 'Digital Skills and Jobs Coalition of Ukraine', \
                 native_name = 'Коаліція цифрових навичок України', description = 'Про нас' WHERE id = '{ua}'"
            ),
            format!("UPDATE organisations SET name = 'LIKTA', description = NULL WHERE id = '{org}'"),
            format!(
                "UPDATE initiatives SET title = 'Цифрові навички', summary = 'Коротко', description = NULL, \
                 search_words = '' WHERE id = '{initiative}'"
            ),
            format!("UPDATE trainings SET title = 'ვებინარი', coalition_id = NULL WHERE id = '{event}'"),
        ] {
            Sql::new(&sql).execute(conn)?;
        }
        Ok(())
    })
    .unwrap();
    db.migrate().unwrap();
    coalition_registry::ops::seed::seed_reference_data(&db).unwrap();
    let admin = app.admin();
    let coalition = app.get_as(&format!("/coalitions/{ua}"), &admin).await;
    assert_eq!(
        coalition.ok(200)["original_language"],
        "uk",
        "the country's main language"
    );
    assert_eq!(
        coalition.body["name"],
        json!({"en": "Digital Skills and Jobs Coalition of Ukraine", "uk": "Коаліція цифрових навичок України"}),
        "the native name is the original, the name its English translation"
    );
    assert_eq!(coalition.body["description"], json!({"uk": "Про нас"}));
    assert!(coalition.body.get("native_name").is_none());
    let found = app.get_as("/coalitions?q=коаліція&language=uk", &admin).await;
    assert_eq!(found.ok(200)["page"]["total"], 1);
    let organisation = app.get_as(&format!("/organisations/{org}"), &admin).await;
    assert_eq!(organisation.ok(200)["original_language"], "lv");
    assert_eq!(organisation.body["name"], json!({"lv": "LIKTA"}));
    assert_eq!(organisation.body["description"], json!({}));
    let migrated = app.get_as(&format!("/initiatives/{initiative}"), &admin).await;
    assert_eq!(
        migrated.ok(200)["original_language"],
        "uk",
        "its coalition's country's language"
    );
    assert_eq!(migrated.body["title"], json!({"uk": "Цифрові навички"}));
    assert_eq!(migrated.body["summary"], json!({"uk": "Коротко"}));
    let found = app.get_as("/initiatives?q=навички&language=uk", &admin).await;
    assert_eq!(found.ok(200)["page"]["total"], 1);
    let training = app.get_as(&format!("/trainings/{event}"), &admin).await;
    assert_eq!(
        training.ok(200)["original_language"],
        "ka",
        "no coalition: its own country's"
    );
    assert_eq!(training.body["title"], json!({"ka": "ვებინარი"}));
    let stale: Vec<String> = db
        .write_blocking(coalition_registry::kernel::docs::stale::<Initiatives>)
        .unwrap();
    assert!(stale.is_empty(), "documents agree with the tables: {stale:?}");
}

/// Each record of a page is shown as its own read shows it.
async fn same_as_reads(app: &TestApp, token: &str, page: &Value) {
    for item in page["data"].as_array().unwrap() {
        let read = app
            .get_as(&format!("/initiatives/{}", item["id"].as_str().unwrap()), token)
            .await;
        assert_eq!(read.ok(200), item, "a page shows each record as its read does");
    }
}

async fn pages_as_stored_show_what_records_show(app: TestApp) {
    // A page for a request naming no language is written from the stored documents as they
    // are: their `display` must be the one a record's read computes, before and after writes.
    let lv = app.coalition("LV", "Latvian coalition").await;
    let admin = app.admin();
    let latvian = app
        .initiative(
            &lv,
            json!({"original_language": "lv", "title": {"lv": "Akadēmija", "en": "Academy"},
                   "summary": {"en": "Only in English"}, "start_date": "2024-02-01"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.initiative(
        &lv,
        json!({"title": {"en": "English only"}, "start_date": "2024-01-01"}),
    )
    .await;
    let page = app.get_as("/initiatives", &admin).await;
    assert_eq!(
        page.ok(200)["data"][0]["display"],
        json!({"language": "lv", "title": "Akadēmija", "summary": "Only in English", "description": null})
    );
    same_as_reads(&app, &admin, &page.body).await;
    let english = app.get_as("/initiatives?lang=en", &admin).await;
    assert_eq!(english.ok(200)["data"][0]["display"]["title"], "Academy");
    assert_eq!(english.body["data"][0]["display"]["language"], "en");
    let header = get_with_language(&app, "/initiatives", "en").await;
    assert_eq!(header.ok(200)["data"][0]["display"]["title"], "Academy");
    assert!(header.header("vary").unwrap().contains("Accept-Language"));
    // A merge patch of one language: the stored display follows.
    app.patch(
        &format!("/initiatives/{latvian}"),
        Some(&admin),
        json!({"title": {"lv": "Jaunā akadēmija"}}),
    )
    .await
    .ok(200);
    let page = app.get_as("/initiatives", &admin).await;
    assert_eq!(page.ok(200)["data"][0]["display"]["title"], "Jaunā akadēmija");
    same_as_reads(&app, &admin, &page.body).await;
    // Documents rendered on the fly (none stored yet) carry it too.
    let db = Database::connect(&app.database_url, 1).unwrap();
    db.write_blocking(|conn| {
        Sql::new("UPDATE initiatives SET doc = NULL").execute(conn)?;
        Ok(())
    })
    .unwrap();
    let page = app.get_as("/initiatives", &admin).await;
    assert_eq!(page.ok(200)["data"][0]["display"]["title"], "Jaunā akadēmija");
    same_as_reads(&app, &admin, &page.body).await;
}

crate::backend_tests!(
    pages_as_stored_show_what_records_show,
    an_initiative_in_latvian_read_in_every_language,
    writes_check_every_language_entry,
    search_and_filter_in_every_language,
    vocabulary_labels_in_every_language,
    older_databases_are_migrated_losslessly,
);
