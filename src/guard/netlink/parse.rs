//! The rtnetlink replies the guard reads, parsed from untrusted kernel bytes: every length is
//! checked, so a short or hostile datagram gives a [`ParseError`], never a panic.

use super::*;

/// What one datagram yields: the items found, and whether the reply ended there.
pub(super) type Parsed<T> = Result<(Vec<T>, bool), ParseError>;

pub(super) fn links_in(buf: &[u8], seq: Option<u32>) -> Parsed<Link> {
    messages(buf, seq, libc::RTM_NEWLINK, link)
}

pub(super) fn addresses_in(buf: &[u8], seq: Option<u32>) -> Parsed<Address> {
    messages(buf, seq, libc::RTM_NEWADDR, address)
}

/// Walks the messages of one datagram, parsing those of type `want` with `body`; stops, done,
/// at `NLMSG_DONE` or an ack. With `seq`, a reply to another request is an error.
fn messages<T>(buf: &[u8], seq: Option<u32>, want: u16, body: fn(&[u8]) -> Result<Option<T>, ParseError>) -> Parsed<T> {
    let mut found = Vec::new();
    let mut rest = buf;
    while !rest.is_empty() {
        let (Some(len), Some(kind), Some(flags), Some(msg_seq)) =
            (u32_at(rest, 0), u16_at(rest, 4), u16_at(rest, 6), u32_at(rest, 8))
        else {
            return Err(ParseError::Truncated("netlink message header"));
        };
        let len = usize::try_from(len).map_err(|_| ParseError::Malformed("nlmsg_len"))?;
        if len < NLMSG_HDRLEN {
            return Err(ParseError::Malformed("nlmsg_len shorter than the header"));
        }
        let payload = rest
            .get(NLMSG_HDRLEN..len)
            .ok_or(ParseError::Truncated("message past the end"))?;
        if seq.is_some_and(|s| s != msg_seq) {
            return Err(ParseError::Malformed("reply to another request (nlmsg_seq)"));
        }
        if flags & NLM_F_DUMP_INTR != 0 {
            return Err(ParseError::Interrupted);
        }
        match kind {
            // DONE carries the dump's error, if any; ERROR 0 is an ack.
            NLMSG_DONE | NLMSG_ERROR => match i32_at(payload, 0) {
                Some(error) if error < 0 => return Err(ParseError::Kernel(error.saturating_neg())),
                None if kind == NLMSG_ERROR => return Err(ParseError::Truncated("NLMSG_ERROR")),
                _ => return Ok((found, true)),
            },
            NLMSG_OVERRUN => return Err(ParseError::Malformed("NLMSG_OVERRUN")),
            k if k == want => found.extend(body(payload)?),
            NLMSG_NOOP => {}
            _ => {} // types not asked for
        }
        rest = rest.get(align4(len)..).unwrap_or(&[]);
    }
    Ok((found, false))
}

/// One `RTM_NEWLINK` body: ifinfomsg {family u8, pad u8, type u16, index i32, flags u32,
/// change u32}, then attributes.
fn link(body: &[u8]) -> Result<Option<Link>, ParseError> {
    let (Some(index), Some(flags), Some(attributes)) = (i32_at(body, 4), u32_at(body, 8), body.get(IFINFOMSG_LEN..))
    else {
        return Err(ParseError::Truncated("ifinfomsg"));
    };
    let index = u32::try_from(index).map_err(|_| ParseError::Malformed("negative interface index"))?;
    let (mut name, mut operstate) = (None, None);
    attrs(attributes, |kind, value| {
        match kind {
            IFLA_IFNAME => {
                let bytes = value.split(|b| *b == 0).next().unwrap_or_default();
                name = Some(String::from_utf8_lossy(bytes).into_owned());
            }
            IFLA_OPERSTATE => operstate = Some(*value.first().ok_or(ParseError::Truncated("IFLA_OPERSTATE"))?),
            _ => {}
        }
        Ok(())
    })?;
    let name = name.ok_or(ParseError::Malformed("link without IFLA_IFNAME"))?;
    Ok(Some(Link {
        index,
        name,
        up: flags & IFF_UP != 0,
        lower_up: flags & IFF_LOWER_UP != 0,
        loopback: flags & IFF_LOOPBACK != 0,
        oper_up: operstate == Some(IF_OPER_UP),
    }))
}

/// One `RTM_NEWADDR` body: ifaddrmsg {family u8, prefixlen u8, flags u8, scope u8, index
/// u32}, then attributes. Families other than IPv4 and IPv6 give `None`.
fn address(body: &[u8]) -> Result<Option<Address>, ParseError> {
    let &[family, prefix_len, _, scope, i0, i1, i2, i3, ref attributes @ ..] = body else {
        return Err(ParseError::Truncated("ifaddrmsg"));
    };
    let bits = match family {
        AF_INET => 32,
        AF_INET6 => 128,
        _ => return Ok(None),
    };
    let (mut local, mut peer) = (None, None);
    attrs(attributes, |kind, value| {
        match kind {
            libc::IFA_LOCAL => local = Some(ip(family, value)?),
            libc::IFA_ADDRESS => peer = Some(ip(family, value)?),
            _ => {}
        }
        Ok(())
    })?;
    if prefix_len > bits {
        return Err(ParseError::Malformed("prefix length longer than the address"));
    }
    let address = local
        .or(peer)
        .ok_or(ParseError::Malformed("no IFA_LOCAL or IFA_ADDRESS"))?;
    let index = u32::from_ne_bytes([i0, i1, i2, i3]);
    Ok(Some(Address {
        index,
        address,
        prefix_len,
        scope,
    }))
}

/// An `IFA_LOCAL` or `IFA_ADDRESS` value of `family` (IPv4 or IPv6).
fn ip(family: u8, value: &[u8]) -> Result<IpAddr, ParseError> {
    let ip = match family {
        AF_INET => <[u8; 4]>::try_from(value).map(IpAddr::from).ok(),
        _ => <[u8; 16]>::try_from(value).map(IpAddr::from).ok(),
    };
    ip.ok_or(ParseError::Malformed("address length does not match its family"))
}

/// Calls `each(type, value)` for every rtattr {len u16, type u16, value} in `data`.
fn attrs(mut data: &[u8], mut each: impl FnMut(u16, &[u8]) -> Result<(), ParseError>) -> Result<(), ParseError> {
    while !data.is_empty() {
        let (Some(len), Some(kind)) = (u16_at(data, 0), u16_at(data, 2)) else {
            return Err(ParseError::Truncated("rtattr header"));
        };
        let len = usize::from(len);
        if len < 4 {
            return Err(ParseError::Malformed("rtattr length shorter than its header"));
        }
        let value = data.get(4..len).ok_or(ParseError::Truncated("rtattr past the end"))?;
        each(kind & NLA_TYPE_MASK, value)?;
        data = data.get(align4(len)..).unwrap_or(&[]);
    }
    Ok(())
}

fn align4(len: usize) -> usize {
    len.saturating_add(3) & !3
}

fn bytes_at<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    buf.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn u16_at(buf: &[u8], at: usize) -> Option<u16> {
    bytes_at(buf, at).map(u16::from_ne_bytes)
}

fn u32_at(buf: &[u8], at: usize) -> Option<u32> {
    bytes_at(buf, at).map(u32::from_ne_bytes)
}

fn i32_at(buf: &[u8], at: usize) -> Option<i32> {
    bytes_at(buf, at).map(i32::from_ne_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::netlink::tests::{address, link};
    use std::net::Ipv6Addr;

    fn message(kind: u16, seq: u32, body: &[u8]) -> Vec<u8> {
        let mut m = [header(NLMSG_HDRLEN + body.len(), kind, 0x2, seq), body.to_vec()].concat();
        m.resize(align4(m.len()), 0);
        m
    }

    fn attr(kind: u16, value: &[u8]) -> Vec<u8> {
        let mut a = [&(4 + value.len() as u16).to_ne_bytes()[..], &kind.to_ne_bytes(), value].concat();
        a.resize(align4(a.len()), 0);
        a
    }

    fn link_message(index: i32, flags: u32, name: &str, operstate: u8) -> Vec<u8> {
        let head = [&[0, 0, 1, 0][..], &index.to_ne_bytes(), &flags.to_ne_bytes(), &[0; 4]].concat();
        let carrier = attr(33, &[1]); // IFLA_CARRIER: never read
        let name = attr(IFLA_IFNAME, format!("{name}\0").as_bytes());
        let operstate = attr(IFLA_OPERSTATE, &[operstate]);
        message(libc::RTM_NEWLINK, 1, &[head, name, carrier, operstate].concat())
    }

    fn address_message(family: u8, prefix: u8, scope: u8, index: u32, attributes: &[Vec<u8>]) -> Vec<u8> {
        let head = [&[family, prefix, 0, scope][..], &index.to_ne_bytes()].concat();
        message(libc::RTM_NEWADDR, 2, &[head, attributes.concat()].concat())
    }

    fn done(seq: u32) -> Vec<u8> {
        message(NLMSG_DONE, seq, &0i32.to_ne_bytes())
    }

    #[test]
    fn links_several_per_datagram_then_done() {
        let mut buf = link_message(1, IFF_UP | IFF_LOOPBACK, "lo", 0);
        buf.extend(message(NLMSG_NOOP, 1, &[]));
        buf.extend(link_message(7, IFF_UP | IFF_LOWER_UP, "eth0", IF_OPER_UP));
        let both = vec![link(1, "lo", "UK"), link(7, "eth0", "ULO")];
        assert_eq!(parse_links(&buf), Ok((both.clone(), false)));
        buf.extend(done(1));
        buf.extend(link_message(9, 0, "after-done", 2));
        assert_eq!(parse_links(&buf), Ok((both, true)));
        assert!(matches!(links_in(&buf, Some(2)), Err(ParseError::Malformed(_))));
        assert_eq!(parse_addresses(&buf), Ok((vec![], true)), "other types skipped");
    }

    #[test]
    fn addresses_v4_v6_prefer_local() {
        let mut buf = address_message(AF_INET, 24, 0, 3, &[attr(libc::IFA_ADDRESS, &[192, 0, 2, 1])]);
        let v6 = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1).octets();
        buf.extend(address_message(AF_INET6, 24, 253, 3, &[attr(libc::IFA_ADDRESS, &v6)]));
        let peer = attr(libc::IFA_ADDRESS, &[10, 0, 0, 2]);
        let local = attr(libc::IFA_LOCAL, &[10, 0, 0, 1]);
        buf.extend(address_message(AF_INET, 24, 0, 4, &[local, peer])); // either order
        buf.extend(address_message(17, 0, 0, 5, &[attr(libc::IFA_ADDRESS, &[1, 2])])); // AF_PACKET: skipped
        buf.extend(done(2));
        let (v4, v6) = (address(3, "192.0.2.1", 0), address(3, "fe80::1", 253));
        let expected = vec![v4, v6, address(4, "10.0.0.1", 0)];
        assert_eq!(parse_addresses(&buf), Ok((expected, true)));
    }

    #[test]
    fn kernel_errors_and_acks() {
        let refused = [(-libc::EPERM).to_ne_bytes().to_vec(), header(20, 18, 0, 1)].concat();
        let refused = message(NLMSG_ERROR, 1, &refused); // the errno, then the request echoed
        assert_eq!(parse_links(&refused), Err(ParseError::Kernel(libc::EPERM)));
        let io = io::Error::from(ParseError::Kernel(libc::EPERM));
        assert_eq!(io.raw_os_error(), Some(libc::EPERM));
        let ack = message(NLMSG_ERROR, 1, &[0; 4]);
        assert_eq!(parse_links(&ack), Ok((vec![], true)));
        assert!(parse_links(&message(NLMSG_ERROR, 1, &[])).is_err());
        let failed_dump = message(NLMSG_DONE, 1, &(-libc::EINTR).to_ne_bytes());
        assert_eq!(parse_addresses(&failed_dump), Err(ParseError::Kernel(libc::EINTR)));
        let mut interrupted = link_message(1, 0, "lo", 0);
        interrupted[6..8].copy_from_slice(&(0x2 | NLM_F_DUMP_INTR).to_ne_bytes());
        assert_eq!(parse_links(&interrupted), Err(ParseError::Interrupted));
    }

    #[test]
    fn hostile_buffers_are_errors_never_panics() {
        let good = link_message(2, IFF_UP, "eth0", IF_OPER_UP);
        let bent = |at: usize, bytes: &[u8]| {
            let mut b = good.clone();
            b[at..at + bytes.len()].copy_from_slice(bytes);
            b
        };
        let past_end = (good.len() as u32 + 4).to_ne_bytes();
        for buf in [
            bent(0, &past_end),
            bent(0, &8u32.to_ne_bytes()),
            bent(0, &u32::MAX.to_ne_bytes()),
            bent(32, &0u16.to_ne_bytes()), // the first rtattr's length
            bent(32, &2u16.to_ne_bytes()),
            bent(32, &400u16.to_ne_bytes()),
            bent(4 + NLMSG_HDRLEN, &(-1i32).to_ne_bytes()), // interface index
            good[..10].to_vec(),
            good[..good.len() - 3].to_vec(),
        ] {
            assert!(parse_links(&buf).is_err(), "{buf:?}");
        }
        let wrong_width = address_message(AF_INET6, 64, 0, 1, &[attr(libc::IFA_ADDRESS, &[192, 0, 2, 1])]);
        let long_prefix = address_message(AF_INET, 33, 0, 1, &[attr(libc::IFA_ADDRESS, &[192, 0, 2, 1])]);
        let no_address = address_message(AF_INET, 24, 0, 1, &[]);
        let short = message(libc::RTM_NEWADDR, 1, &[AF_INET, 24]);
        for buf in [short, wrong_width, long_prefix, no_address] {
            assert!(parse_addresses(&buf).is_err(), "{buf:?}");
        }
        // Every truncation and many single-byte corruptions give an answer, never a panic.
        let v6 = attr(libc::IFA_LOCAL, &[0xfd; 16]);
        let whole = [good.clone(), address_message(AF_INET6, 64, 0, 2, &[v6]), done(1)].concat();
        for cut in 0..whole.len() {
            let _ = (parse_links(&whole[..cut]), parse_addresses(&whole[..cut]));
        }
        for (at, value) in (0..whole.len()).flat_map(|at| [0, 1, 3, 4, 0x7f, 0xff].map(|v| (at, v))) {
            let mut b = whole.clone();
            b[at] = value;
            let _ = (parse_links(&b), parse_addresses(&b));
        }
    }
}
