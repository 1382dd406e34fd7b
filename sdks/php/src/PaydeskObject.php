<?php

declare(strict_types=1);

namespace Paydesk;

/**
 * An object the API answered with (the envelope's `data`): read its fields as properties
 * (`$customer->email`) or as array keys (`$customer['email']`). Nested objects are
 * PaydeskObjects too, lists are PHP arrays, a `{"object":"list"}` is a Collection.
 * Objects are read-only: change one through its resource (`$client->customers->update`).
 *
 * @implements \ArrayAccess<string, mixed>
 * @implements \IteratorAggregate<string, mixed>
 */
class PaydeskObject implements \ArrayAccess, \Countable, \IteratorAggregate, \JsonSerializable
{
    /** @var array<string, mixed> */
    protected array $values = [];

    private ?PaydeskResponse $lastResponse = null;

    /** @param array<string, mixed> $values */
    final public function __construct(array $values = [])
    {
        foreach ($values as $key => $value) {
            $this->values[(string) $key] = self::convert($value);
        }
    }

    /**
     * The object for a decoded JSON value: a Collection for `{"object":"list"}`.
     *
     * @param array<string, mixed> $values
     */
    public static function constructFrom(array $values, ?PaydeskResponse $response = null): self
    {
        $object = ($values['object'] ?? null) === 'list' && array_key_exists('data', $values)
            ? new Collection($values)
            : new static($values);
        $object->lastResponse = $response;
        return $object;
    }

    /**
     * The object for a JSON text's top-level object, keeping `{}` an object (decoded
     * without `assoc`, so an empty object is not mistaken for an empty list).
     */
    public static function fromJson(string $json, ?PaydeskResponse $response = null): ?self
    {
        $decoded = json_decode($json, false);
        return $decoded instanceof \stdClass ? self::constructFrom(get_object_vars($decoded), $response) : null;
    }

    private static function convert(mixed $value): mixed
    {
        if ($value instanceof \stdClass) {
            return self::constructFrom(get_object_vars($value));
        }
        if (!is_array($value)) {
            return $value;
        }
        if (array_is_list($value) && $value !== []) {
            return array_map(self::convert(...), $value);
        }
        return $value === [] ? [] : self::constructFrom($value);
    }

    /** The HTTP response this object came from (status, headers, request id). */
    public function getLastResponse(): ?PaydeskResponse
    {
        return $this->lastResponse;
    }

    public function __get(string $name): mixed
    {
        return $this->values[$name] ?? null;
    }

    public function __isset(string $name): bool
    {
        return isset($this->values[$name]);
    }

    public function __set(string $name, mixed $value): void
    {
        throw new \LogicException("Paydesk objects are read-only; change `$name` through the API.");
    }

    public function __unset(string $name): void
    {
        throw new \LogicException("Paydesk objects are read-only; change `$name` through the API.");
    }

    public function offsetExists(mixed $offset): bool
    {
        return isset($this->values[$offset]);
    }

    public function offsetGet(mixed $offset): mixed
    {
        return $this->values[$offset] ?? null;
    }

    public function offsetSet(mixed $offset, mixed $value): void
    {
        throw new \LogicException('Paydesk objects are read-only; change them through the API.');
    }

    public function offsetUnset(mixed $offset): void
    {
        throw new \LogicException('Paydesk objects are read-only; change them through the API.');
    }

    public function count(): int
    {
        return count($this->values);
    }

    /** @return \ArrayIterator<string, mixed> */
    public function getIterator(): \Iterator
    {
        return new \ArrayIterator($this->values);
    }

    /** @return list<string> */
    public function keys(): array
    {
        return array_keys($this->values);
    }

    /** The object as plain nested PHP arrays. */
    public function toArray(): array
    {
        $plain = static function (mixed $v) use (&$plain): mixed {
            if ($v instanceof PaydeskObject) {
                return $v->toArray();
            }
            return is_array($v) ? array_map($plain, $v) : $v;
        };
        return array_map($plain, $this->values);
    }

    public function jsonSerialize(): mixed
    {
        return $this->values === [] ? new \stdClass() : $this->values;
    }

    public function toJson(): string
    {
        return json_encode($this, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    }

    public function __toString(): string
    {
        return static::class . ' JSON: ' . $this->toJson();
    }
}
