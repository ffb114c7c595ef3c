import type { NetworkOwner } from "../../schemas/tracking";
import ranges from "./ip-ranges.json";

/**
 * Who owns the address a request came from, by the published ranges shipped in
 * ip-ranges.json (refresh with scripts/refresh-ip-ranges.mjs). Ranges are parsed once per
 * isolate into sorted [start, end] pairs and searched by bisection.
 */

type Range = [bigint, bigint];

function parseV4(ip: string): bigint | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseV6(ip: string): bigint | null {
  if (!/^[0-9a-f:.]+$/i.test(ip) || ip.split("::").length > 2) return null;
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const groups = (text: string | undefined) => (text ? text.split(":") : []);
  let left = groups(head);
  let right = groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const last = (tail === undefined ? left : right).at(-1);
  if (last?.includes(".")) {
    const v4 = parseV4(last);
    if (v4 === null) return null;
    const extra = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    if (tail === undefined) left = [...left.slice(0, -1), ...extra];
    else right = [...right.slice(0, -1), ...extra];
  }
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  let value = 0n;
  for (const group of [...left, ...Array<string>(missing).fill("0"), ...right]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}

function toRange(cidr: string, bits: 32n | 128n, parse: (ip: string) => bigint | null): Range | null {
  const [ip, len] = cidr.split("/");
  const start = ip === undefined ? null : parse(ip);
  const prefix = BigInt(len ?? bits);
  if (start === null || prefix < 0n || prefix > bits) return null;
  const hostMask = (1n << (bits - prefix)) - 1n;
  return [start & ~hostMask, (start & ~hostMask) | hostMask];
}

interface OwnerRanges {
  owner: NetworkOwner;
  v4: Range[];
  v6: Range[];
}

let table: OwnerRanges[] | undefined;

function load(): OwnerRanges[] {
  const sorted = (list: (Range | null)[]) => list.filter((r): r is Range => r !== null).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return Object.entries(ranges.owners).map(([owner, lists]) => ({
    owner: owner as NetworkOwner,
    v4: sorted(lists.v4.map((c) => toRange(c, 32n, parseV4))),
    v6: sorted(lists.v6.map((c) => toRange(c, 128n, parseV6))),
  }));
}

function within(list: Range[], address: bigint): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = list[mid]!;
    if (address < start) hi = mid - 1;
    else if (address > end) lo = mid + 1;
    else return true;
  }
  return false;
}

export function networkOwner(ip: string | undefined): NetworkOwner | null {
  if (!ip) return null;
  table ??= load();
  const v4 = parseV4(ip);
  const v6 = v4 === null ? parseV6(ip) : null;
  if (v4 === null && v6 === null) return null;
  for (const entry of table) {
    if (v4 !== null ? within(entry.v4, v4) : within(entry.v6, v6!)) return entry.owner;
  }
  return null;
}
