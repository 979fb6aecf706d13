// The failures a local stand-in for a remote API injects (kv-rest-standin.ts, r2-s3-standin.ts):
// rules consulted in the order they were added, each counting the requests it matches.

export interface FaultRule<Op extends string, Fault> {
  op: Op;
  /** Only requests for this key. */
  key?: string;
  /** Let this many matching requests (counted from when the rule is added) through first. */
  after?: number;
  /** How many matching requests fail; Infinity for "from now on". */
  times: number;
  fault: Fault;
}

export interface FaultRules<Op extends string, Fault> {
  inject(rule: FaultRule<Op, Fault>): void;
  clear(): void;
  /** The fault for this request, if a rule fires for it. */
  faultFor(op: Op, key: string | undefined): Fault | undefined;
}

export function faultRules<Op extends string, Fault>(): FaultRules<Op, Fault> {
  let rules: { rule: FaultRule<Op, Fault>; seen: number; fired: number }[] = [];
  return {
    inject(rule) {
      rules.push({ rule, seen: 0, fired: 0 });
    },
    clear() {
      rules = [];
    },
    // Every matching rule counts every request, so `after` counts requests whatever other rules did.
    faultFor(op, key) {
      let chosen: (typeof rules)[number] | undefined;
      for (const entry of rules) {
        if (entry.rule.op !== op || (entry.rule.key !== undefined && entry.rule.key !== key)) continue;
        entry.seen++;
        if (!chosen && entry.seen > (entry.rule.after ?? 0) && entry.fired < entry.rule.times) chosen = entry;
      }
      if (!chosen) return undefined;
      chosen.fired++;
      return chosen.rule.fault;
    },
  };
}
