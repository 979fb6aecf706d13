// A model of Workers KV as it behaves across locations: a write is visible at once where it was
// made (the publisher) and at each other location only after a random propagation delay; each
// location caches what it read, "not found" included, for a TTL. Time is the test's clock.

import type { PublishSource, PublishTarget } from '../../src/publish/pipeline';
import { readValueMetadata, type ValueMetadata } from '../../src/storage/consistency';
import { OWNED_KEY_PREFIXES } from '../../src/storage/keys';

interface Version {
  at: number;
  value: string | null;
  metadata: unknown;
  /** Per location: how long after `at` this version becomes visible there. */
  delays: number[];
}

export { seededRandom } from '../../src/shared/random';

export interface EventualKvOptions {
  locations: number;
  /** Longest propagation delay of a write to a location (ms). */
  maxDelayMs: number;
  /** How long a location keeps what it read, absence included (ms): KV's default cacheTtl is 60 s. */
  cacheTtlMs: number;
  random: () => number;
  /** Drops what this project's layout adds (generations, recent writes): the layout before it. */
  legacy?: boolean;
}

/** The central store and its locations. */
export class EventualKv {
  private readonly history = new Map<string, Version[]>();
  readonly locations: KVNamespace[];

  constructor(private readonly options: EventualKvOptions) {
    this.locations = Array.from({ length: options.locations }, (_, index) => this.location(index));
  }

  /** The publisher's view: strongly consistent, as KV is where the write was made. */
  latest(key: string): Version | undefined {
    return this.history.get(key)?.at(-1);
  }

  /** Every key with a value now, and its value: what a strongly consistent reader would see. */
  snapshot(): Map<string, { value: string; metadata: unknown }> {
    const state = new Map<string, { value: string; metadata: unknown }>();
    for (const [key, versions] of this.history) {
      const last = versions.at(-1);
      if (last && last.value !== null) state.set(key, { value: last.value, metadata: last.metadata });
    }
    return state;
  }

  write(key: string, value: string | null, metadata: unknown): void {
    const { random, maxDelayMs, locations, legacy } = this.options;
    let stored = value;
    let storedMetadata = metadata;
    if (legacy) {
      storedMetadata = { hash: readValueMetadata(metadata).hash };
      if (key === 'site:v1' && value !== null) {
        const { gen: _gen, recent: _recent, ...manifest } = JSON.parse(value) as Record<string, unknown>;
        stored = JSON.stringify(manifest);
      }
    }
    const version: Version = {
      at: Date.now(),
      value: stored,
      metadata: storedMetadata,
      delays: Array.from({ length: locations }, () => Math.floor(random() * maxDelayMs)),
    };
    const versions = this.history.get(key) ?? [];
    versions.push(version);
    this.history.set(key, versions);
  }

  /** The pipeline's source and target, writing at the test clock's current time. */
  publisher(): PublishSource & PublishTarget {
    return {
      listKeys: async () => {
        const keys = new Map<string, Partial<ValueMetadata>>();
        for (const [key, { metadata }] of this.snapshot()) {
          if (OWNED_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)))
            keys.set(key, readValueMetadata(metadata));
        }
        return keys;
      },
      getText: async (key) => this.latest(key)?.value ?? null,
      put: async (writes) => {
        for (const w of writes) this.write(w.key, w.value, w.metadata);
      },
      delete: async (keys) => {
        for (const key of keys) this.write(key, null, null);
      },
    };
  }

  private visibleAt(index: number, key: string, now: number): Version | undefined {
    const versions = this.history.get(key) ?? [];
    for (let i = versions.length - 1; i >= 0; i--) {
      const version = versions[i];
      if (version && version.at + (version.delays[index] ?? 0) <= now) return version;
    }
    return undefined;
  }

  private location(index: number): KVNamespace {
    const cache = new Map<string, { version: Version | undefined; until: number }>();
    const read = (key: string) => {
      const now = Date.now();
      const cached = cache.get(key);
      if (cached && now < cached.until) return cached.version;
      const version = this.visibleAt(index, key, now);
      cache.set(key, { version, until: now + this.options.cacheTtlMs });
      return version;
    };
    const kv = {
      async get(key: string) {
        return read(key)?.value ?? null;
      },
      async getWithMetadata(key: string) {
        const version = read(key);
        return { value: version?.value ?? null, metadata: version?.metadata ?? null, cacheStatus: null };
      },
    };
    // Only the reads the worker makes are modelled; anything else is a test bug.
    return kv as unknown as KVNamespace;
  }
}

/** A strongly consistent namespace holding `state`: what every location shows once settled. */
export function settledKv(state: ReadonlyMap<string, { value: string; metadata: unknown }>): KVNamespace {
  const kv = {
    async get(key: string) {
      return state.get(key)?.value ?? null;
    },
    async getWithMetadata(key: string) {
      const entry = state.get(key);
      return { value: entry?.value ?? null, metadata: entry?.metadata ?? null, cacheStatus: null };
    },
  };
  return kv as unknown as KVNamespace;
}
