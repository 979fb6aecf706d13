// How many runs a property or a simulation sweep makes: a size that proves the property works in
// `npm test`, and the full size in `npm run test:long` (vitest.long.config.ts provides `longSweeps`).
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    longSweeps: boolean;
  }
}

/** True under `npm run test:long`. */
export const LONG_SWEEPS = inject('longSweeps') === true;

/** `fast` runs in `npm test`, `long` in `npm run test:long`. */
export function sweepSize(sizes: { fast: number; long: number }): number {
  return LONG_SWEEPS ? sizes.long : sizes.fast;
}
