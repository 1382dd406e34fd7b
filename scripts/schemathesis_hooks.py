"""Hooks for scripts/schemathesis.sh (loaded through `hooks` in schemathesis.toml).

Four things only:

* `Paydesk-Signature` stays in the document (an optional header, required for keys with
  `require_signature`) but is not generated: it is an HMAC of the body under the secret
  key, which no generator can make, and a random one is rightly 401 `signature_invalid`.
  The run's key does not require signatures; tests/api cover the signed path.
* A generated `Idempotency-Key` is made unique (see `before_call`).
* `use_after_free` does not apply to `DELETE /api-keys/{id}` nor to
  `DELETE /management-keys/{id}`: each revokes the key, which stays listed and readable
  with status `revoked` (SPEC §6, §17), as the document says of that operation. Only failures whose DELETE was that operation are dropped; a deleted webhook
  endpoint must still be gone (404).
* The narrow exceptions of `positive_data_acceptance`. Each one names the operations,
  the status, the error code, the fields `details.fields` may name and how each
  message starts: a well-formed request that names an object or host the generator
  cannot know exists. Anything else on those operations still fails the run.
"""

import json
import re
import uuid

import schemathesis

SIGNATURE = "paydesk-signature"

# A list cursor (`starting_after`) naming no object of that list (SPEC §4).
_LISTS = (
    "listApiKeys",
    "listCustomers",
    "listPlans",
    "listPayments",
    "listRefunds",
    "listEvents",
    "searchSubscriptions",
    "listWebhookEndpoints",
    "listWebhookDeliveries",
    "listManagementKeys",
)
_NO_SUCH_IN_LIST = {"starting_after": ("no such object in this list",)}

# A reference to an object that does not exist, or a host that does not resolve (the run
# lets webhooks reach loopback, `PAYDESK_WEBHOOK_ALLOW_PRIVATE`, so where a name resolves
# it is accepted; the dictionaries of schemathesis.toml give loopback URLs that do).
def _unresolved(message):
    """`HOST does not resolve: …` or `HOST resolves to no address`."""
    return " does not resolve: " in message or message.endswith(" resolves to no address")


def _unresolved_or_unparsed(message):
    """Or a host the URL parser refuses (`https://ć\u0301.COM1/`): which Unicode hosts
    IDNA maps, and which numeric ones are IPv4, is no regular expression of sane size."""
    return _unresolved(message) or message == "must be a full URL such as https://example.com/webhooks"


_UNRESOLVED = _unresolved_or_unparsed


def _host_bits_only(message):
    """Every entry is an address or block, but a block has host bits set (`10.0.0.5/24`):
    the document's pattern gives the form, and no JSON Schema pattern of sane size can
    say which prefix lengths an address's trailing bits allow."""
    return message.startswith('"') and "has host bits set" in message and "Not an IP" not in message


_REPEAT = re.compile(r"Limit \d+ repeats limit \d+: one limit per resource, currency and period\.")


def _repeated_limits(message):
    """Spend limits that repeat a resource, currency and period (SPEC §17): the document
    says one per window, and JSON Schema's `uniqueItems` compares whole objects, not
    three of their fields. Every sentence must be such a repeat."""
    sentences = [s for s in re.split(r"(?<=\.) ", message) if s]
    return bool(sentences) and all(_REPEAT.fullmatch(s) for s in sentences)


EXCEPTIONS = {
    **{op: _NO_SUCH_IN_LIST for op in _LISTS},
    "createPayment": {"customer": ("no such customer",)},
    "createClientSession": {"customer": ("no such customer",)},
    "updateClientSession": {"customer": ("no such customer",)},
    "createSubscription": {"customer": ("no such customer",), "plan": ("no such plan",)},
    "updateSubscriptionByBody": {"plan": ("no such plan",)},
    "updateSubscription": {"plan": ("no such plan",)},
    # What remains refundable is state the generator cannot see (SPEC §4: never more).
    "refundPayment": {
        "amount": ("At most ", "This payment is already fully refunded.", "That is more than what remains")
    },
    "createWebhookEndpoint": {"api_key": ("no such key",), "url": _UNRESOLVED},
    "updateWebhookEndpoint": {"url": _UNRESOLVED},
    "createApiKey": {
        "webhook_url": _UNRESOLVED,
        "allowed_ips": _host_bits_only,
        "spend_limits": _repeated_limits,
    },
    "updateApiKey": {"allowed_ips": _host_bits_only, "spend_limits": _repeated_limits},
    "createManagementKey": {"allowed_ips": _host_bits_only},
}

# A generated `Idempotency-Key` repeats across requests ("0" again and again), and a
# reused key with another body is rightly 422 `idempotency_key_reused` (SPEC §5): most
# keyed requests would test nothing else. So each valid key ends in 12 random hex digits
# (its first 242 characters kept: still valid, at most 255); an invalid one is sent as
# generated.
IDEMPOTENCY_KEY = "idempotency-key"
_VALID_KEY = re.compile(r"[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?")


def _is_signature(parameter, shared):
    """The `Paydesk-Signature` header, inline or named from `components.parameters`."""
    ref = parameter.get("$ref", "")
    if ref.startswith("#/components/parameters/"):
        parameter = shared.get(ref.rsplit("/", 1)[-1], {})
    return parameter.get("in") == "header" and parameter.get("name", "").lower() == SIGNATURE


@schemathesis.hook
def before_load_schema(context, raw_schema):
    shared = raw_schema.get("components", {}).get("parameters", {})
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [
                    p for p in operation["parameters"] if not _is_signature(p, shared)
                ]


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == IDEMPOTENCY_KEY and isinstance(value, str):
            if _VALID_KEY.fullmatch(value) and len(value) <= 255:
                headers[name] = f"{value[:242]}.{uuid.uuid4().hex[:12]}"


def _error(response):
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return None
    return body.get("error") if isinstance(body, dict) else None


def excepted(operation_id, status, error):
    """Whether a refused positive case is one of the exceptions above."""
    if not isinstance(error, dict):
        return False
    if status != 400 or error.get("code") != "invalid_request":
        return False
    fields = (error.get("details") or {}).get("fields") or {}
    allowed = EXCEPTIONS.get(operation_id, {})
    return bool(fields) and all(
        field in allowed and isinstance(message, str) and _matches(allowed[field], message)
        for field, message in fields.items()
    )


def _matches(expected, message):
    return expected(message) if callable(expected) else message.startswith(expected)


def _is_key_revoke(label):
    method, _, path = label.partition(" ")
    return method == "DELETE" and path.endswith(("/api-keys/{id}", "/management-keys/{id}"))


@schemathesis.hook
def filter_failure(context, failure, case, response):
    kind = type(failure).__name__
    if kind == "UseAfterFree":
        return not _is_key_revoke(failure.operation)
    if kind != "RejectedPositiveData":
        return True
    operation_id = (case.operation.definition.raw or {}).get("operationId")
    return not excepted(operation_id, response.status_code, _error(response))
