//! Table definitions shared by both backends (written by hand; see diesel.toml).

diesel::table! {
    merchants (id) {
        id -> Text,
        name -> Text,
        verified -> Bool,
        created_at -> BigInt,
        require_2fa -> Bool,
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
        totp_secret -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
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
        ip -> Text,
        sudo_at -> Nullable<BigInt>,
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
        seq -> Nullable<BigInt>,
        hash -> Nullable<Text>,
    }
}

diesel::joinable!(users -> merchants (merchant_id));
diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(merchants, users, sessions, audit_log, api_keys);
diesel::allow_tables_to_appear_in_same_query!(key_usage_hourly, api_keys);
diesel::allow_tables_to_appear_in_same_query!(webhook_attempts, webhook_deliveries);

diesel::table! {
    api_keys (id) {
        id -> Text,
        merchant_id -> Text,
        mode -> Text,
        name -> Text,
        publishable_key -> Text,
        secret_hash -> Text,
        secret_hint -> Text,
        secret_revealed -> Bool,
        permissions -> Text,
        allowed_ips -> Text,
        rate_limit -> Integer,
        expires_at -> Nullable<BigInt>,
        api_version -> Nullable<Text>,
        require_signature -> Bool,
        status -> Text,
        created_at -> BigInt,
        created_by -> Text,
        updated_at -> BigInt,
        rolled_to -> Nullable<Text>,
        last_used_at -> Nullable<BigInt>,
        last_used_ip -> Nullable<Text>,
        canary -> Bool,
        revoked_reason -> Nullable<Text>,
        exposed_url -> Nullable<Text>,
        spend_limits -> Text,
    }
}

diesel::joinable!(api_keys -> merchants (merchant_id));

diesel::table! {
    customers (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        metadata -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    plans (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        name -> Text,
        amount -> BigInt,
        currency -> Text,
        billing_interval -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        amount -> BigInt,
        currency -> Text,
        customer_id -> Nullable<Text>,
        payment_method -> Text,
        status -> Text,
        failure_code -> Nullable<Text>,
        amount_refunded -> BigInt,
        metadata -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    refunds (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        payment_id -> Text,
        amount -> BigInt,
        currency -> Text,
        status -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        customer_id -> Text,
        plan_id -> Text,
        status -> Text,
        current_period_end -> BigInt,
        cancel_at_period_end -> Bool,
        canceled_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    client_sessions (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        amount -> BigInt,
        currency -> Text,
        customer_id -> Nullable<Text>,
        client_token -> Text,
        status -> Text,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        event_type -> Text,
        data -> Text,
        created_at -> BigInt,
        object_id -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        api_key_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        response_version -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> Text,
        email -> Text,
        ip -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    form_submissions (token) {
        token -> Text,
        user_id -> Text,
        result_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    canary_triggers (key_id, ip) {
        key_id -> Text,
        ip -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    recovery_codes (code_hash) {
        code_hash -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        url -> Text,
        description -> Text,
        enabled_events -> Text,
        api_key_id -> Nullable<Text>,
        api_version -> Nullable<Text>,
        status -> Text,
        secret_sealed -> Text,
        old_secret_sealed -> Nullable<Text>,
        old_secret_until -> Nullable<BigInt>,
        created_at -> BigInt,
        created_by -> Text,
        failing_since -> Nullable<BigInt>,
        disabled_reason -> Nullable<Text>,
    }
}

diesel::table! {
    lifecycle_notices (subject_id, kind) {
        subject_id -> Text,
        kind -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        event_id -> Text,
        event_type -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_latency_ms -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        attempted_at -> BigInt,
        status_code -> Nullable<Integer>,
        latency_us -> BigInt,
        error -> Nullable<Text>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Text>,
        request_body -> Nullable<Text>,
    }
}

diesel::table! {
    request_log_chunks (first_request_id) {
        first_request_id -> Text,
        merchant_id -> Text,
        livemode -> Bool,
        key_id -> Text,
        first_at_ms -> BigInt,
        last_at_ms -> BigInt,
        line_count -> Integer,
        lines -> Text,
    }
}

diesel::table! {
    key_usage_hourly (key_id, hour) {
        key_id -> Text,
        hour -> BigInt,
        class_2xx -> BigInt,
        class_4xx -> BigInt,
        class_5xx -> BigInt,
    }
}

diesel::table! {
    key_scope_hourly (key_id, scope, hour) {
        key_id -> Text,
        scope -> Text,
        hour -> BigInt,
        requests -> BigInt,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        link -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
        sent_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    mail_opt_outs (user_id, kind) {
        user_id -> Text,
        kind -> Text,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        merchant_id -> Text,
        email -> Text,
        role -> Text,
        token_hash -> Text,
        invited_by -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        accepted_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        password_fingerprint -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    password_reset_requests (id) {
        id -> Text,
        email -> Text,
        ip -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    key_spend (key_id, resource, currency, period, window_start) {
        key_id -> Text,
        resource -> Text,
        currency -> Text,
        period -> Text,
        window_start -> BigInt,
        used -> BigInt,
    }
}

diesel::table! {
    key_policies (merchant_id) {
        merchant_id -> Text,
        live_max_lifetime_days -> Nullable<Integer>,
        live_require_allowed_ips -> Bool,
        live_require_signature -> Bool,
        updated_at -> BigInt,
        updated_by -> Text,
    }
}
