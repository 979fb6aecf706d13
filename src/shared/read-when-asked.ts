// Properties whose value is read only when asked for (a body or a record waiting on disk), kept
// own and enumerable, so spread, JSON.stringify and Object.entries see them as data. Each property
// has one getter shared by every object, reading through a source the object keeps in a hidden
// slot: V8 turns an object whose getter is a closure of its own into a hash table, 300–800 bytes
// more than the object itself, and an archive's publish makes hundreds of thousands of them.

/** Defines the getter on an object with its source; `sourceOf` reads that source back. */
export interface SourcedGetter<T extends object, S> {
  (target: T, source: S): T;
  /** The source the getter was defined with on this very object; undefined on any other (a copy). */
  sourceOf(target: T): S | undefined;
}

/**
 * Makes `name`, on each object given with its source, an enumerable getter answering
 * `read(source, object)`. The source sits in a slot no spread copies; once per object.
 */
export function sourcedGetter<T extends object, S>(
  name: string,
  read: (source: S, self: T) => unknown,
): SourcedGetter<T, S> {
  const slot = Symbol(`${name} source`);
  const descriptor: PropertyDescriptor = {
    get(this: T) {
      return read((this as Record<symbol, S>)[slot] as S, this);
    },
    enumerable: true,
    configurable: true,
  };
  const define = (target: T, source: S) => {
    // Not enumerable: a copy made by spread takes the value, not the source.
    Object.defineProperty(target, slot, { value: source });
    return Object.defineProperty(target, name, descriptor);
  };
  return Object.assign(define, {
    sourceOf: (target: T) => (target as Record<symbol, S | undefined>)[slot],
  });
}

const byName = new Map<string, (target: object, read: () => unknown) => object>();

/**
 * Defines `name` on `target` as an enumerable property that calls `read` each time it is read.
 * Once per object and name: the reader's slot cannot be redefined.
 */
export function readWhenAsked<T extends object>(target: T, name: string, read: () => unknown): T {
  let define = byName.get(name);
  if (define === undefined) {
    define = sourcedGetter<object, () => unknown>(name, (reader) => reader());
    byName.set(name, define);
  }
  return define(target, read) as T;
}

/** Fields of an object read from one source it keeps (sourcedFields). */
export interface SourcedFields<S> {
  /** Whether `name` is one of the fields. */
  has(name: string): boolean;
  /** Gives `target` its source: once, before any of its fields is defined. */
  source(target: object, source: S): void;
  /** Defines `name`, one of the fields, on `target` as a getter answering from its source. */
  define(target: object, name: string): void;
}

/**
 * Makes each of `names` an enumerable getter answering `read(source)[name]`, for objects that keep
 * one source for all of them in one hidden slot; the caller defines them in its own order among
 * its data properties, so an object keeps its fields' order (and its JSON) whichever are getters.
 */
export function sourcedFields<S>(
  names: readonly string[],
  read: (source: S) => Readonly<Record<string, unknown>>,
): SourcedFields<S> {
  const slot = Symbol('fields source');
  const descriptors = new Map<string, PropertyDescriptor>();
  for (const name of names)
    descriptors.set(name, {
      get(this: Record<symbol, S>) {
        return read(this[slot] as S)[name];
      },
      enumerable: true,
      configurable: true,
    });
  return {
    has: (name) => descriptors.has(name),
    source(target, source) {
      Object.defineProperty(target, slot, { value: source });
    },
    define(target, name) {
      const descriptor = descriptors.get(name);
      if (!descriptor) throw new Error(`${name} is not one of the fields read from a source`);
      Object.defineProperty(target, name, descriptor);
    },
  };
}
