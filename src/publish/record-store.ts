// Where a publish holds the values it built until they are written. A value's SHA-256 and UTF-8
// size are taken as it is added, so planning (diff by hash, KV's size limit) never reads it again:
// only the write does. Held in memory here (the pipeline's tests in workerd); the publish command
// keeps them on disk (node/spill-store.ts): a real archive's values are many times its size.
import { sha256Hex } from '../shared/digest';
import { flatString } from '../shared/flat-string';

export interface RecordStore {
  readonly size: number;
  has(key: string): boolean;
  /** Adds (or replaces) a value, hashing and sizing it now. */
  add(key: string, value: string): Promise<void>;
  /** The value, read back (from disk for a spilled store): for the write, not for planning. */
  get(key: string): string | undefined;
  /** SHA-256 (hex) of the value: what KV metadata records, and the plan diffs by. */
  hash(key: string): string | undefined;
  /** The value's size in UTF-8 bytes. */
  bytes(key: string): number | undefined;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

/** Makes an empty store; a publish makes one per kind of record (and per staged release). */
export type RecordStoreFactory = () => RecordStore;

/**
 * A text put away by Scratch.park, to read back with Scratch.unpark. A number, not a closure that
 * reads it: at 100,000 articles a publish holds about 570,000 parked cards and memo outputs, and a
 * closure each was about 100 bytes held through the publish.
 */
export type Parked = number;

/** Where texts are parked and read back: Scratch's half that the readers and caches use. */
export interface Parking {
  /** Keeps a text and says where. */
  park(text: string): Parked;
  /**
   * Keeps the text that `pieces` make joined, taking one at a time, so that a long text (the record
   * memo's output holding the search index's state: tens of MB at 500,000 articles) is not made
   * whole while the build runs (unparked, it is). Each piece must be well-formed UTF-16 (no
   * surrogate pair split between two), and nothing else may be parked while the pieces are made.
   */
  parkPieces(pieces: Iterable<string>): Parked;
  /** A parked text, read back. */
  unpark(parked: Parked): string;
}

/**
 * Where a publish keeps what it built until needed: record stores, and texts it needs for every
 * article now and then (a card, a body), parked and read back. In memory by default; on disk for
 * the CLI (node/spill-store.ts).
 */
export interface Scratch extends Parking {
  stores: RecordStoreFactory;
}

/** Where a value was put: its hash and UTF-8 size, and whatever its keeper needs to read it back. */
export interface Placed {
  hash: string;
  bytes: number;
}

/** How a record store reads a place's hash and size: its fields, or the keeper's columns. */
export interface PlaceFields<P> {
  hash(place: P): string;
  bytes(place: P): number;
}

/** A place that is an object holding its hash and size. */
export const placedFields: PlaceFields<Placed> = {
  hash: (place) => place.hash,
  bytes: (place) => place.bytes,
};

/**
 * A record store over a keeper: `place` puts a value away (in memory, on disk) and says where,
 * `read` brings it back, `fields` reads its hash and size. Keys, hashes and sizes stay in memory
 * either way.
 */
export class PlacedRecordStore<P> implements RecordStore {
  private readonly places = new Map<string, P>();

  constructor(
    private readonly place: (value: string) => Promise<P> | P,
    private readonly read: (place: P, key: string) => string,
    private readonly fields: PlaceFields<P>,
  ) {}

  get size(): number {
    return this.places.size;
  }

  has(key: string): boolean {
    return this.places.has(key);
  }

  async add(key: string, value: string): Promise<void> {
    // Held to the end of the publish: in one piece (flatString).
    this.places.set(flatString(key), await this.place(value));
  }

  get(key: string): string | undefined {
    const place = this.places.get(key);
    return place === undefined ? undefined : this.read(place, key);
  }

  hash(key: string): string | undefined {
    const place = this.places.get(key);
    return place === undefined ? undefined : this.fields.hash(place);
  }

  bytes(key: string): number | undefined {
    const place = this.places.get(key);
    return place === undefined ? undefined : this.fields.bytes(place);
  }

  keys(): IterableIterator<string> {
    return this.places.keys();
  }

  *values(): IterableIterator<string> {
    for (const [key, place] of this.places) yield this.read(place, key);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const [key, place] of this.places) yield [key, this.read(place, key)];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

const encoder = new TextEncoder();

/** Values held as strings in memory. */
export class MemoryRecordStore extends PlacedRecordStore<Placed & { value: string }> {
  constructor() {
    super(
      // Encoded once: the hash is taken of these bytes, and their count is the UTF-8 size (a lone
      // surrogate encodes as U+FFFD's 3 bytes, as utf8Bytes counts it).
      async (value) => {
        // A fresh ArrayBuffer each time, never a shared one (some typings say ArrayBufferLike).
        const encoded = encoder.encode(value) as Uint8Array<ArrayBuffer>;
        return { value, hash: await sha256Hex(encoded), bytes: encoded.length };
      },
      (place) => place.value,
      placedFields,
    );
  }
}

export const memoryRecordStores: RecordStoreFactory = () => new MemoryRecordStore();

/** A scratch in memory: parked texts are kept in a list, by their place in it. */
export function memoryScratch(): Scratch {
  const texts: string[] = [];
  return {
    stores: memoryRecordStores,
    park: (text) => texts.push(text) - 1,
    parkPieces: (pieces) => texts.push([...pieces].join('')) - 1,
    unpark(parked) {
      const text = texts[parked];
      if (text === undefined) throw new Error(`no text is parked at ${parked}`);
      return text;
    },
  };
}
