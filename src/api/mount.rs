//! How the route table becomes the API's routes: one resource per path, laid out so the
//! router tries few of them (`layout`), each key route with the gate as its own service
//! (`gate::guarded`) and each route a management key may use marked for it.

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{Scope, web};

use super::routes::{Endpoint, Guard, table};
use crate::keys::management::Scope as ManagementScope;

/// Adds every route of the table to `scope` as [`layout`] says, one resource per path, each
/// key route behind the gate with its own policy. `HEAD` answers wherever `GET` does (with
/// no body); any other method is 405 with `Allow` naming the ones that work.
pub fn mount(mut scope: Scope) -> Scope {
    let table = table();
    for group in layout(&table) {
        match group.prefix {
            None => {
                for path in group.paths {
                    scope = scope.service(resource(&table, path, path));
                }
            }
            Some(prefix) => {
                let mut nested = web::scope(prefix);
                for path in group.paths {
                    nested = nested.service(resource(&table, path, &path[prefix.len()..]));
                }
                // A path under the prefix that no route takes: the API's 404, as before.
                scope =
                    scope.service(nested.default_service(web::to(super::envelope::unknown_route)));
            }
        }
    }
    scope
}

/// The pattern of the table's `path` under the API's prefix (`/api/v1/customers/{id}`), as
/// the log line and metrics name the route: made once, so the gate can name it for each
/// request instead of it being looked up.
fn pattern(path: &str) -> &'static str {
    static PATTERNS: std::sync::LazyLock<Vec<(&'static str, String)>> =
        std::sync::LazyLock::new(|| {
            table()
                .iter()
                .map(|e| (e.path, format!("{}{}", super::PREFIX, e.path)))
                .collect()
        });
    PATTERNS
        .iter()
        .find(|(p, _)| *p == path)
        .map_or("unmatched", |(_, full)| full.as_str())
}

/// The resource for the table's `path`, at `at` (without its group's prefix).
fn resource(table: &[Endpoint], path: &'static str, at: &str) -> actix_web::Resource {
    let mut resource = web::resource(at);
    let mut allowed: Vec<&str> = Vec::new();
    for e in table.iter().filter(|e| e.path == path) {
        let gated = match e.guard {
            Guard::Key(policy) => Some((policy, pattern(path))),
            Guard::UserToken | Guard::Public => None,
        };
        let mut routes = vec![(e.route)(e.method.clone(), gated)];
        allowed.push(e.method.as_str());
        if e.method == Method::GET {
            routes.push((e.route)(Method::HEAD, gated));
            allowed.push("HEAD");
        }
        for route in routes {
            resource = resource.route(match (e.guard, e.management_scope()) {
                // The gate is in the route's own service.
                (Guard::Key(_), _) => route,
                // The handler's `ApiUser` learns which scope a management key needs.
                (_, Some(needed)) => {
                    route.wrap(from_fn(move |req, next| accepts(req, next, needed)))
                }
                (Guard::UserToken | Guard::Public, None) => route,
            });
        }
    }
    let allow = allowed.join(", ");
    resource.default_service(web::to(move || {
        let allow = allow.clone();
        async move {
            actix_web::HttpResponse::MethodNotAllowed()
                .insert_header((actix_web::http::header::ALLOW, allow))
                .finish()
        }
    }))
}

/// Marks the request as one a management key holding `scope` may make.
async fn accepts(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<actix_web::body::BoxBody>,
    scope: ManagementScope,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::HttpMessage;
    req.extensions_mut()
        .insert(super::management_keys::acting::AcceptsManagementKey(scope));
    next.call(req).await
}

/// Paths under `prefix` (their first segment: `/customers`) in a nested scope; with no
/// prefix, a path alone at the top.
#[derive(Debug)]
struct Group {
    prefix: Option<&'static str>,
    paths: Vec<&'static str>,
}

/// The table's paths as the router tries them (SPEC §15): it tries resources one by one,
/// a few hundred instructions each (a `{param}` costs a regex), so paths are grouped by
/// first segment, a scope each whose prefix is one comparison. A lone static path
/// (`/whoami`) stays at the top; the keyed API's groups come before the Hub's; static
/// paths before those with a parameter. Only the cost changes: where two paths match a
/// request (`/subscriptions/search`, `/subscriptions/{id}`) the static one wins.
fn layout(table: &[Endpoint]) -> Vec<Group> {
    // (path, keyed) in table order, each path once.
    let mut paths: Vec<(&'static str, bool)> = Vec::new();
    for e in table {
        match paths.iter_mut().find(|(p, _)| *p == e.path) {
            Some((_, keyed)) => *keyed |= matches!(e.guard, Guard::Key(_)),
            None => paths.push((e.path, matches!(e.guard, Guard::Key(_)))),
        }
    }
    let first_segment = |path: &'static str| -> &'static str {
        let end = path[1..].find('/').map_or(path.len(), |i| i + 1);
        &path[..end]
    };
    let mut groups: Vec<(Group, bool)> = Vec::new();
    for (path, keyed) in paths {
        let prefix = first_segment(path);
        match groups.iter_mut().find(|(g, _)| g.prefix == Some(prefix)) {
            Some((g, k)) => {
                g.paths.push(path);
                *k |= keyed;
            }
            None => groups.push((
                Group {
                    prefix: Some(prefix),
                    paths: vec![path],
                },
                keyed,
            )),
        }
    }
    for (g, _) in &mut groups {
        g.paths.sort_by_key(|p| p.contains('{'));
        if let [only] = g.paths[..]
            && !only.contains('{')
        {
            g.prefix = None;
        }
    }
    // Single static paths first, then groups; the keyed API's before the rest.
    groups.sort_by_key(|(g, keyed)| (g.prefix.is_some(), !keyed));
    groups.into_iter().map(|(g, _)| g).collect()
}

#[cfg(test)]
mod tests {
    use actix_web::dev::ResourceDef;

    use super::*;

    #[test]
    fn a_request_reaches_the_path_it_would_in_table_order() {
        let table = table();
        let groups = layout(&table);
        let mut in_table: Vec<&str> = table.iter().map(|e| e.path).collect();
        in_table.dedup();
        let laid_out: Vec<&str> = groups.iter().flat_map(|g| g.paths.clone()).collect();
        assert_eq!(laid_out.len(), in_table.len(), "every path once");
        let first_match = |paths: &[&str], request: &str| -> Option<String> {
            paths
                .iter()
                .find(|p| ResourceDef::new(**p).is_match(request))
                .map(|p| p.to_string())
        };
        // As actix routes: the first group whose prefix (or lone path) takes the request,
        // then the first of its paths that matches; none else is tried.
        let routed = |request: &str| -> Option<String> {
            let group = groups.iter().find(|g| match g.prefix {
                Some(prefix) => ResourceDef::root_prefix(prefix).is_match(request),
                None => ResourceDef::new(g.paths[0]).is_match(request),
            })?;
            first_match(&group.paths, request)
        };
        let mut requests: Vec<String> = in_table.iter().map(|p| p.replace("{id}", "x_1")).collect();
        requests.extend(["/customers/x_1/more", "/customersx", "/whoami/x"].map(String::from));
        for (n, request) in requests.iter().enumerate() {
            let expected = first_match(&in_table, request);
            assert_eq!(
                expected.is_some(),
                n < in_table.len(),
                "only near misses miss"
            );
            assert_eq!(routed(request), expected, "{request}");
        }
        assert_eq!(groups[0].paths, ["/whoami"], "{groups:?}");
        let at = |path: &str| groups.iter().position(|g| g.paths.contains(&path)).unwrap();
        assert!(
            at("/customers/{id}") < at("/api-keys/{id}"),
            "the keyed API's first"
        );
        let customers = &groups[at("/customers/{id}")];
        assert_eq!(customers.prefix, Some("/customers"));
        assert_eq!(customers.paths, ["/customers", "/customers/{id}"]);
    }
}
