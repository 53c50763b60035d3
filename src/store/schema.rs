//! Diesel schema, written by hand with types both backends share.

diesel::table! {
    countries (code) {
        code -> Text,
        eu_code -> Text,
        name -> Text,
        native_name -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

diesel::table! {
    country_groups (country_code, group_code) {
        country_code -> Text,
        group_code -> Text,
    }
}

diesel::table! {
    vocabulary_terms (vocabulary, code) {
        vocabulary -> Text,
        code -> Text,
        label -> Text,
        position -> Integer,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        acronym -> Nullable<Text>,
        sector -> Text,
        country_code -> Nullable<Text>,
        website -> Nullable<Text>,
        description -> Nullable<Text>,
        external_id -> Nullable<Text>,
        search_text -> Text,
        original_language -> Text,
        texts -> Text,
        languages -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

diesel::table! {
    coalitions (id) {
        id -> Text,
        country_code -> Text,
        name -> Text,
        native_name -> Nullable<Text>,
        status -> Text,
        founded -> Nullable<Text>,
        description -> Nullable<Text>,
        website -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        coordinator_id -> Nullable<Text>,
        search_text -> Text,
        original_language -> Text,
        texts -> Text,
        languages -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

diesel::table! {
    coalition_activity_areas (coalition_id, area) {
        coalition_id -> Text,
        area -> Text,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        coalition_id -> Text,
        organisation_id -> Text,
        role -> Text,
        joined_on -> Nullable<Date>,
        left_on -> Nullable<Date>,
        commitment -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

diesel::table! {
    initiatives (id) {
        id -> Text,
        coalition_id -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        description -> Nullable<Text>,
        sphere -> Text,
        status -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        website -> Nullable<Text>,
        funding -> Nullable<Text>,
        publication -> Text,
        external_id -> Nullable<Text>,
        original_language -> Text,
        texts -> Text,
        languages -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

diesel::table! {
    trainings (id) {
        id -> Text,
        coalition_id -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        kind -> Text,
        format -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        timezone -> Text,
        city -> Nullable<Text>,
        country_code -> Nullable<Text>,
        organiser_id -> Nullable<Text>,
        participants -> Nullable<BigInt>,
        participants_note -> Nullable<Text>,
        registration_url -> Nullable<Text>,
        publication -> Text,
        external_id -> Nullable<Text>,
        original_language -> Text,
        texts -> Text,
        languages -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (actor, key) {
        actor -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor -> Text,
        role -> Text,
        record_type -> Text,
        record_id -> Text,
        action -> Text,
        version -> Nullable<BigInt>,
        changed_fields -> Text,
    }
}

diesel::joinable!(country_groups -> countries (country_code));
diesel::joinable!(coalition_activity_areas -> coalitions (coalition_id));
diesel::joinable!(memberships -> coalitions (coalition_id));
diesel::joinable!(memberships -> organisations (organisation_id));

diesel::allow_tables_to_appear_in_same_query!(
    countries,
    country_groups,
    vocabulary_terms,
    organisations,
    coalitions,
    coalition_activity_areas,
    memberships,
    initiatives,
    trainings,
    idempotency_keys,
    audit_log,
);
