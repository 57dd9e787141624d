// Webhook URLs may not reach this server's own network: loopback, private, link-local
// (which holds the cloud metadata service at 169.254.169.254), carrier-grade NAT, multicast
// and reserved addresses are refused, by address and by the names that mean them. Checked
// when an endpoint is registered or changed, and again when each delivery connects: the
// address the request connects to is the one checked (the lookup is ours), so a name that
// resolves elsewhere later (DNS rebinding) is still refused.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT (and Alibaba's metadata, 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local: AWS, GCP, Azure metadata at 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (AWS's IPv6 metadata fd00:ec2::254 is here)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address an IPv6 one carries (NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:64:ff9b::|::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const nat64 = /^64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  const parts = nat64 ?? sixToFour;
  if (!parts) return undefined;
  const hi = parseInt(parts[1]!, 16);
  const lo = parseInt(parts[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** True for an address a webhook may be sent to. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family !== 6) return false;
  if (blocked.check(address, 'ipv6')) return false; // (IPv4-mapped ::ffff:… are checked as IPv4)
  const inner = embeddedIpv4(address);
  return inner === undefined || !blocked.check(inner, 'ipv4');
}

/** Names that mean this machine or a cloud's metadata service, whatever they resolve to. */
function refusedName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name.endsWith('.internal') ||
    name === 'metadata' ||
    name === 'metadata.goog' ||
    name === 'instance-data'
  );
}

export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;
const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export class AddressRefused extends Error {
  override name = 'AddressRefused';
  readonly code = 'EADDRREFUSED';
}

const refusal = (host: string, address?: string) =>
  new AddressRefused(
    address && address !== host
      ? `${host} resolves to ${address}, a loopback, private, link-local or reserved address`
      : `${host} is a loopback, private, link-local or reserved address`,
  );

function bareHost(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

/**
 * Why a URL may not receive webhooks, or undefined when it may (or its name does not resolve
 * now: it is checked again when a delivery connects).
 */
export async function refusedUrl(url: string, lookup: Lookup = systemLookup): Promise<string | undefined> {
  const host = bareHost(new URL(url).hostname);
  if (isIP(host)) return isPublicAddress(host) ? undefined : refusal(host).message;
  if (refusedName(host)) return refusal(host).message;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(host);
  } catch {
    return undefined;
  }
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  return bad ? refusal(host, bad.address).message : undefined;
}

/**
 * fetch() for webhook deliveries over node:http(s), whose connection uses our lookup: every
 * address a name resolves to must be public, and the socket connects to those addresses only.
 * No redirects are followed (node:http never does).
 */
export function guardedFetch(options: { lookup?: Lookup; isAllowed?: (address: string) => boolean } = {}): typeof fetch {
  const lookup = options.lookup ?? systemLookup;
  const isAllowed = options.isAllowed ?? isPublicAddress;
  const connectLookup: LookupFunction = (hostname, opts, callback) => {
    const done = callback as (error: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
    lookup(hostname).then(
      (addresses) => {
        const bad = addresses.find((a) => !isAllowed(a.address));
        if (bad || addresses.length === 0) return done(refusal(hostname, bad?.address), '', 4);
        const wanted = opts.family === 4 || opts.family === 6 ? addresses.filter((a) => a.family === opts.family) : addresses;
        if (opts.all) return done(null, wanted);
        const first = wanted[0] ?? addresses[0]!;
        done(null, first.address, first.family);
      },
      (error: Error) => done(error, '', 4),
    );
  };

  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const host = bareHost(url.hostname);
    if (isIP(host) ? !isAllowed(host) : refusedName(host)) throw refusal(host);
    const client = url.protocol === 'https:' ? https : http;
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    return new Promise<Response>((resolve, reject) => {
      // agent: false: no pooled socket (opened after some earlier lookup) is reused.
      const req = client.request(
        url,
        { method: init.method ?? 'GET', headers, lookup: connectLookup, agent: false, ...(init.signal ? { signal: init.signal } : {}) },
        (res) => {
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
          }
          try {
            const empty = status === 204 || status === 205 || status === 304;
            if (empty) res.resume();
            resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: responseHeaders }));
          } catch (error) {
            res.destroy();
            reject(error);
          }
        },
      );
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
  }) as typeof fetch;
}
