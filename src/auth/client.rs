//! Who the client is, and which host it asked for, when a proxy may stand in
//! between. `Forwarded` (RFC 7239) and `X-Forwarded-*` are believed only from
//! the configured trusted proxies; from anyone else they are ignored, since any
//! client can write them.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The configured trusted proxies.
#[derive(Clone, Debug, Default)]
pub struct Proxies(Vec<IpNet>);

impl Proxies {
    /// Parses addresses (`10.1.2.3`) and CIDR blocks (`10.0.0.0/8`).
    pub fn parse(list: &[String]) -> Result<Proxies, String> {
        list.iter()
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("trusted_proxies: {s:?} is not an address or a CIDR block"))
            })
            .collect::<Result<_, _>>()
            .map(Proxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    fn via_proxy(&self, req: &HttpRequest) -> bool {
        req.peer_addr().is_some_and(|a| self.trusts(a.ip()))
    }

    /// The client's address: the peer's, or, behind trusted proxies, the
    /// nearest forwarded address that is not one of them.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let chain = forwarded_for(req);
        Some(chain.into_iter().rev().find(|ip| !self.trusts(*ip)).unwrap_or(peer))
    }

    /// `scheme://host` the client asked for: the `Host` header, or what a
    /// trusted proxy forwarded.
    pub fn own_origin(&self, req: &HttpRequest) -> Option<String> {
        let headers = req.headers();
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let (mut scheme, mut host) = ("http".to_owned(), get("host").map(str::to_owned));
        if self.via_proxy(req) {
            if let Some(f) = get("forwarded") {
                let first = f.split(',').next().unwrap_or("");
                for pair in first.split(';') {
                    match pair.trim().split_once('=') {
                        Some((k, v)) if k.eq_ignore_ascii_case("host") => host = Some(v.trim_matches('"').to_owned()),
                        Some((k, v)) if k.eq_ignore_ascii_case("proto") => scheme = v.trim_matches('"').to_ascii_lowercase(),
                        _ => {}
                    }
                }
            }
            if let Some(h) = get("x-forwarded-host") {
                host = h.split(',').next().map(|h| h.trim().to_owned());
            }
            if let Some(p) = get("x-forwarded-proto") {
                scheme = p.split(',').next().unwrap_or("http").trim().to_ascii_lowercase();
            }
        }
        host.map(|h| format!("{scheme}://{h}"))
    }
}

/// Addresses of `X-Forwarded-For` and `Forwarded: for=`, client first.
fn forwarded_for(req: &HttpRequest) -> Vec<IpAddr> {
    let headers = req.headers();
    let mut out = Vec::new();
    for v in headers.get_all("forwarded").filter_map(|v| v.to_str().ok()) {
        for element in v.split(',') {
            for pair in element.split(';') {
                if let Some((k, val)) = pair.trim().split_once('=')
                    && k.eq_ignore_ascii_case("for")
                    && let Some(ip) = parse_node(val)
                {
                    out.push(ip);
                }
            }
        }
    }
    for v in headers.get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()) {
        out.extend(v.split(',').filter_map(parse_node));
    }
    out
}

/// `1.2.3.4`, `"[::1]:8080"`, `1.2.3.4:5` → the address.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    s.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().unwrap());
        for (k, v) in headers {
            r = r.insert_header((*k, *v));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let p = Proxies::parse(&["10.0.0.0/8".into()]).unwrap();
        let headers = [
            ("host", "cockpit.internal"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-for", "203.0.113.9"),
        ];
        let direct = req("198.51.100.7:5000", &headers);
        assert_eq!(p.own_origin(&direct).as_deref(), Some("http://cockpit.internal"));
        assert_eq!(p.client_ip(&direct), "198.51.100.7".parse().ok());
        let proxied = req("10.1.2.3:5000", &headers);
        assert_eq!(p.own_origin(&proxied).as_deref(), Some("http://evil.example"));
        assert_eq!(p.client_ip(&proxied), "203.0.113.9".parse().ok());
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop() {
        let p = Proxies::parse(&["10.0.0.1".into(), "10.0.0.2".into()]).unwrap();
        let r = req(
            "10.0.0.2:1",
            &[
                ("x-forwarded-for", "1.1.1.1, 203.0.113.5, 10.0.0.1"),
                ("x-forwarded-proto", "https"),
            ],
        );
        assert_eq!(p.client_ip(&r), "203.0.113.5".parse().ok(), "a client cannot name itself 1.1.1.1");
        let r = req(
            "10.0.0.2:1",
            &[("forwarded", r#"for="[2001:db8::1]:4711";proto=https;host=wall.example"#)],
        );
        assert_eq!(p.client_ip(&r), "2001:db8::1".parse().ok());
        assert_eq!(p.own_origin(&r).as_deref(), Some("https://wall.example"));
    }

    #[test]
    fn a_bad_proxy_entry_is_named() {
        assert!(Proxies::parse(&["10.0.0.0/33".into()]).unwrap_err().contains("10.0.0.0/33"));
    }
}
