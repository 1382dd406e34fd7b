//! Table definitions shared by both backends (written by hand; see diesel.toml).

diesel::table! {
    merchants (id) {
        id -> Text,
        name -> Text,
        verified -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        merchant_id -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    sessions (jti) {
        jti -> Text,
        user_id -> Text,
        kind -> Text,
        created_at -> BigInt,
        last_seen_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        merchant_id -> Nullable<Text>,
        actor -> Text,
        action -> Text,
        target -> Text,
        ip -> Text,
        detail -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(users -> merchants (merchant_id));
diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(merchants, users, sessions, audit_log);
