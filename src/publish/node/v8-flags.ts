// Whether `node` was started with a V8 flag: the publish command (cli.ts) sets its own otherwise.

/**
 * Whether `execArgv` (`node`'s own arguments) sets V8 flag `name` (written with `-`): in either of
 * the spellings V8 reads (`-` or `_` between words), with a value or negated (`--no-`, `--no_`,
 * `--no`), but not a longer flag that begins with the same words.
 */
export function v8FlagGiven(execArgv: readonly string[], name: string): boolean {
  const words = name.replaceAll('-', '[-_]');
  const given = new RegExp(`^--(?:no[-_]?)?${words}(?:=|$)`);
  return execArgv.some((flag) => given.test(flag));
}
