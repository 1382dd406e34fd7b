<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\PaydeskObject;

/** Signing in and out for a user token (the key-management API's credential). */
final class AuthService extends AbstractService
{
    /**
     * Signs in (`email`, `password`, and `otp` when 2FA is on) for a user token: `token`, `token_type`, `expires_at`.
     *
     * `login`: POST /api/v1/auth/login
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function login(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('login', [], $params, $opts);
    }

    /**
     * Revokes the user token this client holds.
     *
     * `logout`: POST /api/v1/auth/logout
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function logout(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('logout', [], $params, $opts);
    }
}
