/**
 * HPACK (RFC 7541) for the load generator's HTTP/2 client: decoding a server's header blocks (the
 * static table of Appendix A, the dynamic table, Huffman-coded strings of Appendix B), and
 * encoding a request's headers as plain literals (never indexed, never Huffman-coded).
 * Hand-written: no maintained npm HPACK codec stands alone from a whole HTTP/2 stack, and a
 * decoder is what lets the client write pre-built frames on a bare socket.
 */

/** Appendix B's code length of each symbol (0-255, then EOS). The code is canonical, so the lengths define it. */
const HUFFMAN_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];

/** Canonical decoding: per code length, its first code, how many codes, and where its symbols start in code order. */
const HUFFMAN = (() => {
  const len = (s: number) => HUFFMAN_LENGTHS[s] as number;
  const symbols = HUFFMAN_LENGTHS.map((_, s) => s).sort((a, b) => len(a) - len(b) || a - b);
  const first = new Array<number>(31).fill(0);
  const count = new Array<number>(31).fill(0);
  const offset = new Array<number>(31).fill(0);
  for (const l of HUFFMAN_LENGTHS) count[l] = (count[l] as number) + 1;
  let code = 0;
  let at = 0;
  for (let l = 1; l <= 30; l++) {
    first[l] = code;
    offset[l] = at;
    code = (code + (count[l] as number)) * 2;
    at += count[l] as number;
  }
  return { symbols, first, count, offset };
})();

function huffmanDecode(b: Buffer, start: number, end: number): string {
  const out: number[] = [];
  let code = 0;
  let len = 0;
  for (let i = start; i < end; i++) {
    const byte = b[i] as number;
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1);
      len++;
      const k = code - (HUFFMAN.first[len] as number);
      if (k >= 0 && k < (HUFFMAN.count[len] as number)) {
        const sym = HUFFMAN.symbols[(HUFFMAN.offset[len] as number) + k] as number;
        if (sym === 256) throw new Error('HPACK: EOS in a Huffman string');
        out.push(sym);
        code = 0;
        len = 0;
      } else if (len > 30) {
        throw new Error('HPACK: bad Huffman code');
      }
    }
  }
  // What is left is padding: at most 7 bits, all ones (a prefix of EOS).
  if (len > 7 || code !== 2 ** len - 1) throw new Error('HPACK: bad Huffman padding');
  return Buffer.from(out).toString('latin1');
}

const STATIC: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** One connection's decoder: the dynamic table lives as long as the connection, so every block goes through it in order. */
export class HpackDecoder {
  private readonly dynamic: [string, string][] = [];
  private size = 0;
  private maxSize = 4096;
  private at = 0;
  private block: Buffer = Buffer.alloc(0);

  /** The headers of one complete header block (a repeated name keeps its first value). */
  decode(block: Buffer): Record<string, string> {
    this.block = block;
    this.at = 0;
    const out: Record<string, string> = {};
    const add = (name: string, value: string) => {
      if (!(name in out)) out[name] = value;
    };
    while (this.at < block.length) {
      const b = block[this.at] as number;
      if (b & 0x80) {
        const [name, value] = this.entry(this.int(7));
        add(name, value);
      } else if (b & 0x40) {
        const index = this.int(6);
        const name = index === 0 ? this.string() : (this.entry(index)[0] as string);
        const value = this.string();
        this.insert(name, value);
        add(name, value);
      } else if (b & 0x20) {
        this.maxSize = this.int(5);
        this.evict();
      } else {
        const index = this.int(4);
        const name = index === 0 ? this.string() : (this.entry(index)[0] as string);
        add(name, this.string());
      }
    }
    return out;
  }

  private entry(index: number): readonly [string, string] {
    const e = index <= STATIC.length ? STATIC[index - 1] : this.dynamic[index - STATIC.length - 1];
    if (index === 0 || !e) throw new Error(`HPACK: no table entry ${index}`);
    return e;
  }

  private insert(name: string, value: string): void {
    this.dynamic.unshift([name, value]);
    this.size += name.length + value.length + 32;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize) {
      const [n, v] = this.dynamic.pop() as [string, string];
      this.size -= n.length + v.length + 32;
    }
  }

  private int(prefixBits: number): number {
    const max = (1 << prefixBits) - 1;
    let v = (this.block[this.at++] as number) & max;
    if (v < max) return v;
    let shift = 0;
    let b: number;
    do {
      if (this.at >= this.block.length || shift > 28) throw new Error('HPACK: bad integer');
      b = this.block[this.at++] as number;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  }

  private string(): string {
    const huffman = ((this.block[this.at] as number) & 0x80) !== 0;
    const n = this.int(7);
    const start = this.at;
    this.at += n;
    if (this.at > this.block.length) throw new Error('HPACK: string past the block');
    return huffman ? huffmanDecode(this.block, start, this.at) : this.block.toString('latin1', start, this.at);
  }
}

function encodeInt(out: number[], value: number, prefixBits: number, flags: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  let v = value - max;
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** A header block of literal fields without indexing (names lower case), so it can be sent again on any stream. */
export function literalHeaders(headers: Record<string, string>): Buffer {
  const out: number[] = [];
  const literal = (s: string) => {
    const bytes = Buffer.from(s, 'latin1');
    encodeInt(out, bytes.length, 7, 0);
    out.push(...bytes);
  };
  for (const [name, value] of Object.entries(headers)) {
    out.push(0); // literal without indexing, new name
    literal(name);
    literal(value);
  }
  return Buffer.from(out);
}
