//! What the gate costs per request, without HTTP: reading a key (format and checksum),
//! verifying it on a warm cache, and checking a request signature.
//!
//! `cargo bench --bench gate`. SPEC §8's target: verification on a warm cache ≤ 2 µs.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use paydesk::error::Error;
use paydesk::keys::Access;
use paydesk::keys::cache::KeyCache;
use paydesk::keys::format::{self, KeyKind, Mode};
use paydesk::keys::signature;
use paydesk::keys::verify::{self, Credential, KeyRecord, KeyStore, Lookup};

/// One key, in memory: the cache in front of it is what is measured.
struct OneKey(String);

impl KeyStore for OneKey {
    fn find(&self, lookup: &Lookup) -> Result<Option<KeyRecord>, Error> {
        Ok(
            (*lookup == Lookup::SecretHash(paydesk::crypto::hash(&self.0))).then(|| KeyRecord {
                merchant_verified: true,
                access: Access::from_storage("customers:read payments:write"),
                ..KeyRecord::sample("key_bench")
            }),
        )
    }
}

fn verification(c: &mut Criterion) {
    let secret = format::generate(KeyKind::Secret, Mode::Test);
    let cache = KeyCache::new(
        Arc::new(OneKey(secret.clone())),
        Duration::from_secs(60),
        true,
    );
    let credential = Credential::Bearer(secret.clone());
    // Warm it: one miss, read from the store.
    let p = verify::present(credential.clone()).unwrap();
    cache.load(p.digest, &p.lookup()).unwrap().unwrap();

    c.bench_function("verify key (warm cache)", |b| {
        b.iter(|| {
            // The clone stands for the credential a request reads from its header.
            let presented = verify::present(std::hint::black_box(credential.clone())).unwrap();
            let record = cache.cached(&presented.digest).expect("a hit");
            verify::check(record, presented, 1_800_000_000).unwrap()
        })
    });
    c.bench_function("verify key after another key's invalidation", |b| {
        b.iter(|| {
            cache.invalidate("key:key_other");
            // The clone stands for the credential a request reads from its header.
            let presented = verify::present(std::hint::black_box(credential.clone())).unwrap();
            let record = cache.cached(&presented.digest).expect("a hit");
            verify::check(record, presented, 1_800_000_000).unwrap()
        })
    });
    c.bench_function("format and checksum", |b| {
        b.iter(|| format::parse(std::hint::black_box(&secret)))
    });
}

fn signatures(c: &mut Criterion) {
    let secret = format::generate(KeyKind::Secret, Mode::Test);
    let body = vec![b'x'; 1024];
    let now = 1_800_000_000_000;
    let header = signature::sign(&secret, now, &body);
    c.bench_function("signature parse + verify (1 KiB body)", |b| {
        b.iter(|| {
            let sig = signature::parse(std::hint::black_box(&header)).unwrap();
            signature::verify(&sig, &secret, &body, now).unwrap()
        })
    });
}

criterion_group!(benches, verification, signatures);
criterion_main!(benches);
