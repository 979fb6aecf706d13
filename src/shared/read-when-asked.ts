// Properties whose value is read only when asked for (a body or a record waiting on disk), kept
// own and enumerable, so spread, JSON.stringify and Object.entries see them as data. Each property
// name has one getter shared by every object, reading through a reader the object keeps in a hidden
// slot: V8 turns an object whose getter is a closure of its own into a hash table, 300–800 bytes
// more than the object itself, and an archive's publish makes hundreds of thousands of them.

/** Makes `name` on each object it is given an enumerable getter that calls `read` with that object. */
export function sharedGetter<T extends object>(name: string, read: (self: T) => unknown): (target: T) => T {
  const descriptor: PropertyDescriptor = {
    get(this: T) {
      return read(this);
    },
    enumerable: true,
    configurable: true,
  };
  return (target) => Object.defineProperty(target, name, descriptor);
}

const byName = new Map<string, { slot: symbol; define: (target: object) => object }>();

/**
 * Defines `name` on `target` as an enumerable property that calls `read` each time it is read.
 * Once per object and name: the reader's slot cannot be redefined.
 */
export function readWhenAsked<T extends object>(target: T, name: string, read: () => unknown): T {
  let shared = byName.get(name);
  if (shared === undefined) {
    const slot = Symbol(`${name} reader`);
    shared = {
      slot,
      define: sharedGetter(name, (self) => (self as Record<symbol, () => unknown>)[slot]?.()),
    };
    byName.set(name, shared);
  }
  // Not enumerable: a copy made by spread takes the value, not the reader.
  Object.defineProperty(target, shared.slot, { value: read });
  shared.define(target);
  return target;
}
